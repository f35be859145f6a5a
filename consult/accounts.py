"""Staff accounts: argon2 password hashes, sign-in, and who may do what (one function per right).

Like CKAN's permission functions, every right is a named function checked before the action runs,
so the permission model can be read in one place.
"""

from __future__ import annotations

import datetime as dt
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from consult import store
from consult.models import Consultation, Role, User, Wave

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def create_user(session: Session, email: str, role: Role, password: str, today: dt.date) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"'{email}' is not an e-mail address")
    if store.user_by_email(session, email) is not None:
        raise AccountError(f"there is already a user {email}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = User(
        email=email, password_hash=hash_password(password), role=role, active=True, created_on=today
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (in constant-ish time)."""
    user = store.user_by_email(session, email.strip().lower())
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# --- rights ---------------------------------------------------------------------------------


def can_manage_users(user: User) -> bool:
    return user.role == Role.ADMIN


def can_read_audit_log(user: User) -> bool:
    return user.role == Role.ADMIN


def can_use_admin(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.ORGANIZER)


def can_create_consultation(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.ORGANIZER)


def can_manage_consultation(user: User, consultation: Consultation) -> bool:
    """Admins manage every consultation; organizers only those they belong to."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.ORGANIZER and any(u.id == user.id for u in consultation.organizers)


def can_manage_wave(user: User, wave: Wave) -> bool:
    return can_manage_consultation(user, wave.consultation)
