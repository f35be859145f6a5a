"""The audit log: every organizer and admin action, readable by admins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from consult.accounts import queries
from consult.messages import N_
from consult.models import AuditEvent

#: The actions the app logs, as stored: English words that are data (filters and exports keep
#: them as they are). The audit page shows each through gettext (the stored text is the msgid);
#: an action not listed here, e.g. from an older version, is shown as stored.
ACTIONS = frozenset(
    {
        N_("sign in"),
        N_("sign out"),
        N_("create user"),
        N_("set consultations"),
        N_("deactivate user"),
        N_("set password"),
        N_("upload question set"),
        N_("create wave"),
        N_("open wave"),
        N_("close wave"),
        N_("publish wave"),
        N_("unpublish wave"),
        N_("change wave version"),
        N_("set margins"),
        N_("set minimum cell size"),
        N_("generate invitations"),
        N_("revoke invitations"),
        N_("import responses"),
        N_("simulate responses"),
        N_("create api token"),
        N_("revoke api token"),
        N_("add theme"),
        N_("change theme"),
        N_("remove theme"),
        N_("import themes"),
        N_("suggest themes"),
        N_("accept theme suggestion"),
        N_("reject theme suggestion"),
        N_("read open answers"),
    }
)
#: Actors that are not an e-mail address: the command line, and a sign-in with an unknown name.
ACTORS = frozenset({N_("command line"), N_("unknown")})


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
