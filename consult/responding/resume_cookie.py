"""What a citizen's browser keeps of a response: its resume code, in a cookie of its own.

Not in Flask's session cookie, which holds a staff sign-in: a citizen's response never stretches
a staff session (that cookie ends with the browser), and signing out never loses a response.
One cookie per wave, sent only to that wave's pages (path /c/<wave>), signed with the app's
secret. It lives no longer than the response needs: until the wave's closing date, at most
`LONGEST`; once the response is sent the code is dropped and the cookie only says that this
browser finished (so the back button leads to the thank-you page, and the start page does not
silently begin a second response). `forget_response` removes the cookie altogether.

The resume code of a response started in a browser is derived from that browser's session
secret (`browser_token`), so parallel clicks on start meet on one response; forgetting the
device draws a new session secret, so the next start is a new response.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from consult.models import Wave
from consult.responding.tokens import RESUME_TOKEN_BYTES, token_from_bytes

LONGEST = dt.timedelta(days=30)
_SALT = "consult.resume-code"
# The session field in which Flask-WTF keeps a browser's CSRF secret: random per browser session.
_BROWSER_SECRET_FIELD = "csrf_token"  # noqa: S105 (a field name, not a secret)


@dataclass(frozen=True)
class KeptResponse:
    """The browser's hold on its response to one wave."""

    token: str | None = None  # the resume code, while the response is in progress
    started_at: float | None = None  # when this browser started it (for the completion time)
    done: bool = False  # sent from this browser


def kept_response(wave: Wave) -> KeptResponse:
    """What this browser keeps for `wave` (nothing when the cookie is missing, forged or older
    than `LONGEST`), including a change made earlier in this request."""
    changed: dict[str, tuple[Wave, KeptResponse]] = g.get("kept_responses", {})
    if wave.slug in changed:
        return changed[wave.slug][1]
    raw = request.cookies.get(_cookie_name(wave))
    if not raw:
        return KeptResponse()
    try:
        data: Any = _serializer().loads(raw, max_age=int(LONGEST.total_seconds()))
    except BadSignature:
        return KeptResponse()
    if not isinstance(data, dict):
        return KeptResponse()
    token, started_at = data.get("token"), data.get("started_at")
    return KeptResponse(
        token=token if isinstance(token, str) else None,
        started_at=float(started_at) if isinstance(started_at, int | float) else None,
        done=data.get("done") is True,
    )


def keep_response(wave: Wave, kept: KeptResponse) -> None:
    """Change what the browser keeps for `wave`; the cookie is written with the response."""
    g.setdefault("kept_responses", {})[wave.slug] = (wave, kept)


def forget_response(wave: Wave) -> None:
    """This device lets go of its response to `wave`: the cookie is removed and the session's
    secret drawn anew, so nothing left in this browser leads to the response or its code."""
    keep_response(wave, KeptResponse())
    session.pop(_BROWSER_SECRET_FIELD, None)


def browser_token(wave: Wave) -> str | None:
    """The resume code a response started in this browser session gets: a keyed hash of the
    session's random secret (160 bits), so that only the server can derive it, and only while
    the session lasts. None without a session secret (a fresh random code is used then)."""
    secret = session.get(_BROWSER_SECRET_FIELD)
    if not secret:
        return None
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"resume-code\0{wave.slug}\0{secret}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return token_from_bytes(digest[:RESUME_TOKEN_BYTES])


def write_kept_responses(response: Response) -> Response:
    """Set the cookie of every wave whose kept response changed in this request (and remove it
    where the device forgot its response)."""
    changed: dict[str, tuple[Wave, KeptResponse]] = g.pop("kept_responses", {})
    for wave, kept in changed.values():
        if kept == KeptResponse():
            response.delete_cookie(
                _cookie_name(wave),
                path=f"/c/{wave.slug}",
                secure=current_app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
            continue
        response.set_cookie(
            _cookie_name(wave),
            _serializer().dumps(
                {"token": kept.token, "started_at": kept.started_at, "done": kept.done}
            ),
            expires=_expiry(wave),
            path=f"/c/{wave.slug}",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


def _expiry(wave: Wave) -> dt.datetime:
    """The end of the wave's closing date (the server's local time), at most `LONGEST` away."""
    latest = dt.datetime.now(dt.UTC) + LONGEST
    if wave.closes_on is None:
        return latest
    end = dt.datetime.combine(wave.closes_on + dt.timedelta(days=1), dt.time()).astimezone()
    return min(latest, end)


def _cookie_name(wave: Wave) -> str:
    return f"response-{wave.slug}"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_SALT)
