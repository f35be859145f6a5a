"""Who may see and do what: every route of the app against every kind of visitor.

The matrix is generated from `app.url_map`, so a new route cannot be forgotten: a rule without an
entry in EXPECTATIONS, or with a URL argument EXAMPLES does not know, fails the test.

Expectation per route and visitor, documented here and nowhere else:
- anonymous visitors and citizens (a respondent's session) are sent to the sign-in form;
- researchers are refused (403): they use the results pages (they may still sign out);
- an organizer reaches their own consultation's objects and gets 404 for another's;
- admins reach everything; only admins manage users and read the audit log;
- the sign-in form is for everyone.

"Allowed" means the action ran: a page (200) or a redirect to the expected place, and for a
POST an audit line with result "ok". A 400 or 422 is never allowed. Each cell starts from the
same state (a savepoint rolled back after it, the visitor's session cookie restored), so the
order of the requests does not matter. Outcomes are status codes and redirect targets, never
page text, so translating the pages cannot break this test.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, func, select
from werkzeug.routing import Rule

from consult.extensions import db as database
from consult.extensions import limiter
from consult.models import (
    AuditEvent,
    SuggestionStatus,
    Theme,
    ThemeSuggestion,
    User,
    WaveMode,
)
from consult.organizing import queries as organizing_queries
from consult.organizing.question_sets import store_question_set
from surveys.loader import load_question_set
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, PASSWORD, SHIPPED, csrf_from

Access = Literal["anyone", "signed in", "staff", "staff object", "admin"]
VISITORS = ("anonymous", "citizen", "researcher", "organizer_a", "organizer_b", "admin")
ORGANIZER_A = "a@example.org"
TARGET = "target@example.org"  # an account the admin pages act on; never signs in

UPLOAD_SLUG = "upload-check"
UPLOAD = MINI.read_text().replace("slug: mini\n", f"slug: {UPLOAD_SLUG}\n")
MARGINS = "variable,category,share\nSEX,1,0.5\nSEX,2,0.5\n"

# One table of example values per URL argument name. `slug` names a consultation after /c/ and a
# wave after /w/: the path segment before it says which.
EXAMPLES: dict[str, Any] = {
    "slug": {"c": ["mini"], "w": ["mini-2026"]},
    "number": ["1"],
    "page_id": ["followup"],
    "page": ["1"],
    "fmt": ["yaml", "xlsx"],
    "action": ["open", "close", "publish", "unpublish"],
    "user_id": ["{target_id}"],
    "wave_slug": ["mini-2026"],
    "theme_id": ["{theme_id}"],
    "suggestion_id": ["{suggestion_id}"],
}
CODEBOOK = "code,name_nl,name_en,keywords\nSAFETY,Veiligheid,Safety,veilig; risico\n"
THEME = {"name_nl": "Natuur", "name_en": "Nature", "keywords": "natuur\nmilieu"}


@dataclass(frozen=True)
class Allowed:
    """What the route answers when the visitor may use it."""

    status: int
    to: str | None = None  # the path a redirect leads to
    form: Callable[[World], dict[str, Any]] | None = None  # minimal valid form data of a POST

    def outcome(self, method: str) -> str:
        return _outcome(self.status, self.to, ran=method == "POST")


def _confirm(_world: World) -> dict[str, Any]:
    return {}


EXPECTATIONS: dict[tuple[str, str], tuple[Access, Allowed]] = {
    ("GET", "/admin/login"): ("anyone", Allowed(200)),
    ("POST", "/admin/login"): (
        "anyone",
        Allowed(303, "/admin/", lambda w: {"email": ORGANIZER_A, "password": PASSWORD}),
    ),
    ("POST", "/admin/logout"): ("signed in", Allowed(303, "/admin/login", _confirm)),
    ("GET", "/admin/"): ("staff", Allowed(200)),
    ("POST", "/admin/upload"): (
        "staff",
        Allowed(
            303,
            f"/admin/c/{UPLOAD_SLUG}/v/1",
            lambda w: {"file": (io.BytesIO(UPLOAD.encode()), "set.yaml")},
        ),
    ),
    ("GET", "/admin/c/<slug>"): ("staff object", Allowed(200)),
    ("GET", "/admin/c/<slug>/v/<int:number>"): ("staff object", Allowed(200)),
    ("GET", "/admin/c/<slug>/v/<int:number>/preview"): ("staff object", Allowed(200)),
    ("GET", "/admin/c/<slug>/v/<int:number>/preview/<page_id>"): ("staff object", Allowed(200)),
    ("GET", "/admin/c/<slug>/v/<int:number>/export.<fmt>"): ("staff object", Allowed(200)),
    ("GET", "/admin/c/<slug>/diff"): ("staff object", Allowed(200)),
    ("POST", "/admin/c/<slug>/waves"): (
        "staff object",
        Allowed(
            303,
            "/admin/w/mini-2027",
            lambda w: {"slug": "mini-2027", "version": "1", "mode": "open", "min_cell_size": "5"},
        ),
    ),
    ("GET", "/admin/w/<slug>"): ("staff object", Allowed(200)),
    ("GET", "/admin/w/<slug>/identical"): ("staff object", Allowed(200)),
    ("POST", "/admin/w/<slug>/<action>"): (
        "staff object",
        Allowed(303, "/admin/w/mini-2026", _confirm),
    ),
    ("POST", "/admin/w/<slug>/version"): (
        "staff object",
        Allowed(303, "/admin/w/mini-2026", lambda w: {"version": "2"}),
    ),
    ("POST", "/admin/w/<slug>/settings"): (
        "staff object",
        Allowed(303, "/admin/w/mini-2026", lambda w: {"min_cell_size": "15"}),
    ),
    ("POST", "/admin/w/<slug>/margins"): (
        "staff object",
        Allowed(
            303,
            "/admin/w/mini-2026",
            lambda w: {"file": (io.BytesIO(MARGINS.encode()), "margins.csv")},
        ),
    ),
    ("POST", "/admin/w/<slug>/invitations"): (
        "staff object",
        Allowed(200, form=lambda w: {"count": "3", "output": "page"}),
    ),
    ("POST", "/admin/w/<slug>/invitations/revoke"): (
        "staff object",
        Allowed(303, "/admin/w/mini-2026", lambda w: {"code": ""}),
    ),
    ("GET", "/admin/c/<slug>/themes"): ("staff object", Allowed(200)),
    ("POST", "/admin/c/<slug>/themes"): (
        "staff object",
        Allowed(303, "/admin/c/mini/themes", lambda w: {"code": "NEW", **THEME}),
    ),
    ("GET", "/admin/c/<slug>/themes/<int:theme_id>"): ("staff object", Allowed(200)),
    ("POST", "/admin/c/<slug>/themes/<int:theme_id>"): (
        "staff object",
        Allowed(303, "/admin/c/mini/themes", lambda w: THEME),
    ),
    ("POST", "/admin/c/<slug>/themes/<int:theme_id>/remove"): (
        "staff object",
        Allowed(303, "/admin/c/mini/themes", _confirm),
    ),
    ("POST", "/admin/c/<slug>/themes/import"): (
        "staff object",
        Allowed(
            303,
            "/admin/c/mini/themes",
            lambda w: {"file": (io.BytesIO(CODEBOOK.encode()), "themes.csv")},
        ),
    ),
    ("GET", "/admin/c/<slug>/themes.csv"): ("staff object", Allowed(200)),
    ("POST", "/admin/c/<slug>/themes/suggest"): (
        "staff object",
        Allowed(303, "/admin/c/mini/themes", lambda w: {"wave": "mini-2026"}),
    ),
    ("POST", "/admin/c/<slug>/suggestions/<int:suggestion_id>/accept"): (
        "staff object",
        Allowed(
            303,
            "/admin/c/mini/themes",
            lambda w: {f"s{w.suggestion_id}-{k}": v for k, v in {"code": "NEW", **THEME}.items()},
        ),
    ),
    ("POST", "/admin/c/<slug>/suggestions/<int:suggestion_id>/reject"): (
        "staff object",
        Allowed(303, "/admin/c/mini/themes", _confirm),
    ),
    ("GET", "/admin/users"): ("admin", Allowed(200)),
    ("POST", "/admin/users"): (
        "admin",
        Allowed(200, form=lambda w: {"email": "nieuw@example.org", "role": "researcher"}),
    ),
    ("POST", "/admin/users/<int:user_id>/consultations"): (
        "admin",
        Allowed(303, "/admin/users", lambda w: {"consultations": [str(w.mini_id)]}),
    ),
    ("POST", "/admin/users/<int:user_id>/deactivate"): (
        "admin",
        Allowed(303, "/admin/users", _confirm),
    ),
    ("GET", "/admin/audit"): ("admin", Allowed(200)),
    ("GET", "/admin/account/tokens"): ("signed in", Allowed(200)),
    ("POST", "/admin/account/tokens"): (
        "signed in",
        Allowed(200, form=lambda w: {"name": "R script"}),
    ),
}


def expected(access: Access, visitor: str, allowed: str) -> str:
    if access == "anyone":
        return allowed
    if visitor in ("anonymous", "citizen"):
        return "login"
    if access == "signed in":
        return allowed
    if visitor == "researcher":
        return "403"
    if access == "admin":
        return allowed if visitor == "admin" else "403"
    if access == "staff object" and visitor == "organizer_b":
        return "404"
    return allowed


def _outcome(status: int, to: str | None, *, ran: bool) -> str:
    text = str(status) + (f" -> {to}" if to is not None else "")
    return text + (" (ran)" if ran else "")


# --------------------------------------------------------------------------- the URL map


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def fill(rule: Rule, problems: list[str], ids: dict[str, int]) -> list[str]:
    """Every path the examples make of a rule (database ids filled from `ids`); unknown
    arguments are added to `problems`."""
    choices: list[list[tuple[str, str]]] = []
    for match in ARGUMENT.finditer(rule.rule):
        name = match.group(1)
        values = EXAMPLES.get(name)
        if isinstance(values, dict):
            segment = rule.rule[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            values = values.get(segment)
        if not values:
            problems.append(f"{rule.rule}: no example value for <{name}> in EXAMPLES")
            return []
        choices.append([(match.group(0), value.format(**ids)) for value in values])
    paths = []
    for combination in itertools.product(*choices):
        path = rule.rule
        for placeholder, value in combination:
            path = path.replace(placeholder, value, 1)
        paths.append(path)
    return paths


def rules_of(app: Flask, blueprint: str) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(f"{blueprint}.")]


def signed_in_blueprints(app: Flask) -> set[str]:
    """Every blueprint but the citizens' one and the results' (readable by anyone once a wave is
    published; `test_results_access` holds their matrix) is behind the sign-in."""
    return set(app.blueprints) - {"public", "results", "api"}


# --------------------------------------------------------------------------- the visitors


@dataclass
class World:
    app: Flask
    connection: Connection
    clients: dict[str, FlaskClient]
    cookies: dict[str, str | None] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    target_id: int = 0
    mini_id: int = 0
    theme_id: int = 0
    suggestion_id: int = 0

    @property
    def ids(self) -> dict[str, int]:
        return {
            "target_id": self.target_id,
            "theme_id": self.theme_id,
            "suggestion_id": self.suggestion_id,
        }

    def request(self, visitor: str, method: str, path: str, data: dict[str, Any]) -> Any:
        """One request from the visitor's saved session, undone afterwards."""
        client = self.clients[visitor]
        cookie = self.cookies[visitor]
        if cookie is None:
            client.delete_cookie("session")
        else:
            client.set_cookie("session", cookie)
        limiter.reset()
        savepoint = self.connection.begin_nested()
        try:
            before = self.audited_ok()
            if method == "GET":
                reply = client.get(path)
            else:
                reply = client.post(path, data={"csrf_token": self.tokens[visitor], **data})
            return reply, self.audited_ok() > before
        finally:
            savepoint.rollback()

    def audited_ok(self) -> int:
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.result == "ok")
        return self.connection.scalar(query) or 0


def outcome(reply: Any, ran: bool) -> str:
    """'login' for the sign-in redirect (with the page to come back to), else the status and
    the redirect's path, and whether the action ran."""
    location = reply.headers.get("Location")
    if location is None:
        return _outcome(reply.status_code, None, ran=ran)
    target = urlsplit(location)
    signing_in = target.path == "/admin/login" and "next" in parse_qs(target.query)
    if reply.status_code == 302 and signing_in and not ran:
        return "login"
    return _outcome(reply.status_code, target.path, ran=ran)


@pytest.fixture
def world(app: Flask, load_set: Callable[..., str], logged_in, make_user) -> Iterator[World]:  # type: ignore[no-untyped-def]
    load_set(MINI)
    load_set(SHIPPED)
    with app.app_context():
        mini = organizing_queries.consultation_by_slug(database.session, "mini")
        assert mini is not None
        # A second version to move the wave to, and invitations for it to take.
        second = load_question_set(MINI.read_text().replace("Kleine consultatie", "Tweede versie"))
        store_question_set(database.session, second, dt.date.today())
        wave = organizing_queries.wave_by_slug(database.session, "mini-2026")
        assert wave is not None
        wave.mode = WaveMode.INVITE
        mini_id = mini.id
        # A theme of mini's codebook and an open suggestion, for the codebook pages to act on.
        theme = Theme(
            consultation_id=mini.id, code="OLD", name_nl="Oud", name_en="Old", keywords="oud"
        )
        suggestion = ThemeSuggestion(
            consultation_id=mini.id,
            wave_id=wave.id,
            terms="prijs\nbetaalbaar",
            size=12,
            status=SuggestionStatus.OPEN,
            created_on=dt.date.today(),
        )
        database.session.add_all([theme, suggestion])
        database.session.flush()
        theme_id, suggestion_id = theme.id, suggestion.id
        database.commit()
    make_user(TARGET, "organizer")
    citizen = app.test_client()
    Citizen(citizen, "biotech-2026", SHIPPED).start()
    clients = {
        "anonymous": app.test_client(),
        "citizen": citizen,
        "researcher": logged_in("researcher"),
        "organizer_a": logged_in("organizer", ("mini",), email=ORGANIZER_A),
        "organizer_b": logged_in("organizer", ("biotech",), email="b@example.org"),
        "admin": logged_in("admin"),
    }
    world = World(
        app,
        app.extensions["consult_db"].kw["bind"],
        clients,
        mini_id=mini_id,
        theme_id=theme_id,
        suggestion_id=suggestion_id,
    )
    with app.app_context():
        target = database.session.scalar(select(User).where(User.email == TARGET))
        assert target is not None
        world.target_id = target.id
    for visitor, client in clients.items():
        world.tokens[visitor] = csrf_from(client.get("/admin/login").get_data(as_text=True))
        cookie = client.get_cookie("session")
        world.cookies[visitor] = cookie.value if cookie else None
    yield world


def cells(
    app: Flask, blueprints: set[str], ids: dict[str, int]
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(method, rule, path) of every route of the blueprints, and what the tables lack."""
    problems: list[str] = []
    found = []
    for blueprint in sorted(blueprints):
        for rule in rules_of(app, blueprint):
            for method in methods(rule):
                if (method, rule.rule) not in EXPECTATIONS:
                    problems.append(f"{method} {rule.rule}: no entry in EXPECTATIONS")
                    continue
                found.extend((method, rule.rule, path) for path in fill(rule, problems, ids))
    return found, problems


def test_every_route_has_an_expectation_and_examples(app: Flask) -> None:
    routes, problems = cells(
        app, signed_in_blueprints(app), {"target_id": 1, "theme_id": 1, "suggestion_id": 1}
    )
    known = {(method, rule) for method, rule, _ in routes}
    stale = [
        f"{m} {r}: in EXPECTATIONS, not a route" for m, r in EXPECTATIONS if (m, r) not in known
    ]
    # A route outside the blueprints would be in neither check: say who may see it first. The
    # health checks are for load balancers: open to anyone, they tell nothing (test_health.py).
    loose = [
        f"{rule.rule}: outside any blueprint"
        for rule in app.url_map.iter_rules()
        if "." not in rule.endpoint and rule.endpoint not in {"static", "healthz", "readyz"}
    ]
    assert not problems + stale + loose, "\n".join(problems + stale + loose)
    # The examples reach the rule they were made for (e.g. not /w/<slug>/version for <action>).
    adapter = app.url_map.bind("localhost")
    for method, rule, path in routes:
        matched, _ = adapter.match(path, method=method, return_rule=True)
        assert matched.rule == rule, f"{method} {path} reaches {matched.rule}, not {rule}"


def test_access_matrix(world: World) -> None:
    routes, problems = cells(world.app, signed_in_blueprints(world.app), world.ids)
    assert not problems, "\n".join(problems)
    mismatches = []
    for method, rule, path in routes:
        access, allowed = EXPECTATIONS[(method, rule)]
        for visitor in VISITORS:
            want = expected(access, visitor, allowed.outcome(method))
            form = allowed.form(world) if allowed.form and method == "POST" else {}
            reply, ran = world.request(visitor, method, path, form)
            got = outcome(reply, ran)
            if got != want:
                mismatches.append(f"{visitor:12} {method} {path}: expected {want}, got {got}")
    assert not mismatches, "\n".join(mismatches)


ADMIN_PAGE = re.compile(r"/admin/(?:c|w|users|audit)\b")
PUBLIC_VISITORS = ("anonymous", "citizen", "organizer_a")


def test_public_routes_need_no_sign_in_and_show_no_admin_page(world: World) -> None:
    problems: list[str] = []
    paths = [
        (method, path)
        for rule in rules_of(world.app, "public")
        for method in methods(rule)
        for path in fill(rule, problems, world.ids)
    ]
    assert not problems, "\n".join(problems)
    assert paths
    failures = []
    for method, path in paths:
        for visitor in PUBLIC_VISITORS:
            reply, _ = world.request(visitor, method, path, {})
            location = urlsplit(reply.headers.get("Location", "")).path
            body = reply.get_data(as_text=True)
            if reply.status_code in (401, 403) or location.startswith("/admin"):
                failures.append(f"{visitor} {method} {path}: {reply.status_code} {location}")
            elif ADMIN_PAGE.search(body):
                failures.append(f"{visitor} {method} {path}: the page links to an admin page")
    assert not failures, "\n".join(failures)


def test_organizer_dashboard_lists_only_their_consultations(world: World) -> None:
    page_a = world.clients["organizer_a"].get("/admin/").get_data(as_text=True)
    page_b = world.clients["organizer_b"].get("/admin/").get_data(as_text=True)
    assert "/admin/c/mini" in page_a and "/admin/c/biotech" not in page_a
    assert "/admin/c/biotech" in page_b and "/admin/c/mini" not in page_b
