"""Staff accounts: argon2 password hashes, creating users and signing in."""

from __future__ import annotations

import datetime as dt
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from consult.accounts import queries
from consult.messages import N_, ExplainedError
from consult.models import Role, User

_hasher = PasswordHasher()


# Verified against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


MIN_PASSWORD_LENGTH = 12


class AccountError(ExplainedError):
    """A user could not be created or changed; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def create_user(session: Session, email: str, role: Role, password: str, today: dt.date) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(N_("‘%(email)s’ is not an e-mail address."), email=email)
    if queries.user_by_email(session, email) is not None:
        raise AccountError(N_("There is already a user %(email)s."), email=email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            N_("A password needs at least %(min)s characters."), min=MIN_PASSWORD_LENGTH
        )
    user = User(
        email=email, password_hash=hash_password(password), role=role, active=True, created_on=today
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (in constant-ish time)."""
    user = queries.user_by_email(session, email.strip().lower())
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
