"""Who may see and do what in the admin: the whole matrix of routes and roles.

Expectation per route and visitor, documented here and nowhere else:
- anonymous visitors and citizens (a respondent's session) are sent to the sign-in form;
- researchers are refused (403): they use the results pages;
- an organizer reaches their own consultation's objects and gets 404 for another's;
- admins reach everything; only admins manage users and read the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, SHIPPED, csrf_from

LOGIN = "login"
OK = 200
OTHER = 404
FORBIDDEN = 403

# (method, path, what an organizer of the object gets, admin only?)
ROUTES: list[tuple[str, str, int, bool]] = [
    ("GET", "/admin/", OK, False),
    ("GET", "/admin/users", FORBIDDEN, True),
    ("GET", "/admin/audit", FORBIDDEN, True),
    ("GET", "/admin/c/mini", OK, False),
    ("GET", "/admin/c/mini/v/1", OK, False),
    ("GET", "/admin/c/mini/v/1/preview", OK, False),
    ("GET", "/admin/c/mini/v/1/preview/closing", OK, False),
    ("GET", "/admin/c/mini/v/1/export.yaml", OK, False),
    ("GET", "/admin/c/mini/diff?from=1&to=1", OK, False),
    ("GET", "/admin/w/mini-2026", OK, False),
    ("POST", "/admin/c/mini/waves", OK, False),
    ("POST", "/admin/w/mini-2026/close", OK, False),
    ("POST", "/admin/w/mini-2026/publish", OK, False),
    ("POST", "/admin/w/mini-2026/version", OK, False),
    ("POST", "/admin/w/mini-2026/margins", OK, False),
    ("POST", "/admin/w/mini-2026/invitations", OK, False),
    ("POST", "/admin/w/mini-2026/invitations/revoke", OK, False),
]

VISITORS = ["anonymous", "citizen", "researcher", "organizer_a", "organizer_b", "admin"]


def expected(visitor: str, owner_gets: int, admin_only: bool, dashboard: bool) -> int | str:
    if visitor in ("anonymous", "citizen"):
        return LOGIN
    if visitor == "researcher":
        return FORBIDDEN
    if visitor == "admin":
        return OK
    if admin_only:
        return FORBIDDEN
    if visitor == "organizer_b" and not dashboard:
        return OTHER
    return owner_gets


@pytest.fixture
def visitors(app: Flask, load_set: Callable[..., str], logged_in) -> dict[str, FlaskClient]:  # type: ignore[no-untyped-def]
    load_set(MINI)
    load_set(SHIPPED)
    citizen = app.test_client()
    Citizen(citizen, "mini-2026", MINI).start()
    return {
        "anonymous": app.test_client(),
        "citizen": citizen,
        "researcher": logged_in("researcher"),
        "organizer_a": logged_in("organizer", ("mini",), email="a@example.org"),
        "organizer_b": logged_in("organizer", ("biotech",), email="b@example.org"),
        "admin": logged_in("admin"),
    }


def outcome(client: FlaskClient, method: str, path: str) -> int | str:
    if method == "GET":
        reply = client.get(path)
    else:
        # A real CSRF token, so the access check (not CSRF) decides; the body may be incomplete.
        token = csrf_from(client.get("/admin/login").get_data(as_text=True))
        reply = client.post(path, data={"csrf_token": token})
    if reply.status_code in (302, 303) and "/admin/login" in reply.headers["Location"]:
        return LOGIN
    if reply.status_code in (302, 303, 400, 422):
        return OK  # allowed in: redirected back or told what is missing from the form
    return reply.status_code


def test_access_matrix(visitors: dict[str, FlaskClient]) -> None:
    mismatches = []
    for method, path, owner_gets, admin_only in ROUTES:
        for visitor in VISITORS:
            want = expected(visitor, owner_gets, admin_only, dashboard=path == "/admin/")
            got = outcome(visitors[visitor], method, path)
            if got != want:
                mismatches.append(f"{visitor:12} {method} {path}: expected {want}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def test_organizer_dashboard_lists_only_their_consultations(
    visitors: dict[str, FlaskClient],
) -> None:
    page_a = visitors["organizer_a"].get("/admin/").get_data(as_text=True)
    page_b = visitors["organizer_b"].get("/admin/").get_data(as_text=True)
    assert "/admin/c/mini" in page_a and "/admin/c/biotech" not in page_a
    assert "/admin/c/biotech" in page_b and "/admin/c/mini" not in page_b
