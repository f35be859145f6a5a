"""The results pages (blueprint `results`): the public and a consultation's researchers read a
wave's figures. A wave is readable when published, else only by its consultation's members and
admins (404 for anyone else, so an unpublished wave's existence is not revealed)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask_login import current_user

from consult.accounts import permissions
from consult.blueprints import results
from consult.extensions import db
from consult.models import User, Wave
from consult.results import queries


def reader() -> User | None:
    """The signed-in user, or None for an anonymous visitor."""
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


def readable_wave(slug: str) -> Wave:
    """The wave `slug` if the reader may see its results; 404 otherwise."""
    wave = queries.wave_by_slug(db.session, slug)
    if wave is None or not permissions.can_read_results(reader(), wave):
        abort(404)
    return wave


@results.get("/")
def index() -> Any:
    """Published waves, and for a signed-in member the unpublished waves they may read."""
    return render_template("results/index.html", waves=queries.readable_waves(db.session, reader()))
