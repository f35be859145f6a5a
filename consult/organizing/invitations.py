"""One-time invitation codes of invitation-only waves: generated once, stored only as hashes."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy.orm import Session

from consult.messages import N_
from consult.models import Invitation, InvitationStatus, Wave, WaveMode
from consult.organizing import queries
from consult.organizing.waves import WaveError
from consult.responding.tokens import hash_token, new_resume_token

MAX_INVITATIONS_PER_BATCH = 100_000


def generate_invitations(session: Session, wave: Wave, count: int, today: dt.date) -> list[str]:
    """Create `count` one-time codes; returns them in plain text, the only time they exist."""
    if wave.mode != WaveMode.INVITE:
        raise WaveError(
            N_("Wave %(wave)s is open to everyone; it takes no invitation codes."), wave=wave.slug
        )
    if not 1 <= count <= MAX_INVITATIONS_PER_BATCH:
        raise WaveError(
            N_("Generate between 1 and %(max)s codes at a time."), max=MAX_INVITATIONS_PER_BATCH
        )
    codes = [new_resume_token() for _ in range(count)]
    queries.add_invitations(
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
    invitation = queries.invitation_by_hash(session, wave, hash_token(code))
    if invitation is None or invitation.status != InvitationStatus.UNUSED:
        return 0
    invitation.status = InvitationStatus.REVOKED
    session.flush()
    return 1


def redeem_invitation(session: Session, wave: Wave, code: str, today: dt.date) -> bool:
    """Mark an unused code as used; False for an unknown, used or revoked code."""
    invitation = queries.invitation_by_hash(session, wave, hash_token(code), for_update=True)
    if invitation is None or invitation.status != InvitationStatus.UNUSED:
        return False
    invitation.status = InvitationStatus.USED
    invitation.used_on = today
    session.flush()
    return True
