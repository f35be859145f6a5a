"""Against ballot stuffing on open waves: starts counted per address, and a short wait once they
burst.

Every new response on a wave counts against the address it came from (as a keyed hash, in the
rate limiter's storage: no address is stored). Below `START_ADDRESS_BURST` nothing happens: a
class or an office behind one router starts together without noticing. Past it, each further
start from that address waits `WAIT_SECONDS` on a page that explains why and offers a button:
no puzzle, no JavaScript, no time limit (WCAG 2.2.1), so it costs a person a few seconds once and
a script the same wait for every response. Past `START_ADDRESS_LIMIT` starts from the address
are refused for the rest of the window (429). Why a wait and not a proof of work or a question:
see SECURITY.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from flask import current_app, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse

from consult.extensions import limiter
from consult.models import Wave
from consult.rate_limits import (
    START_ADDRESS_BURST,
    START_ADDRESS_LIMIT,
    address_key,
    keyed_hash,
)

#: How long a start waits once the starts from its address burst.
WAIT_SECONDS = 10
#: How long the wait page's ticket stays good: long enough for anybody, then start over.
TICKET_LIFETIME = 30 * 60
_SALT = "consult.start-wait"


@dataclass(frozen=True)
class StartGate:
    """What a new start from this address needs now."""

    refused: bool = False  # over the ceiling: 429
    wait: int = 0  # seconds still to wait (0: go ahead)
    ticket: str | None = None  # the wait page's ticket, when it must wait


def now() -> float:
    return time.time()


T = TypeVar("T")


def _unless_store_down(action: Callable[[], T], otherwise: T) -> T:
    """`action` on the counters' store, or `otherwise` while it is unreachable: like every
    limit, these are skipped then (citizens keep answering), with one log line a minute
    (`rate_limits.OutageLogFilter` on Flask-Limiter's logger)."""
    try:
        return action()
    except Exception:  # noqa: BLE001  (any failure of the store means: not reachable)
        logging.getLogger("flask-limiter").error("Swallowing error", exc_info=True)
        return otherwise


def gate(wave: Wave, ticket: str | None) -> StartGate:
    """May a new response start on `wave` from this address, given the wait page's `ticket`?"""
    return _unless_store_down(lambda: _gate(wave, ticket), StartGate())


def _gate(wave: Wave, ticket: str | None) -> StartGate:
    key = _key(wave)
    strategy = limiter.limiter
    if not strategy.test(_limit("CONSULT_START_LIMIT", START_ADDRESS_LIMIT), key):
        return StartGate(refused=True)
    if strategy.test(_limit("CONSULT_START_BURST", START_ADDRESS_BURST), key):
        return StartGate()
    issued = _issued_at(wave, ticket)
    if issued is None:
        return StartGate(wait=WAIT_SECONDS, ticket=_ticket(wave))
    left = WAIT_SECONDS - int(now() - issued)
    return StartGate(wait=left, ticket=ticket) if left > 0 else StartGate()


def count_start(wave: Wave) -> None:
    """A new response started on `wave` from this address."""
    key = _key(wave)
    for name, default in (
        ("CONSULT_START_BURST", START_ADDRESS_BURST),
        ("CONSULT_START_LIMIT", START_ADDRESS_LIMIT),
    ):
        limit = _limit(name, default)
        _unless_store_down(partial(limiter.limiter.hit, limit, key), False)


def _limit(name: str, default: str) -> RateLimitItem:
    """The limit (tests and deployments may set another in the app's config)."""
    return parse(str(current_app.config.get(name) or default))


def _key(wave: Wave) -> str:
    return "start:wave:" + keyed_hash(wave.slug)[:16] + ":" + address_key()


def _browser() -> str:
    return keyed_hash(str(session.get("csrf_token") or ""))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_SALT)


def _ticket(wave: Wave) -> str:
    """A signed note of when this browser was asked to wait for this wave."""
    return _serializer().dumps({"wave": wave.slug, "browser": _browser(), "at": now()})


def _issued_at(wave: Wave, ticket: str | None) -> float | None:
    if not ticket or len(ticket) > 512:
        return None
    try:
        data: Any = _serializer().loads(ticket, max_age=TICKET_LIFETIME)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("wave") != wave.slug:
        return None
    if data.get("browser") != _browser() or not isinstance(data.get("at"), int | float):
        return None
    issued = float(data["at"])
    return issued if now() - issued < TICKET_LIFETIME else None


#: How long the per-minute counts of completes are kept (in the limiter's storage, never in the
#: database): long enough to see a burst on the monitoring page, short enough to link nothing.
BURST_MINUTES = 120


def count_complete(wave: Wave) -> None:
    """One more response to `wave` was sent in this minute (a count, no response, no address)."""
    key = _minute_key(wave.slug, int(now() // 60))
    _unless_store_down(lambda: limiter.storage.incr(key, expiry=BURST_MINUTES * 60), 0)


def recent_completes(wave: Wave) -> list[tuple[int, int]]:
    """(minutes ago, completes) of the minutes of the last `BURST_MINUTES` with any complete,
    busiest first."""
    minute = int(now() // 60)
    none: list[tuple[int, int]] = []
    counts = _unless_store_down(
        lambda: [
            (ago, limiter.storage.get(_minute_key(wave.slug, minute - ago)))
            for ago in range(BURST_MINUTES)
        ],
        none,
    )
    return sorted(((ago, count) for ago, count in counts if count), key=lambda c: (-c[1], c[0]))


def _minute_key(slug: str, minute: int) -> str:
    return f"completes:wave:{keyed_hash(slug)[:16]}:{minute}"
