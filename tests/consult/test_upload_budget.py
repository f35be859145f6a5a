"""Reading an upload has a hard time and memory budget (`consult/uploads.py`): a file that needs
more is refused with a clear message in the organizer's language, never a 500, and the worker
that serves citizens is not the one that ran out.

The budgets are made small here (the configuration's `upload_seconds`, `upload_memory_mib`): the
shipped question set reads in about half a second, and a greedy reader takes 256 MB.
"""

from __future__ import annotations

import dataclasses
import html
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.messages import ExplainedError
from consult.models import AuditEvent, Wave
from consult.organizing import question_sets
from consult.organizing.waves import WaveError
from consult.uploads import UploadBudget, read_within
from tests.consult.conftest import ROOT, SHIPPED, admin_token

LoadSet = Callable[..., str]
MARGINS = (ROOT / "surveys" / "definitions" / "margins-nl-adults.csv").read_bytes()
DUTCH = "Het lezen van dit bestand kost meer dan"
ENGLISH = "Reading this file takes more than"


def budget(app: Flask, **limits: float) -> None:
    app.config["CONSULT"] = dataclasses.replace(app.config["CONSULT"], **limits)


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(page))


def upload_set(client: FlaskClient, lang: str) -> tuple[int, str]:
    token = admin_token(client, f"/admin/?lang={lang}")
    reply = client.post(
        "/admin/upload",
        data={"csrf_token": token, "file": (io.BytesIO(SHIPPED.read_bytes()), "set.yaml")},
        content_type="multipart/form-data",
    )
    return reply.status_code, text_of(reply.get_data(as_text=True))


def greedy(read: Callable[[str, bytes], object]) -> Callable[[str, bytes], object]:
    """A reader that needs 256 MB for the file (as a parser with a greedy path would): how much
    memory the real one needs depends on what the forked worker had already freed."""

    def read_greedily(filename: str, data: bytes) -> object:
        needed = bytearray(256 * 1024 * 1024)
        return read(filename, data) if needed else None

    return read_greedily


@pytest.mark.parametrize(
    "limits", [{"upload_memory_mib": 32}, {"upload_seconds": 0.001}], ids=["memory", "time"]
)
def test_a_question_set_beyond_the_budget_is_refused_in_the_organizers_language(
    app: Flask, logged_in, db: Session, limits: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    organizer = logged_in("organizer")
    monkeypatch.setattr(question_sets, "load_upload", greedy(question_sets.load_upload))
    budget(app, **limits)
    status, page = upload_set(organizer, "nl")
    assert status == 422 and DUTCH in page
    status, page = upload_set(organizer, "en")
    assert status == 422 and ENGLISH in page
    db.expire_all()
    refused = db.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "upload question set", AuditEvent.result == "refused"
        )
    ).all()
    assert len(refused) == 2 and all(ENGLISH in (detail or "") for detail in refused)
    # Within the default budget (512 MB, 10 s) the same file is stored.
    budget(app, upload_memory_mib=512, upload_seconds=10)
    status, _ = upload_set(organizer, "en")
    assert status == 303


def test_margins_beyond_the_budget_are_refused_and_not_stored(
    app: Flask, logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set(SHIPPED)
    organizer = logged_in("organizer", ("biotech",))
    budget(app, upload_seconds=0.001)
    page = f"/admin/w/{wave}?lang=nl"
    reply = organizer.post(
        f"/admin/w/{wave}/margins",
        data={"csrf_token": admin_token(organizer, page), "file": (io.BytesIO(MARGINS), "m.csv")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    assert DUTCH in text_of(organizer.get(page).get_data(as_text=True))
    db.expire_all()
    assert db.scalar(select(Wave.margins).where(Wave.slug == wave)) is None


def refuse(text: str) -> None:
    raise WaveError("line %(line)s: %(text)s", line=3, text=text)


def test_a_refusal_in_the_child_arrives_whole() -> None:
    """The child's exception is raised in the parent with its message and parameters, so it is
    still translated there."""
    with pytest.raises(WaveError) as raised:
        read_within(UploadBudget(), refuse, "odd")
    assert isinstance(raised.value, ExplainedError)
    assert raised.value.message == "line %(line)s: %(text)s"
    assert raised.value.params == {"line": 3, "text": "odd"}
