"""Conditional answers for the results: a page, download or API answer carries the `ETag` of the
state its figures follow, and a repeat request with that tag gets 304 without any work."""

from __future__ import annotations

from flask import Response, request

from consult.results.service import ResultsState


def not_modified(state: ResultsState) -> Response | None:
    """A 304 when the client already holds the answer for this state, else None."""
    if state.etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(state.etag)
        return response
    return None


def tagged(response: Response, state: ResultsState) -> Response:
    """The answer with the state's tag; readers revalidate before reusing it, since a new
    response can change any figure (public waves are cacheable, unpublished ones private)."""
    response.set_etag(state.etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
