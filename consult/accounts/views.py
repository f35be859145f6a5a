"""Signing in and out, managing accounts, and the audit log (admin blueprint)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.wrappers import Response
from flask_babel import gettext
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user

from consult.accounts import audit, permissions, queries, service, tokens
from consult.accounts.forms import (
    LoginForm,
    MembershipForm,
    RevokeTokenForm,
    TokenForm,
    UserForm,
)
from consult.accounts.guards import audit_action, audit_refusal, requires
from consult.blueprints import admin
from consult.extensions import db, limiter, login_manager
from consult.forms import ConfirmForm, choices
from consult.models import Role, User
from consult.organizing import queries as organizing_queries
from consult.rate_limits import (
    SIGN_IN_ACCOUNT_LIMIT,
    SIGN_IN_ADDRESS_LIMIT,
    account_key,
    address_key,
    store_reachable,
)

IDLE_TIMEOUT = dt.timedelta(minutes=30)


ABSOLUTE_TIMEOUT = dt.timedelta(hours=8)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The active user whose session this is, if it is of the account's current session version
    (`User.get_id`): signing out anywhere or a new password ends every older session."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 10:
        return None
    user = queries.user_by_id(db.session, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


@admin.before_request
def enforce_session_timeouts() -> Any:
    """Sign out after 30 idle minutes or 8 hours, whichever comes first."""
    if not current_user.is_authenticated:
        return None
    now = time.time()
    signed_in = session.get("signed_in_at", 0)
    seen = session.get("seen_at", 0)
    if (
        now - signed_in > ABSOLUTE_TIMEOUT.total_seconds()
        or now - seen > IDLE_TIMEOUT.total_seconds()
    ):
        logout_user()
        session.clear()
        flash(gettext("Your session has expired. Please sign in again."))
        return redirect(url_for("admin.login", next=request.path))
    session["seen_at"] = now
    return None


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _refused_by_limit(detail: str) -> Any:
    """Log a sign-in that a limit refused before the password was checked (an account lock,
    an address with too many attempts): who was tried, never the password."""

    def log(_limit: RequestLimit) -> None:
        known = queries.user_by_email(
            db.session, str(request.form.get("email") or "").strip().lower()[:254]
        )
        audit_refusal("sign in", "admin", detail=detail, actor=known.email if known else "unknown")

    return log


@admin.route("/login", methods=["GET", "POST"])
@limiter.limit(
    SIGN_IN_ACCOUNT_LIMIT,
    key_func=account_key,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_refused_by_limit("account locked"),
)
@limiter.limit(
    SIGN_IN_ADDRESS_LIMIT,
    key_func=address_key,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_refused_by_limit("too many attempts from this address"),
)
def login() -> Any:
    """Sign in. Wrong passwords count per account (past the limit the account is locked, the
    right password included, until the window ends) and per address; a success counts nothing.
    While the counters cannot be kept (Redis down), sign-ins wait: 503, never unlimited tries."""
    if request.method == "POST" and not store_reachable():
        abort(503)
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = service.authenticate(
            db.session, form.email.data or "", form.password.data or "", passwords=_passwords()
        )
        if user is not None:
            # A fresh session at sign-in: nothing from before (e.g. a planted cookie) carries over.
            session.clear()
            login_user(user)
            session["signed_in_at"] = session["seen_at"] = time.time()
            audit.record(db.session, user.email, "sign in", f"user:{user.email}")
            return redirect(_safe_next(request.args.get("next"), user), 303)
        known = queries.user_by_email(db.session, (form.email.data or "").strip().lower())
        audit_refusal("sign in", "admin", actor=known.email if known else "unknown")
        failed = True
    status = 401 if failed else (422 if form.errors else 200)
    return render_template("admin/login.html", form=form, failed=failed), status


def _passwords() -> service.Passwords:
    """Password hashing at the cost this app is configured with."""
    return service.passwords_for(current_app.config["CONSULT"])


def _safe_next(target: str | None, user: User) -> str:
    """Where to go after signing in: the page asked for (on this site), else the user's own
    start: the consultations for staff, the results for a researcher."""
    if (
        target
        and target.startswith(("/admin", "/results"))
        and not target.startswith("//")
        and target.isprintable()  # a line break would split the Location header
    ):
        return target
    if permissions.can_use_admin(user):
        return url_for("admin.dashboard")
    return url_for("results.index")


@admin.post("/logout")
@login_required
def logout() -> Any:
    if ConfirmForm().validate_on_submit():
        audit_action("sign out", f"user:{current_user.email}")
        service.end_every_session(current_user)
        logout_user()
        session.clear()
    return redirect(url_for("admin.login"), 303)


@admin.route("/users", methods=["GET", "POST"])
@requires(permissions.can_manage_users)
def users() -> Any:
    form = UserForm()
    form.consultations.choices = choices(
        [(c.id, c.slug) for c in organizing_queries.all_consultations(db.session)]
    )
    new_password = None
    status = 200
    if form.validate_on_submit():
        password = service.generate_password()
        try:
            user = service.create_user(
                db.session,
                form.email.data or "",
                Role(form.role.data),
                password,
                dt.date.today(),
                passwords=_passwords(),
            )
        except service.AccountError as error:
            form.email.errors = [error.translated(gettext)]
            status = 422
        else:
            chosen = set(form.consultations.data or [])
            user.consultations = [
                c for c in organizing_queries.all_consultations(db.session) if c.id in chosen
            ]
            audit_action("create user", f"user:{user.email}", detail=f"role {user.role.value}")
            new_password = (user.email, password)
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "admin/users.html",
            form=form,
            users=queries.all_users(db.session),
            new_password=new_password,
            confirm=ConfirmForm(),
        ),
        status,
    )


@admin.post("/users/<int:user_id>/consultations")
@requires(permissions.can_manage_users)
def user_consultations(user_id: int) -> Any:
    user = queries.user_by_id(db.session, user_id) or abort(404)
    form = MembershipForm()
    form.consultations.choices = choices(
        [(c.id, c.slug) for c in organizing_queries.all_consultations(db.session)]
    )
    if not form.validate_on_submit():
        abort(400)
    chosen = set(form.consultations.data or [])
    user.consultations = [
        c for c in organizing_queries.all_consultations(db.session) if c.id in chosen
    ]
    audit_action(
        "set consultations",
        f"user:{user.email}",
        detail=", ".join(c.slug for c in user.consultations),
    )
    return redirect(url_for("admin.users"), 303)


@admin.post("/users/<int:user_id>/deactivate")
@requires(permissions.can_manage_users)
def deactivate_user(user_id: int) -> Any:
    user = queries.user_by_id(db.session, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(gettext("You cannot deactivate your own account."))
        return redirect(url_for("admin.users"), 303)
    user.active = False
    audit_action("deactivate user", f"user:{user.email}")
    return redirect(url_for("admin.users"), 303)


@admin.get("/audit")
@requires(permissions.can_read_audit_log)
def audit_log() -> str:
    return render_template(
        "admin/audit.html",
        events=queries.audit_events(db.session),
        action_label=_known_word(audit.ACTIONS),
        actor_label=_known_word(audit.ACTORS),
    )


@admin.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens() -> Any:
    """The signed-in user's personal API tokens (every role: researchers read the API too).
    A new token is shown on this answer only; one button per token revokes it."""
    form, revoke = TokenForm(), RevokeTokenForm()
    new_token = None
    status = 200
    if request.method == "POST" and "token_id" in request.form:
        if not revoke.validate_on_submit():
            abort(400)
        row = tokens.revoke_token(db.session, current_user, revoke.token_id.data or 0, _today())
        if row is None:
            abort(404)
        audit_action("revoke api token", f"user:{current_user.email}", detail=row.name)
        flash(gettext("Token “%(name)s” revoked: it no longer opens the API.", name=row.name))
        return redirect(url_for("admin.api_tokens"), 303)
    if form.validate_on_submit():
        try:
            row, new_token = tokens.create_token(
                db.session, current_user, form.name.data or "", _today()
            )
        except tokens.TokenError as error:
            form.name.errors = [error.translated(gettext)]
            status = 422
        else:
            audit_action("create api token", f"user:{current_user.email}", detail=row.name)
            form = TokenForm(formdata=None)
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "admin/api_tokens.html",
            form=form,
            revoke=revoke,
            tokens=queries.api_tokens_of(db.session, current_user),
            new_token=new_token,
            header=f"Authorization: Bearer {new_token or '…'}",
        ),
        status,
    )


def _today() -> dt.date:
    return dt.date.today()


def _known_word(known: frozenset[str]) -> Any:
    """A stored word in the reader's language when it is one the app writes, else as stored."""

    def label(word: str) -> str:
        return gettext(word) if word in known else word

    return label
