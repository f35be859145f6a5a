"""Gettext catalogues: compile a `.po` file to its `.mo` when the `.mo` is missing or stale.

The `.mo` files are build output (not committed), so a fresh clone or `pip install -e .` works
without a separate `pybabel compile`: whoever loads a catalogue first compiles it. Plain Python
(Babel only), so both the questionnaire language and the web app use it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def compile_stale(directory: Path, domain: str) -> list[Path]:
    """Compile every `<lang>/LC_MESSAGES/<domain>.po` under `directory` whose `.mo` is missing or
    older than the `.po`; returns the `.mo` files written.

    The file is written under a temporary name and renamed, so a process reading the catalogue
    while another one compiles it never sees half a file. Fuzzy entries are left out, as
    `pybabel compile` does.
    """
    written = []
    for po in sorted(directory.glob(f"*/LC_MESSAGES/{domain}.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name, domain=domain)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        try:
            with partial.open("wb") as target:
                write_mo(target, catalog)
            os.replace(partial, mo)
        except OSError as error:  # a read-only installation: `make setup` compiles instead
            log.warning("Could not compile %s: %s", po, error)
            continue
        written.append(mo)
    return written
