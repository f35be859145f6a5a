"""The app factory: configuration, extensions, the audience blueprints, error pages, the commit."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from threadpoolctl import threadpool_limits
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from consult import health, i18n, logs, rate_limits
from consult.accounts.guards import kept_refusals
from consult.config import Config
from consult.extensions import csrf, db, limiter, login_manager
from consult.forms import INT32_MAX, form_error_entries

ROOT = Path(__file__).resolve().parent.parent
# What a 503 asks clients (and nginx's retry) to wait: a PostgreSQL restart or fail-over.
RETRY_AFTER_SECONDS = 30


def create_app(config: Config | None = None) -> Flask:
    """Build the web app; templates and static files live at the top of the repository."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    # Every <int:...> in a URL is a database number: one beyond a 32-bit column is not found.
    app.url_map.converters["int"] = DatabaseNumberConverter
    config = config or Config.from_environment(app.instance_path)
    app.config.update(
        CONSULT=config,
        SECRET_KEY=config.secret_key,
        TESTING=config.testing,
        WTF_CSRF_ENABLED=config.csrf_enabled,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: long pages are fine
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        # Nothing makes the session permanent (a staff sign-in ends with the browser, a citizen's
        # resume code has a cookie of its own); were it ever, no longer than a staff sign-in.
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        MAX_CONTENT_LENGTH=1024 * 1024,
        RATELIMIT_STORAGE_URI=config.redis_url or "memory://",
        RATELIMIT_ENABLED=True,
        # Redis down: skip the limits rather than fail citizens' pages (see consult.rate_limits).
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_STORAGE_OPTIONS=rate_limits.STORE_OPTIONS if config.redis_url else {},
        CONSULT_START_BURST=config.start_burst,
        CONSULT_START_LIMIT=config.start_limit,
    )
    if not config.testing:
        logs.configure_logging()
    logs.init_app(app)  # first: every request gets its id before anything can fail
    # Registered before the limiter, so it runs after the limiter's headers (which would
    # otherwise replace a 503's Retry-After with the route's rate-limit window).
    app.after_request(_retry_after_when_unavailable)
    db.init_app(app, config.database_url, config.database_replica_url)
    csrf.init_app(app)
    limiter.init_app(app)
    rate_limits.init_app()
    _trust_proxies(app, config)
    login_manager.init_app(app)
    i18n.init_app(app)
    app.jinja_env.globals["form_error_entries"] = form_error_entries

    # Each capability's views attach their routes to the audience blueprints when imported.
    from consult.accounts import views as _accounts_views  # noqa: F401
    from consult.blueprints import admin, api, public, results
    from consult.organizing import views as _organizing_views  # noqa: F401
    from consult.responding import views as _responding_views  # noqa: F401
    from consult.results import api as _results_api  # noqa: F401
    from consult.results import download_views as _download_views  # noqa: F401
    from consult.results import report_views as _report_views  # noqa: F401
    from consult.results import views as _results_views  # noqa: F401
    from consult.themes import views as _themes_views  # noqa: F401

    app.register_blueprint(public)
    app.register_blueprint(admin)
    app.register_blueprint(results)
    app.register_blueprint(api)
    health.init_app(app)
    _register_error_pages(app)
    app.before_request(_refuse_control_characters)
    app.after_request(_security_headers)
    app.after_request(_commit_request)

    from consult.cli import register_commands

    register_commands(app)
    return app


def _trust_proxies(app: Flask, config: Config) -> None:
    """The client's address (for rate limits) from X-Forwarded-For only when configured: the
    last `trusted_proxies` entries were written by our own proxies, anything before them by the
    client. Without Redis, say that each worker counts for itself."""
    if config.trusted_proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=config.trusted_proxies, x_proto=config.trusted_proxies
        )
    if config.redis_url is None and not config.testing:
        app.logger.warning(
            "REDIS_URL is not set: rate-limit counters are kept in memory by each worker "
            "process, so every limit is multiplied by the number of workers"
        )


class DatabaseNumberConverter(IntegerConverter):
    """`<int:...>` within the range of the database's integer columns (ids, version numbers):
    a larger number is a 404, never an overflow in the database driver."""

    def __init__(
        self, url_map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None
    ) -> None:
        super().__init__(url_map, fixed_digits, min, INT32_MAX if max is None else max)


def compute_on_one_core() -> None:
    """Limit BLAS to one thread in this process (servers and commands call it; tests need not).

    The analysis multiplies many small matrices. BLAS threads would only fight the other workers
    and the database for the cores: under load they made a 1M-response report 40% slower.
    The limit reaches only the BLAS libraries loaded so far, so the analysis (NumPy and SciPy)
    is loaded first.
    """
    import analysis  # noqa: F401

    threadpool_limits(limits=1, user_api="blas")


def prepare_worker(app: Flask) -> None:
    """Parse the open waves' question sets before the first citizen arrives: each server process
    parses once, and a burst of first requests would otherwise wait for it together. A database
    that cannot be read yet (not migrated, not up) only postpones that to the first page."""
    from sqlalchemy.exc import SQLAlchemyError

    from consult.organizing.question_sets import parse_open_question_sets

    with app.app_context():
        try:
            parse_open_question_sets(db.session)
        except SQLAlchemyError as error:
            app.logger.warning("question sets not parsed ahead: %s", type(error).__name__)


# Control characters in a path; NUL anywhere (PostgreSQL cannot store it in a text column).
_CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")


def _refuse_control_characters() -> None:
    """Refused before any view or query sees it: a path with a control character names nothing
    (404: no wave, item or page has such a name); a NUL byte in a query or form field (or an
    uploaded file's name) is bad input (400). Line breaks and tabs in form fields are fine: a
    long answer has them."""
    if _CONTROL_IN_PATH.search(request.path):
        abort(404)
    fields = [*request.args.items(multi=True)]
    if request.method in ("POST", "PUT", "PATCH"):
        fields += request.form.items(multi=True)
        fields += [(name, file.filename or "") for name, file in request.files.items(multi=True)]
    if any("\x00" in name or "\x00" in value for name, value in fields):
        abort(400)


def _commit_request(response: Response) -> Response:
    """The one commit of a request: services only flush. A failed request rolls back and keeps
    only the audit lines of what it refused (a wrong password, a rejected upload)."""
    refusals = kept_refusals()
    if response.status_code >= 400:
        db.rollback()
    if refusals:
        db.session.add_all(refusals)
    if response.status_code < 400 or refusals:
        try:
            db.commit()
        except OperationalError as error:  # the database went away between the view and here
            return _database_unavailable(error)
    return response


def _database_unavailable(error: OperationalError) -> Response:
    """The database is down, locked past the busy timeout, or its disk is full: nothing of this
    request was kept (its transaction is rolled back), and trying again later works."""
    # The driver's message names hosts and files: logged by class only.
    current_app.logger.error(
        "Database unavailable: %s", type(error.orig).__name__ if error.orig else "unknown"
    )
    return _unavailable()


def _unavailable() -> Response:
    """The 503 page (or problem, in the API) that asks to try again in a while."""
    # A lost connection has taken its transaction with it: nothing to roll back then.
    with contextlib.suppress(OperationalError):
        db.rollback()
    if _in_api():
        from consult.results.api import problem

        response = problem(ServiceUnavailable())
    else:
        response = current_app.make_response((render_template("errors/error.html", code=503), 503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    g.database_unavailable = True  # see _retry_after_when_unavailable
    return response


def _retry_after_when_unavailable(response: Response) -> Response:
    """Our 503 keeps its Retry-After (other 503s, e.g. a recount's, set their own)."""
    if response.status_code == 503 and g.get("database_unavailable"):
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _security_headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if _holds_secrets():
        response.headers["Cache-Control"] = "no-store"
    return response


def _holds_secrets() -> bool:
    """Pages no cache may keep (a shared computer's browser, a proxy): every staff page (one-time
    passwords, invitation codes, unpublished figures) and every page of a citizen's response
    (the resume code, the answers, an invitation code)."""
    return request.blueprint == "admin" or request.path.startswith("/c/")


def _in_api() -> bool:
    return request.path == "/api/v1" or request.path.startswith("/api/")


def _register_error_pages(app: Flask) -> None:
    """Every error gets a page in the visitor's language, never a stack trace."""

    def render_error(code: int) -> tuple[str, int]:
        return render_template("errors/error.html", code=code), code

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> Any:
        return _database_unavailable(error)

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> Any:
        return render_error(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        original = getattr(error, "original_exception", None)
        if isinstance(original, OperationalError):  # the commit after the view failed
            return _database_unavailable(original)
        if _in_api():  # a path under /api/ that no route matched: the API answers in JSON
            from consult.results.api import problem

            return problem(error)
        code = error.code or 500
        if code == 503:
            return _unavailable()
        if code not in (400, 403, 404, 405, 410, 413, 429, 503):
            code = 400 if 400 <= code < 500 else 500
        response = app.make_response(render_error(code))
        if code == 405 and error.get_response().headers.get("Allow"):
            response.headers["Allow"] = error.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Any:
        if app.testing:
            raise error  # tests see the real traceback, not a polite page
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if _in_api():
            from consult.results.api import problem

            return problem(InternalServerError())
        return render_error(500)
