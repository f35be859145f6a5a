"""Who may read which results: every route of the `results` and `api` blueprints, for every kind
of visitor, on a published and an unpublished wave.

The routes come from `app.url_map`, so a new route without an entry in `EXPECTATIONS` (or a URL
argument `EXAMPLES` does not know) fails the test. The rules, documented here and nowhere else:
- a published wave's results are public: every visitor reads them (200);
- an unpublished wave's results exist only for its consultation's members (researchers and
  organizers) and admins; anyone else gets 404, as for a wave that does not exist;
- respondent-level data ("microdata") only ever for the consultation's researchers: 404 for
  everyone else, published or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db as database
from consult.extensions import limiter
from consult.organizing import queries as organizing_queries
from tests.consult.conftest import MINI, PASSWORD, SHIPPED, csrf_from

Access = Literal["public", "members", "researchers"]

#: (method, rule) -> who reads it; rules without a <wave> argument are read by everyone.
EXPECTATIONS: dict[tuple[str, str], Access] = {
    ("GET", "/results/"): "public",
    ("GET", "/results/<wave>"): "public",
    ("GET", "/results/<wave>/items/<code>"): "public",
    ("GET", "/results/<wave>/codebook"): "public",
    ("GET", "/results/<wave>/downloads"): "public",
    ("GET", "/results/<wave>/downloads/estimates.<fmt>"): "public",
    ("GET", "/results/<wave>/downloads/package.zip"): "public",
    ("GET", "/results/<wave>/downloads/microdata.<fmt>"): "researchers",
    ("GET", "/results/<wave>/report.<kind>"): "public",
    ("GET", "/results/<wave>/downloads/themes.csv"): "public",
    ("GET", "/results/<wave>/answers"): "researchers",
    ("GET", "/api/v1/openapi.json"): "public",
    ("GET", "/api/v1/waves"): "public",
    ("GET", "/api/v1/waves/<wave>"): "public",
    ("GET", "/api/v1/waves/<wave>/estimates"): "public",
    ("GET", "/api/v1/waves/<wave>/summary"): "public",
    ("GET", "/api/v1/waves/<wave>/codebook"): "public",
    ("GET", "/api/v1/waves/<wave>/items/<code>"): "public",
}

#: Example values of URL arguments other than the wave.
EXAMPLES: dict[str, str] = {
    "code": "SEX",  # an item both the shipped set and mini ask
    "fmt": "csv",
    "kind": "html",  # the report (its PDF is the same document laid out: test_report_document)
}

VISITORS = ("anonymous", "researcher_member", "researcher_other", "organizer_member", "admin")
MEMBERS = {"researcher_member", "organizer_member", "admin"}


def expected(access: Access, visitor: str, published: bool) -> int:
    if access == "researchers":
        # The wave's own researchers: mini's (unpublished) or biotech's (published).
        own = "researcher_other" if published else "researcher_member"
        return 200 if visitor == own else 404
    return 200 if published or visitor in MEMBERS else 404


def routes(app: Flask) -> Iterator[tuple[str, str]]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("results", "api"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


@pytest.fixture
def visitors(app: Flask, load_set: Callable[..., str], logged_in) -> dict[str, FlaskClient]:  # type: ignore[no-untyped-def]
    """Biotech's wave published, mini's not; members of mini and one of biotech only."""
    load_set(MINI)
    load_set(SHIPPED)
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, "biotech-2026")
        assert wave is not None
        wave.results_published = True
        database.commit()
    return {
        "anonymous": app.test_client(),
        "researcher_member": logged_in("researcher", ("mini",), email="r@example.org"),
        "researcher_other": logged_in("researcher", ("biotech",), email="o@example.org"),
        "organizer_member": logged_in("organizer", ("mini",), email="m@example.org"),
        "admin": logged_in("admin"),
    }


def test_every_results_route_has_an_expectation(app: Flask) -> None:
    missing = [f"{m} {r}" for m, r in routes(app) if (m, r) not in EXPECTATIONS]
    assert not missing, "no entry in EXPECTATIONS for: " + ", ".join(missing)


def test_results_access_matrix(app: Flask, visitors: dict[str, FlaskClient]) -> None:
    problems = []
    for method, rule in routes(app):
        access = EXPECTATIONS[(method, rule)]
        for published, wave in ((True, "biotech-2026"), (False, "mini-2026")):
            if "<wave>" not in rule and not published:
                continue
            path = rule.replace("<wave>", wave)
            for name, value in EXAMPLES.items():
                path = path.replace(f"<{name}>", value)
            assert "<" not in path, f"{rule}: add an example for its arguments to EXAMPLES"
            for visitor in VISITORS:
                limiter.reset()
                reply = visitors[visitor].open(path, method=method)
                want = expected(access, visitor, published)
                if reply.status_code != want:
                    problems.append(f"{method} {path} as {visitor}: {reply.status_code} not {want}")
    assert not problems, "\n".join(problems)


def test_an_unpublished_wave_is_listed_only_for_its_members(
    visitors: dict[str, FlaskClient],
) -> None:
    anonymous = visitors["anonymous"].get("/results/").get_data(as_text=True)
    assert "biotech-2026" in anonymous and "mini-2026" not in anonymous
    member = visitors["researcher_member"].get("/results/?lang=nl").get_data(as_text=True)
    assert "mini-2026" in member and "nog niet gepubliceerd" in member
    other = visitors["researcher_other"].get("/results/").get_data(as_text=True)
    assert "mini-2026" not in other


def test_a_researcher_lands_on_the_results_after_signing_in(
    app: Flask,
    make_user,  # type: ignore[no-untyped-def]
) -> None:
    make_user("land@example.org", "researcher")
    client = app.test_client()
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    reply = client.post(
        "/admin/login",
        data={"email": "land@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/results/")
