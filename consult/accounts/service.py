"""Staff accounts: argon2 password hashes, creating users and signing in."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from consult.accounts import queries, tokens
from consult.config import Config
from consult.messages import N_, ExplainedError
from consult.models import Role, User


@dataclass(frozen=True)
class Passwords:
    """argon2id at the configured cost, and a hash of that cost to verify against when the
    e-mail is unknown, so a wrong address takes as long as a wrong password."""

    hasher: PasswordHasher
    dummy_hash: str


def passwords_for(config: Config) -> Passwords:
    return _passwords(config.argon2_time_cost, config.argon2_memory_kib, config.argon2_parallelism)


@functools.cache
def _passwords(time_cost: int, memory_kib: int, parallelism: int) -> Passwords:
    """One hasher per cost in a process: the dummy hash costs as much as a real one."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    return Passwords(hasher, hasher.hash(secrets.token_hex(16)))


MIN_PASSWORD_LENGTH = 12


class AccountError(ExplainedError):
    """A user could not be created or changed; the message says why."""


def hash_password(password: str, passwords: Passwords) -> str:
    return passwords.hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def create_user(
    session: Session,
    email: str,
    role: Role,
    password: str,
    today: dt.date,
    *,
    passwords: Passwords,
) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(N_("‘%(email)s’ is not an e-mail address."), email=email)
    if queries.user_by_email(session, email) is not None:
        raise AccountError(N_("There is already a user %(email)s."), email=email)
    _check_password(password)
    user = User(
        email=email,
        password_hash=hash_password(password, passwords),
        role=role,
        active=True,
        created_on=today,
    )
    session.add(user)
    session.flush()
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            N_("A password needs at least %(min)s characters."), min=MIN_PASSWORD_LENGTH
        )


def end_every_session(user: User) -> None:
    """End every signed-in session of `user`, on every device: each carries the account's
    session version, which this raises (sign-out, a new password)."""
    user.session_version += 1


def set_password(
    session: Session, user: User, password: str, *, passwords: Passwords, today: dt.date
) -> int:
    """Give `user` a new password; every session signed in with the old one ends and every
    personal API token is revoked (one may have been made by whoever knew the old password).
    Returns how many tokens were revoked. Signing out keeps the tokens: a script is not a
    browser."""
    _check_password(password)
    user.password_hash = hash_password(password, passwords)
    end_every_session(user)
    return tokens.revoke_every_token(session, user, today)


def authenticate(
    session: Session, email: str, password: str, *, passwords: Passwords
) -> User | None:
    """The active user with this e-mail and password, or None (in constant-ish time). A hash
    of another cost than the configured one is replaced by one of the configured cost."""
    user = queries.user_by_email(session, email.strip().lower())
    try:
        passwords.hasher.verify(user.password_hash if user else passwords.dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if passwords.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password, passwords)
    return user
