"""Personal API tokens: a user reads the JSON API as themselves, e.g. an unpublished wave's
figures from a script. The token is shown once; only its SHA-256 is stored (a random 256-bit
secret needs no slow hash), with its name and the dates it was created, last used and revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy.orm import Session

from consult.accounts import queries
from consult.messages import N_, ExplainedError
from consult.models import ApiToken, User

#: Tokens start with this, so a leaked one is recognisable (e.g. by secret scanners).
PREFIX = "consult_"
MAX_NAME_LENGTH = 100


class TokenError(ExplainedError):
    """A token could not be created or revoked; the message says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str, today: dt.date) -> tuple[ApiToken, str]:
    """A new token for `user`: the stored row and the token itself, which is never kept."""
    name = " ".join(name.split())
    if not name:
        raise TokenError(N_("Give the token a name, e.g. the script or machine that uses it."))
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError(N_("This is longer than %(max)d characters."), max=MAX_NAME_LENGTH)
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret), created_on=today)
    queries.add_api_token(session, row)
    return row, secret


def revoke_token(session: Session, user: User, token_id: int, today: dt.date) -> ApiToken | None:
    """Revoke one of the user's own tokens (None when they have no such token). A revoked token
    stays listed with its date and is refused from then on."""
    row = queries.api_token_of(session, user, token_id)
    if row is not None and row.revoked_on is None:
        row.revoked_on = today
        session.flush()
    return row


def revoke_every_token(session: Session, user: User, today: dt.date) -> int:
    """Revoke every token of `user` still in use (at a new password: whoever knew the old one
    may have made one); returns how many."""
    active = [row for row in queries.api_tokens_of(session, user) if row.revoked_on is None]
    for row in active:
        row.revoked_on = today
    session.flush()
    return len(active)


def user_for_token(session: Session, token: str, today: dt.date) -> User | None:
    """The active user a valid, unrevoked token belongs to, else None. Notes the day of use
    (written at most once a day per token)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = queries.api_token_by_hash(session, token_hash(token))
    if row is None or row.revoked_on is not None or not row.user.active:
        return None
    if row.last_used_on != today:
        row.last_used_on = today
        session.flush()
    return row.user
