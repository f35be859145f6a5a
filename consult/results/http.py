"""Conditional answers for the results: a page, download or API answer carries the `ETag` of the
state its figures follow, and a repeat request with that tag gets 304 without any work."""

from __future__ import annotations

import hashlib

from flask import Response, request

from consult.results.service import ResultsState


def etag_of(state: ResultsState, variant: str = "") -> str:
    """The state's tag; with a `variant` (format, grouping, language of a download whose URL
    does not say them all) a tag of its own, so one variant is never taken for another."""
    if not variant:
        return state.etag
    return hashlib.sha256(f"{state.etag}|{variant}".encode()).hexdigest()[:32]


def not_modified(state: ResultsState, variant: str = "") -> Response | None:
    """A 304 when the client already holds the answer for this state, else None."""
    etag = etag_of(state, variant)
    if etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(etag)
        return response
    return None


def tagged(response: Response, state: ResultsState, variant: str = "") -> Response:
    """The answer with the state's tag; readers revalidate before reusing it, since a new
    response can change any figure (public waves are cacheable, unpublished ones private)."""
    response.set_etag(etag_of(state, variant))
    response.headers["Cache-Control"] = "no-cache"
    return response
