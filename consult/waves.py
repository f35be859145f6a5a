"""Running a wave: creating, opening, closing, publishing, margins and invitation codes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consult import store
from consult.models import (
    Consultation,
    Invitation,
    InvitationStatus,
    QuestionSetVersion,
    Wave,
    WaveMode,
    WaveStatus,
)
from consult.question_sets import question_set_of
from consult.responding import hash_token, new_resume_token

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
MAX_INVITATIONS_PER_BATCH = 100_000


class WaveError(ValueError):
    """A wave action that cannot be done; the message says why in plain words."""


@dataclass(frozen=True)
class WaveSettings:
    slug: str
    version: QuestionSetVersion
    mode: WaveMode
    opens_on: dt.date | None
    closes_on: dt.date | None
    min_cell_size: int


def create_wave(session: Session, consultation: Consultation, settings: WaveSettings) -> Wave:
    if not SLUG.match(settings.slug):
        raise WaveError(
            "a wave name uses 3 to 64 lower-case letters, digits and dashes, e.g. biotech-2027"
        )
    if store.wave_by_slug(session, settings.slug) is not None:
        raise WaveError(f"there is already a wave called {settings.slug}")
    if settings.version.consultation_id != consultation.id:
        raise WaveError("that question-set version belongs to another consultation")
    _check_dates(settings.opens_on, settings.closes_on)
    if not 1 <= settings.min_cell_size <= 1000:
        raise WaveError("the minimum cell size must be between 1 and 1000")
    wave = Wave(
        slug=settings.slug,
        consultation=consultation,
        question_set_version=settings.version,
        status=WaveStatus.DRAFT,
        mode=settings.mode,
        opens_on=settings.opens_on,
        closes_on=settings.closes_on,
        min_cell_size=settings.min_cell_size,
        results_published=False,
    )
    session.add(wave)
    session.flush()
    return wave


def _check_dates(opens_on: dt.date | None, closes_on: dt.date | None) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise WaveError("the closing date is before the opening date")


def change_version(session: Session, wave: Wave, version: QuestionSetVersion) -> None:
    """Point a wave at another version, only while nobody has answered it."""
    if version.consultation_id != wave.consultation_id:
        raise WaveError("that question-set version belongs to another consultation")
    if store.response_count(session, wave) > 0:
        raise WaveError(
            f"wave {wave.slug} already has responses; its question set can no longer change"
        )
    wave.question_set_version = version
    session.flush()


def open_wave(wave: Wave, today: dt.date) -> None:
    if wave.closes_on is not None and wave.closes_on < today:
        raise WaveError(f"the closing date {wave.closes_on} has passed; change it first")
    wave.status = WaveStatus.OPEN


def close_wave(wave: Wave) -> None:
    wave.status = WaveStatus.CLOSED


def close_expired_waves(session: Session, today: dt.date) -> list[Wave]:
    """Mark open waves whose closing date has passed as closed (they already refuse answers)."""
    expired = [
        wave
        for wave in store.waves_with_status(session, WaveStatus.OPEN)
        if wave.closes_on is not None and wave.closes_on < today
    ]
    for wave in expired:
        wave.status = WaveStatus.CLOSED
    session.flush()
    return expired


def set_published(wave: Wave, published: bool) -> None:
    wave.results_published = published


# --- margins ----------------------------------------------------------------------------------


def parse_margins(text: str, wave: Wave) -> dict[str, dict[int, float]]:
    """Read a margins CSV (`variable,category,share`) and check it against the wave's set.

    Every problem is reported at once, with its line.
    """
    question_set = question_set_of(wave.question_set_version)
    demographics = {
        item.code: item for item in question_set.all_items() if item.role == "demographic"
    }
    problems: list[str] = []
    margins: dict[str, dict[int, float]] = {}
    # Lines starting with '#' are comments (the shipped file names its source and date there).
    lines = [
        (number, line)
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines or [h.strip().lower() for h in lines[0][1].split(",")] != [
        "variable",
        "category",
        "share",
    ]:
        raise WaveError("the first line that is not a comment must be: variable,category,share")
    rows = zip([n for n, _ in lines[1:]], csv.reader(line for _, line in lines[1:]), strict=True)
    for number, row in rows:
        if len(row) != 3:
            problems.append(f"line {number}: expected 3 columns, found {len(row)}")
            continue
        variable, category, share_text = (cell.strip() for cell in row)
        item = demographics.get(variable)
        if item is None:
            known = ", ".join(sorted(demographics)) or "none"
            problems.append(
                f"line {number}: '{variable}' is not a demographic item of this wave "
                f"(demographic items: {known})"
            )
            continue
        try:
            code = int(category)
        except ValueError:
            problems.append(f"line {number}: category '{category}' is not an option code")
            continue
        if item.choice(code) is None:
            problems.append(f"line {number}: {variable} has no option {code}")
            continue
        try:
            share = float(share_text)
        except ValueError:
            share = math.nan
        if not (math.isfinite(share) and 0 < share < 1):
            problems.append(f"line {number}: share '{share_text}' must be a number between 0 and 1")
            continue
        if code in margins.setdefault(variable, {}):
            problems.append(f"line {number}: {variable} {code} appears twice")
            continue
        margins[variable][code] = share
    for variable, shares in margins.items():
        total = sum(shares.values())
        if abs(total - 1) > 1e-6:
            problems.append(f"{variable}: the shares add up to {total:.6f}, not 1")
    if not margins and not problems:
        problems.append("the file has no margins")
    if problems:
        raise WaveError("; ".join(problems))
    return margins


def set_margins(wave: Wave, text: str) -> dict[str, dict[int, float]]:
    margins = parse_margins(text, wave)
    wave.margins = text
    return margins


# --- invitations ------------------------------------------------------------------------------


def generate_invitations(session: Session, wave: Wave, count: int, today: dt.date) -> list[str]:
    """Create `count` one-time codes; returns them in plain text, the only time they exist."""
    if wave.mode != WaveMode.INVITE:
        raise WaveError(f"wave {wave.slug} is open to everyone; it takes no invitation codes")
    if not 1 <= count <= MAX_INVITATIONS_PER_BATCH:
        raise WaveError(f"generate between 1 and {MAX_INVITATIONS_PER_BATCH} codes at a time")
    codes = [new_resume_token() for _ in range(count)]
    store.add_invitations(
        session,
        [
            Invitation(
                wave=wave,
                code_hash=hash_token(code),
                status=InvitationStatus.UNUSED,
                created_on=today,
            )
            for code in codes
        ],
    )
    return codes


def invitations_csv(wave: Wave, codes: list[str], base_url: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["wave", "code", "link"])
    for code in codes:
        writer.writerow([wave.slug, code, f"{base_url}?code={code}"])
    return out.getvalue()


def revoke_invitation(session: Session, wave: Wave, code: str) -> int:
    """Revoke one unused code (e.g. a letter sent to a wrong address); returns 1 or 0."""
    invitation = store.invitation_by_hash(session, wave, hash_token(code))
    if invitation is None or invitation.status != InvitationStatus.UNUSED:
        return 0
    invitation.status = InvitationStatus.REVOKED
    session.flush()
    return 1


def redeem_invitation(session: Session, wave: Wave, code: str, today: dt.date) -> bool:
    """Mark an unused code as used; False for an unknown, used or revoked code."""
    invitation = store.invitation_by_hash(session, wave, hash_token(code), for_update=True)
    if invitation is None or invitation.status != InvitationStatus.UNUSED:
        return False
    invitation.status = InvitationStatus.USED
    invitation.used_on = today
    session.flush()
    return True
