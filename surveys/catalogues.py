"""Gettext catalogues: compile a `.po` file to its `.mo` when the `.mo` is missing or stale.

The `.mo` files are build output (not committed), so a fresh clone or `pip install -e .` works
without a separate `pybabel compile`: whoever loads a catalogue first compiles it. Plain Python
(Babel only), so both the questionnaire language and the web app use it.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def compile_stale(source: Path, domain: str, target: Path | None = None) -> list[Path]:
    """Compile every `<lang>/LC_MESSAGES/<domain>.po` under `source` whose `.mo` (under
    `target`, by default next to the `.po`) is missing or older than the `.po`; returns the
    `.mo` files written. Raises `OSError` when the `.mo` cannot be written.

    The file is written under a temporary name and renamed, so a process reading the catalogue
    while another one compiles it never sees half a file. Fuzzy entries are left out, as
    `pybabel compile` does.
    """
    written = []
    for po in sorted(source.glob(f"*/LC_MESSAGES/{domain}.po")):
        mo = (target or source) / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as file:
            catalog = read_po(file, locale=po.parent.parent.name, domain=domain)
        mo.parent.mkdir(parents=True, exist_ok=True)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        with partial.open("wb") as file:
            write_mo(file, catalog)
        os.replace(partial, mo)
        written.append(mo)
    return written


def compiled_catalogues(source: Path, domain: str, fallback: Path) -> Path:
    """The directory whose `.mo` files are up to date: `source` itself, or, when the
    installation is read-only, `fallback` (a writable folder) with the `.po` files copied in."""
    try:
        compile_stale(source, domain)
        return source
    except OSError as error:
        log.warning("Compiling the %s catalogues into %s instead: %s", domain, fallback, error)
    for po in source.glob(f"*/LC_MESSAGES/{domain}.po"):
        copy = fallback / po.relative_to(source)
        if not copy.exists() or copy.stat().st_mtime < po.stat().st_mtime:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(po, copy)
    compile_stale(fallback, domain)
    return fallback
