"""The audit log: every organizer and admin action, readable by admins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from consult.accounts import queries
from consult.models import AuditEvent


def new_event(
    actor: str, action: str, target: str, result: str = "ok", detail: str | None = None
) -> AuditEvent:
    """One line of the log. Callers pass names and counts only, never answers, codes or
    passwords."""
    return AuditEvent(
        occurred_at=dt.datetime.now(dt.UTC),
        actor=actor[:254],
        action=action[:64],
        target=target[:200],
        result=result[:16],
        detail=detail[:500] if detail else None,
    )


def record(
    session: Session,
    actor: str,
    action: str,
    target: str,
    result: str = "ok",
    detail: str | None = None,
) -> None:
    """Log an action in the current transaction."""
    queries.add_audit_event(session, new_event(actor, action, target, result, detail))
