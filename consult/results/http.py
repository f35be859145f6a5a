"""Conditional answers for the results: a page, download or API answer carries the `ETag` of the
state its figures follow, and a repeat request with that tag gets 304 without any work."""

from __future__ import annotations

from flask import Response, request

from consult.results.service import ResultsState


def etag(state: ResultsState, variant: str = "") -> str:
    """The state's tag; a `variant` (e.g. the page's language when no URL argument tells it)
    keeps two forms of one URL apart."""
    return f"{state.etag}-{variant}" if variant else state.etag


def not_modified(state: ResultsState, variant: str = "") -> Response | None:
    """A 304 when the client already holds the answer for this state, else None."""
    if etag(state, variant) in request.if_none_match:
        response = Response(status=304)
        response.set_etag(etag(state, variant))
        return response
    return None


def tagged(response: Response, state: ResultsState, variant: str = "") -> Response:
    """The answer with the state's tag; readers revalidate before reusing it, since a new
    response can change any figure (public waves are cacheable, unpublished ones private)."""
    response.set_etag(etag(state, variant))
    response.headers["Cache-Control"] = "no-cache"
    return response
