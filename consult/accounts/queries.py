"""Queries of staff accounts and the audit log."""

from __future__ import annotations

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from consult.models import (
    ApiToken,
    AuditEvent,
    User,
)


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def add_audit_event(session: Session, event: AuditEvent) -> None:
    session.add(event)
    session.flush()


def audit_events(session: Session, limit: int = 500) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))


def api_tokens_of(session: Session, user: User) -> list[ApiToken]:
    """A user's tokens, newest first (revoked ones too: the page shows when they ended)."""
    statement = select(ApiToken).where(ApiToken.user_id == user.id)
    return list(session.scalars(statement.order_by(ApiToken.id.desc())))


def api_token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


def api_token_of(session: Session, user: User, token_id: int) -> ApiToken | None:
    """The user's token `token_id`; None for another user's."""
    statement = select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    return session.scalar(statement)


def add_api_token(session: Session, token: ApiToken) -> None:
    session.add(token)
    session.flush()
