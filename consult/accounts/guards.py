"""What every admin view needs: the signed-in user's right, and an audit line per action."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g
from flask_login import current_user, login_required

from consult.accounts import audit, permissions
from consult.extensions import db
from consult.models import AuditEvent, User

View = TypeVar("View", bound=Callable[..., Any])


def requires(right: Callable[[User], bool]) -> Callable[[View], View]:
    """Only signed-in users who have `right` (a function of `consult.accounts.permissions`)."""

    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not right(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


# Organizers and admins; researchers are refused (they use the results pages).
staff_only = requires(permissions.can_use_admin)


def current_actor() -> str:
    """Who the audit log names: the signed-in user's e-mail."""
    return str(current_user.email) if current_user.is_authenticated else "anonymous"


def audit_action(action: str, target: str, result: str = "ok", detail: str | None = None) -> None:
    """One audit line for an action of the signed-in user."""
    audit.record(db.session, current_actor(), action, target, result, detail)


def audit_refusal(
    action: str, target: str, detail: str | None = None, actor: str | None = None
) -> None:
    """Log an action that was refused with an error status: the request's own changes roll back,
    but the request boundary keeps this line (`kept_refusals`)."""
    event = audit.new_event(actor or current_actor(), action, target, "refused", detail)
    g.setdefault("refusals", []).append(event)


def kept_refusals() -> list[AuditEvent]:
    """The refusals this request logged, for the request boundary to store."""
    refusals: list[AuditEvent] = g.pop("refusals", [])
    return refusals
