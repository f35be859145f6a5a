"""Whom each rate limit counts, and how many attempts each purpose allows.

A limit counts one purpose against one target, so attempts on one thing never block another:
wrong codes on one wave leave every other wave alone; wrong passwords for one account lock that
account, not its colleagues. Where a target is shared by strangers (one address behind a school's
or an office's router), a tight budget counts the single browser and a wider one the address,
so a person who mistypes is slowed down without blocking the others behind the same address.

The client address never enters a key as such: only as a keyed hash (HMAC with the app's secret
key), and the counters expire with their window, in memory or in Redis. The address is the
connection's, or the one a trusted proxy reports when `CONSULT_TRUSTED_PROXIES` says how many
proxies stand in front of the app (`create_app` installs Werkzeug's ProxyFix for that many).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from flask import current_app, request, session

#: Wrong resume or invitation codes for one wave from one browser (its session).
CODE_BROWSER_LIMIT = "10 per minute;50 per hour"
#: Wrong codes for one wave from one address: every browser behind it together (a class, an
#: office), or a script that throws its cookies away.
CODE_ADDRESS_LIMIT = "100 per hour"
#: New responses to one open wave from one address before each further start waits a few
#: seconds (`responding.challenge`): a class or an office starting together stays below it.
START_ADDRESS_BURST = "30 per 10 minutes"
#: New responses to one open wave from one address at all: past it, starts are refused (429)
#: until the window ends. A panel behind one address uses invitation codes instead.
START_ADDRESS_LIMIT = "300 per hour"
#: Wrong passwords for one account from anywhere; past it the account is locked, the right
#: password included, until the window ends (at most 15 minutes after the first failure).
SIGN_IN_ACCOUNT_LIMIT = "10 per 15 minutes"
#: Wrong passwords from one address over every account (guessing many accounts at once).
SIGN_IN_ADDRESS_LIMIT = "30 per 15 minutes"

# The session field in which Flask-WTF keeps a browser's CSRF secret: random per browser session.
_CSRF_SESSION_FIELD = "csrf_token"


def keyed_hash(value: str) -> str:
    """A value that can be counted but not read back: HMAC-SHA256 with the app's secret key."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def address_key() -> str:
    """The client, as a keyed hash of its address."""
    return "address:" + keyed_hash(request.remote_addr or "")


def _wave() -> str:
    slug = str((request.view_args or {}).get("wave_slug", ""))
    return "wave:" + keyed_hash(slug)[:16]


def wave_address_key() -> str:
    """Attempts on one wave from one address."""
    return _wave() + ":" + address_key()


def wave_browser_key() -> str:
    """Attempts on one wave from one browser: its session's random CSRF secret, hashed. A
    request without one is refused by the CSRF check anyway; an empty key skips this limit."""
    secret = session.get(_CSRF_SESSION_FIELD)
    if not secret:
        return ""
    return _wave() + ":browser:" + keyed_hash(str(secret))


def account_key() -> str:
    """Sign-in attempts for the e-mail address typed, known or not (so a lock says nothing about
    which accounts exist); an empty e-mail skips this limit (the form refuses it)."""
    email = str(request.form.get("email") or "").strip().lower()[:254]
    return "account:" + keyed_hash(email) if email else ""


# What happens while the counters' store (Redis) is unreachable: Flask-Limiter skips the limits
# (RATELIMIT_SWALLOW_ERRORS), so citizens' pages keep working; a sign-in is refused instead
# (`store_reachable`), since unlimited password guesses are worse than a short wait. The store's
# failure is logged once a minute per process, not once per request.
STORE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
OUTAGE_LOG_INTERVAL_SECONDS = 60.0


def store_reachable() -> bool:
    """Whether the rate-limit counters can be kept (always, in memory)."""
    from consult.extensions import limiter

    try:
        return bool(limiter.storage.check())
    except Exception:  # noqa: BLE001  (any failure of the store means: not reachable)
        return False


class OutageLogFilter(logging.Filter):
    """Let one line about an unreachable store through per interval; drop the repeats (each
    request would log a traceback) and the traceback itself (it names the store's address)."""

    def __init__(self, interval: float = OUTAGE_LOG_INTERVAL_SECONDS) -> None:
        super().__init__()
        self.interval = interval
        self.last = -interval

    def filter(self, record: logging.LogRecord) -> bool:
        if "Swallowing error" not in record.getMessage():
            return True
        now = time.monotonic()
        if now - self.last < self.interval:
            return False
        self.last = now
        error = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else "error"
        record.msg = (
            "Rate-limit store unreachable (%s): limits are skipped and sign-ins refused until "
            "it answers again"
        )
        record.args = (error,)
        record.exc_info = None
        record.exc_text = None
        return True


def init_app() -> None:
    """Install the outage filter once on Flask-Limiter's logger."""
    logger = logging.getLogger("flask-limiter")
    if not any(isinstance(f, OutageLogFilter) for f in logger.filters):
        logger.addFilter(OutageLogFilter())
