"""The JSON API (/api/v1): the same figures as `consult report`, labelled in the asked language,
for a wave or one item; problem details for every refusal; personal tokens for unpublished
waves; CORS only where the answer is public (its 304 too); ETag/304; a rate limit; and the
OpenAPI document checked by schemathesis."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.accounts.tokens import token_hash
from consult.extensions import db as database
from consult.extensions import limiter
from consult.models import ApiToken
from consult.organizing import queries as organizing_queries
from consult.results import service
from consult.results.api_schema import SCHEMAS
from tests.consult.conftest import MINI, SHIPPED, admin_token

WAVE = "biotech-2026"
ESTIMATES = f"/api/v1/waves/{WAVE}/estimates"
ITEMS = f"/api/v1/waves/{WAVE}/items"
TOKEN = re.compile(r"consult_[A-Za-z0-9_-]{20,}")


def publish(app: Flask, slug: str, published: bool = True) -> None:
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, slug)
        assert wave is not None
        wave.results_published = published
        database.commit()


def cli_report(app: Flask, tmp_path: Path, *args: str) -> dict[str, Any]:
    output = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(args=["report", "--wave", WAVE, "-o", str(output), *args])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(output.read_text())
    return report


def without_labels(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if not k.endswith("_label")} for row in rows]


def create_token(client: FlaskClient, name: str = "R script") -> str:
    page = "/admin/account/tokens"
    reply = client.post(page, data={"name": name, "csrf_token": admin_token(client, page)})
    assert reply.status_code == 200
    found = set(TOKEN.findall(reply.get_data(as_text=True)))
    assert len(found) == 1
    return found.pop()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(reply: Any, status: int) -> dict[str, Any]:
    assert reply.status_code == status
    assert reply.mimetype == "application/problem+json"
    body: dict[str, Any] = reply.get_json(force=True)
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    return body


# --------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("query", "cli_args"),
    [
        ("", ()),
        ("?by=KNOW_BIO", ("--by", "KNOW_BIO")),
        ("?by=SEX&mode=unweighted", ("--by", "SEX", "--unweighted")),
        ("?mode=fixed", ("--se", "fixed")),
    ],
)
def test_estimates_equal_consult_report(
    app: Flask, client: FlaskClient, simulated_wave: str, tmp_path: Path, query: str, cli_args
) -> None:  # type: ignore[no-untyped-def]
    publish(app, simulated_wave)
    reply = client.get(ESTIMATES + query)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    body = reply.get_json()
    expected = cli_report(app, tmp_path, *cli_args)
    assert body["available"] is True
    assert body["mode"] == expected["mode"] and body["by"] == expected["by"]
    assert without_labels(body["estimates"]) == expected["estimates"]
    assert body["subgroup_tests"] == expected["subgroup_tests"]
    weighting = {k: v for k, v in body["weighting"].items() if k != "variables"}
    assert weighting == expected["weighting"]
    assert [v["code"] for v in body["weighting"]["variables"]] == [
        "AGE_GROUP",
        "SEX",
        "EDUCATION",
        "PROVINCE",
    ]


def test_summary_equals_consult_report(
    app: Flask, client: FlaskClient, simulated_wave: str, tmp_path: Path
) -> None:
    publish(app, simulated_wave)
    body = client.get(f"/api/v1/waves/{WAVE}/summary?lang=en").get_json()
    expected = cli_report(app, tmp_path)
    first = body["applications"][0]
    assert without_labels([first["acceptance"]]) == [
        expected["summary"]["applications"][0]["acceptance"]
    ]
    assert first["application_label"] and first["application_label"] != first["application"]
    assert first["domain_label"] != first["domain"]
    assert first["conditions"][0]["condition_label"] != first["conditions"][0]["condition"]
    assert len(body["domains"]) == len(expected["summary"]["domains"])
    assert len(body["largest_subgroup_differences"]) == len(
        expected["largest_subgroup_differences"]
    )


def test_labels_in_dutch_and_english(app: Flask, client: FlaskClient, simulated_wave: str) -> None:
    publish(app, simulated_wave)

    def know_bio(lang: str) -> dict[str, Any]:
        rows = client.get(f"{ESTIMATES}?by=SEX&lang={lang}").get_json()["estimates"]
        return next(r for r in rows if r["item"] == "KNOW_BIO" and r["option"] == 1)

    nl, en = know_bio("nl"), know_bio("en")
    assert nl["item_label"] == "Hoeveel weet u over biotechnologie?"
    assert en["item_label"] == "How much do you know about biotechnology?"
    assert (nl["option_label"], en["option_label"]) == ("(Bijna) niets", "(Almost) nothing")
    assert nl["group"] == "SEX" and nl["group_label"] and nl["group_label"] != en["group_label"]
    assert nl["estimate"] == en["estimate"]


def test_wave_with_its_weighting_diagnostics(
    app: Flask, client: FlaskClient, simulated_wave: str, tmp_path: Path
) -> None:
    publish(app, simulated_wave)
    body = client.get(f"/api/v1/waves/{WAVE}?lang=en").get_json()
    expected = cli_report(app, tmp_path)["weighting"]
    assert body["results_available"] is True and body["published"] is True
    assert body["weighting"]["respondents"] == 600 == expected["respondents"]
    assert body["weighting"]["design_effect"] == expected["design_effect"]
    assert body["weighting"]["effective_n"] < 600
    sex = next(v for v in body["weighting"]["variables"] if v["code"] == "SEX")
    assert sex["label"] and sex["label"] != "SEX"
    assert body["links"]["estimates"] == ESTIMATES
    # The method in the language asked for, as `consult report` gives it in that language.
    assert body["method"] == cli_report(app, tmp_path, "--lang", "en")["method"]
    assert f"“{sex['label']}”" in body["method"]
    dutch = client.get(f"/api/v1/waves/{WAVE}?lang=nl").get_json()["method"]
    assert dutch == cli_report(app, tmp_path, "--lang", "nl")["method"] != body["method"]
    assert "gewogen naar hun antwoord op “Hoe oud bent u?”" in dutch


def test_the_wave_reads_only_its_design_kept_per_state(
    app: Flask, client: FlaskClient, simulated_wave: str
) -> None:
    """The weighting diagnostics need the weights, not the figures: no report is computed for
    them, and the kept design follows the counts (a new response, new diagnostics)."""
    publish(app, simulated_wave)
    service.clear()
    first = client.get(f"/api/v1/waves/{WAVE}").get_json()
    assert first["results_available"] is True and first["weighting"]["respondents"] == 600
    assert "De deelnemers zijn gewogen naar" in first["method"]
    assert not service.OVERVIEWS.values and not service.KEPT.values
    assert len(service.DESIGNS.values) == 1
    again = client.get(f"/api/v1/waves/{WAVE}?lang=en").get_json()
    assert again["weighting"]["design_effect"] == first["weighting"]["design_effect"]
    assert not service.OVERVIEWS.values and not service.KEPT.values
    assert len(service.DESIGNS.values) == 1  # the same state: the kept design
    more = app.test_cli_runner().invoke(
        args=["responses", "simulate", "--wave", WAVE, "-n", "3", "--seed", "8"]
    )
    assert more.exit_code == 0, more.output
    moved = client.get(f"/api/v1/waves/{WAVE}").get_json()
    assert moved["weighting"]["respondents"] == 603
    assert moved["weighting"]["design_effect"] != first["weighting"]["design_effect"]
    estimates = client.get(ESTIMATES).get_json()
    assert estimates["weighting"] == moved["weighting"]  # the report's design weighs alike


def test_a_wave_without_responses_says_why_it_has_no_figures(
    app: Flask, client: FlaskClient, load_set: Callable[..., str]
) -> None:
    load_set(MINI)
    publish(app, "mini-2026")
    body = client.get("/api/v1/waves/mini-2026/estimates").get_json()
    assert body["available"] is False and "no complete responses" in body["unavailable_reason"]
    assert body["estimates"] == []
    wave = client.get("/api/v1/waves/mini-2026").get_json()
    assert wave["results_available"] is False and wave["weighting"] is None
    assert "no complete responses" in wave["unavailable_reason"]


@pytest.mark.parametrize(
    ("code", "query"),
    [
        ("GEN_EFFECT", "?by=KNOW_BIO&lang=en"),  # a scale, by a question that is not weighted on
        ("TRUST", "?by=SEX&mode=fixed"),  # a battery: every row, by a weighting variable
        ("GOALS_2040", "?mode=unweighted"),  # a ranking: its average ranks
        ("INFO_SOURCES", "?by=EDUCATION"),  # several answers
    ],
)
def test_an_items_figures_are_its_rows_of_the_estimates(
    app: Flask, client: FlaskClient, simulated_wave: str, code: str, query: str
) -> None:
    publish(app, simulated_wave)
    reply = client.get(f"{ITEMS}/{code}{query}")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    body = reply.get_json()
    everything = client.get(ESTIMATES + query).get_json()
    codebook = client.get(f"/api/v1/waves/{WAVE}/codebook").get_json()
    entry = next(item for item in codebook["items"] if item["code"] == code)
    mine = {*entry["answer_codes"], code}

    def of_item(name: str) -> bool:
        return name in mine or name.startswith(code + ".")

    assert body["item"] == code and body["has_figures"] is True and body["available"] is True
    assert body["item_label"] == entry["text"][body["lang"]]
    assert body["type"] == entry["type"]
    assert (body["by"], body["by_label"], body["mode"]) == (
        everything["by"],
        everything["by_label"],
        everything["mode"],
    )
    assert body["estimates"] and body["estimates"] == [
        row for row in everything["estimates"] if of_item(row["item"])
    ]
    assert body["subgroup_tests"] == [
        test for test in everything["subgroup_tests"] if of_item(test["item"])
    ]
    if body["by"] and entry["type"] != "multiple":
        assert {test["item"] for test in body["subgroup_tests"]} == set(entry["answer_codes"])
    shown = next(row for row in body["estimates"] if not row["suppressed"])
    assert shown["item_label"] and shown["item_label"] != shown["item"]


def test_an_items_small_groups_are_suppressed(
    app: Flask, client: FlaskClient, simulated_wave: str
) -> None:
    """Per group of the breakdown: a group smaller than the wave's minimum shows no figure (not
    even its size), a large one its large cells; a suppressed figure is null, never a number."""
    publish(app, simulated_wave)
    path = f"{ITEMS}/GEN_EFFECT?by=KNOW_BIO&lang=en"
    sizes: dict[int, int] = {}
    for row in client.get(path).get_json()["estimates"]:  # a hidden row has no base either
        sizes[row["group_code"]] = max(sizes.get(row["group_code"], 0), row["base"] or 0)
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, WAVE)
        assert wave is not None
        wave.min_cell_size = 50
        database.commit()
    body = client.get(path).get_json()
    assert body["minimum_cell_size"] == 50 and "fewer than 50" in body["suppression_note"]
    groups: dict[int, list[dict[str, Any]]] = {}
    for row in body["estimates"]:
        groups.setdefault(row["group_code"], []).append(row)
        if row["suppressed"]:  # no figure, not even the base or df (df + 1 is the base)
            figures = ("estimate", "se", "ci_low", "ci_high", "n", "base", "df")
            assert [row[k] for k in figures] == [None] * 7
        else:
            assert row["estimate"] is not None and row["n"] >= 50
    small = [code for code, size in sizes.items() if size < 50]
    large = [code for code, size in sizes.items() if size >= 200]
    assert small and large and set(groups) == set(sizes)
    for code in small:
        assert all(row["suppressed"] and row["base"] is None for row in groups[code]), code
    for code in large:
        assert not all(row["suppressed"] for row in groups[code])
        assert any(row["suppressed"] for row in groups[code])  # its small cells
    rows = client.get(f"{ESTIMATES}?by=KNOW_BIO&lang=en").get_json()["estimates"]
    assert body["estimates"] == [row for row in rows if row["item"] == "GEN_EFFECT"]


def test_an_item_without_figures_and_a_wave_without_responses(
    app: Flask, client: FlaskClient, load_set: Callable[..., str]
) -> None:
    load_set(SHIPPED)
    publish(app, WAVE)
    body = client.get(f"{ITEMS}/OPEN_WORRIES?lang=en").get_json()
    assert body["has_figures"] is False and body["estimates"] == []
    assert (
        body["item_label"] == "Do you have any worries about biotechnology? If so, what are they?"
    )
    body = client.get(f"{ITEMS}/KNOW_BIO").get_json()
    assert body["available"] is False and "no complete responses" in body["unavailable_reason"]
    assert body["has_figures"] is True and body["estimates"] == []


def test_codebook(app: Flask, client: FlaskClient, load_set: Callable[..., str]) -> None:
    load_set()
    publish(app, "mini-2026")
    body = client.get("/api/v1/waves/mini-2026/codebook").get_json()
    know = next(item for item in body["items"] if item["code"] == "KNOW")
    assert know["text"]["en"] == "Do you know what biotechnology is?"
    assert know["options"][0] == {"code": 1, "label": {"nl": "Ja", "en": "Yes"}, "missing": None}
    assert know["waves"] == ["mini-2026"]
    sources = next(item for item in body["items"] if item["code"] == "SOURCES")
    assert sources["page_show_if"] == "KNOW == 1"


# --------------------------------------------------------------------------- problems


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("/api/v1/waves/no-such-wave", 404, None),
        ("/api/v1/waves/no-such-wave/estimates", 404, None),
        ("/api/v1/nothing-here", 404, None),
        (f"{ESTIMATES}?by=NOPE", 400, "by"),
        (f"{ESTIMATES}?by=INFO_SOURCES", 400, "by"),
        (f"{ESTIMATES}?mode=raked", 400, "mode"),
        (f"/api/v1/waves/{WAVE}/summary?lang=de", 400, "lang"),
        ("/api/v1/waves?lang=fr", 400, "lang"),
        (f"{ITEMS}/NOPE", 404, None),
        (f"{ITEMS}/TRUST_GOV?by=SEX", 404, None),  # a battery's row: the battery is the item
        ("/api/v1/waves/no-such-wave/items/SEX", 404, None),
        (f"{ITEMS}/GEN_EFFECT?by=NOPE", 400, "by"),
        (f"{ITEMS}/GEN_EFFECT?by=TRUST", 400, "by"),
        (f"{ITEMS}/GEN_EFFECT?by=GEN_EFFECT", 400, "by"),
        (f"{ITEMS}/GEN_EFFECT?mode=raked", 400, "mode"),
        (f"{ITEMS}/GEN_EFFECT?lang=de", 400, "lang"),
    ],
)
def test_bad_requests_are_problem_details(
    app: Flask, client: FlaskClient, load_set: Callable[..., str], path: str, status: int, parameter
) -> None:  # type: ignore[no-untyped-def]
    load_set(SHIPPED)
    publish(app, WAVE)
    body = assert_problem(client.get(path), status)
    if parameter:
        assert body["invalid_params"][0]["name"] == parameter


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Wave biotech-2026 has no item TRUST_GOV; its codebook lists the items."),
        ("nl", "Ronde biotech-2026 heeft geen vraag TRUST_GOV; het codeboek noemt alle vragen."),
    ],
)
def test_an_unknown_item_is_named_in_the_readers_language(
    app: Flask, client: FlaskClient, load_set: Callable[..., str], lang: str, words: str
) -> None:
    load_set(SHIPPED)
    publish(app, WAVE)
    assert assert_problem(client.get(f"{ITEMS}/TRUST_GOV?lang={lang}"), 404)["detail"] == words
    by_itself = assert_problem(client.get(f"{ITEMS}/SEX?by=SEX&lang={lang}"), 400)
    assert "SEX" in by_itself["invalid_params"][0]["reason"]


def test_a_wrong_method_is_a_problem_too(client: FlaskClient) -> None:
    reply = client.post("/api/v1/waves")
    assert_problem(reply, 405)
    assert "GET" in reply.headers["Allow"]


# --------------------------------------------------------------------------- tokens


def test_token_lifecycle(
    app: Flask, db: Session, load_set: Callable[..., str], logged_in, make_user
) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    researcher = logged_in("researcher", ("mini",), email="r@example.org")
    token = create_token(researcher, "laptop")
    page = researcher.get("/admin/account/tokens").get_data(as_text=True)
    assert "laptop" in page and token not in page  # shown once
    row = db.scalar(select(ApiToken).where(ApiToken.name == "laptop"))
    assert row is not None and row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.last_used_on is None
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/waves/mini-2026", headers=bearer(token)).status_code == 200
    db.expire_all()
    assert db.get(ApiToken, row.id).last_used_on is not None  # type: ignore[union-attr]
    listed = anonymous.get("/api/v1/waves", headers=bearer(token)).get_json()["waves"]
    assert [w["slug"] for w in listed] == ["mini-2026"]

    csrf = admin_token(researcher, "/admin/account/tokens")
    reply = researcher.post(
        "/admin/account/tokens", data={"token_id": str(row.id), "csrf_token": csrf}
    )
    assert reply.status_code == 303
    refused = anonymous.get("/api/v1/waves/mini-2026", headers=bearer(token))
    assert_problem(refused, 401)
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked on" in researcher.get("/admin/account/tokens?lang=en").get_data(as_text=True)
    # Someone else's token cannot be revoked from another account.
    other = logged_in("researcher", email="x@example.org")
    csrf = admin_token(other, "/admin/account/tokens")
    reply = other.post("/admin/account/tokens", data={"token_id": str(row.id), "csrf_token": csrf})
    assert reply.status_code == 404


def test_token_page_needs_its_csrf_token(logged_in) -> None:  # type: ignore[no-untyped-def]
    client = logged_in("researcher")
    client.application.config["WTF_CSRF_ENABLED"] = True
    reply = client.post("/admin/account/tokens", data={"name": "no csrf"})
    assert reply.status_code in (400, 422) and "consult_" not in reply.get_data(as_text=True)


@pytest.mark.parametrize("header", ["Bearer consult_forged", "Bearer ", "Basic abc", "Bearer x"])
def test_a_bad_token_is_401(client: FlaskClient, header: str) -> None:
    assert_problem(client.get("/api/v1/waves", headers={"Authorization": header}), 401)


def test_unpublished_wave_access_by_token(
    app: Flask, load_set: Callable[..., str], logged_in
) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    load_set(Path(__file__).parents[2] / "surveys" / "definitions" / "biotech-2026.yaml")
    publish(app, WAVE)
    tokens = {
        "researcher_member": create_token(logged_in("researcher", ("mini",), email="a@x.org")),
        "organizer_member": create_token(logged_in("organizer", ("mini",), email="b@x.org")),
        "researcher_other": create_token(logged_in("researcher", ("biotech",), email="c@x.org")),
        "admin": create_token(logged_in("admin", email="d@x.org")),
    }
    client = app.test_client()
    client.delete_cookie("session")
    problems = []
    for route in ("", "/estimates", "/summary", "/codebook", "/items/SEX", "/items/NOPE"):
        for slug, published in (("mini-2026", False), (WAVE, True)):
            path = f"/api/v1/waves/{slug}{route}"
            for name, token in [("anonymous", None), *tokens.items()]:
                limiter.reset()
                reply = client.get(path, headers=bearer(token) if token else {})
                want = 200 if published or name not in ("anonymous", "researcher_other") else 404
                if route == "/items/NOPE":
                    want = 404
                if reply.status_code != want:
                    problems.append(f"{name} {path}: {reply.status_code} not {want}")
                elif want == 404:
                    assert_problem(reply, 404)
                cors = reply.headers.get("Access-Control-Allow-Origin")
                if cors != ("*" if published and reply.status_code == 200 else None):
                    problems.append(f"{name} {path}: CORS {cors!r}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- HTTP


def test_etag_and_304(app: Flask, client: FlaskClient, simulated_wave: str) -> None:
    publish(app, simulated_wave)
    first = client.get(ESTIMATES)
    tag = first.headers["ETag"]
    again = client.get(ESTIMATES, headers={"If-None-Match": tag})
    assert again.status_code == 304 and not again.get_data()
    for path in ("/api/v1/waves", f"/api/v1/waves/{WAVE}/codebook", "/api/v1/openapi.json"):
        tagged = client.get(path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": tagged}).status_code == 304
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, WAVE)
        assert wave is not None
        wave.min_cell_size = 30  # other suppression: other figures
        database.commit()
    changed = client.get(ESTIMATES, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


#: The headers that say who may read an answer and how to keep it: a 304 repeats the 200's.
SHARED_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Vary",
    "Cache-Control",
    "ETag",
)


def test_a_304_carries_the_same_cors_and_cache_headers_as_the_200(
    app: Flask, client: FlaskClient, simulated_wave: str, load_set: Callable[..., str], logged_in
) -> None:  # type: ignore[no-untyped-def]
    """A browser revalidating a published wave's answer from another site gets CORS on the 304
    too; an unpublished wave's 304 (to a member's token) stays private and has none."""
    load_set(MINI)
    publish(app, simulated_wave)
    token = create_token(logged_in("researcher", ("mini",), email="r304@example.org"))
    member = app.test_client()
    paths = [
        ("", "/api/v1/waves"),
        ("", "/api/v1/openapi.json"),
        *((slug, f"/api/v1/waves/{slug}{route}")
          for slug, grouping in ((WAVE, "KNOW_BIO"), ("mini-2026", "KNOW"))
          for route in ("", "/estimates?by=SEX", "/summary", "/codebook",
                        f"/items/SEX?by={grouping}&lang=en")),
    ]  # fmt: skip
    for slug, path in paths:
        reader, headers = (member, bearer(token)) if slug == "mini-2026" else (client, {})
        first = reader.get(path, headers=headers)
        assert first.status_code == 200, path
        again = reader.get(path, headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"", path
        for name in SHARED_HEADERS:
            assert again.headers.get(name) == first.headers.get(name), (path, name)
        if slug == WAVE:
            assert again.headers["Access-Control-Allow-Origin"] == "*", path
            assert "ETag" in again.headers["Access-Control-Expose-Headers"]
            assert "Authorization" in again.headers["Vary"]
        elif slug:
            assert "Access-Control-Allow-Origin" not in again.headers, path
            assert "private" in again.headers["Cache-Control"], path


def test_a_preflight_never_lets_another_site_send_a_token(
    app: Flask, client: FlaskClient, load_set: Callable[..., str]
) -> None:
    """Public figures need no preflight (a plain GET); a page on another site that wants to send
    `Authorization` is refused by the browser, for every wave alike (published, unpublished or
    none), so the preflight tells nothing about an unpublished wave either."""
    load_set(MINI)
    load_set(SHIPPED)
    publish(app, WAVE)
    preflight = {
        "Origin": "https://elsewhere.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    answers = set()
    for slug in (WAVE, "mini-2026", "no-such-wave"):
        for route in ("", "/estimates", "/items/SEX"):
            reply = client.options(f"/api/v1/waves/{slug}{route}", headers=preflight)
            assert reply.status_code == 200 and "GET" in reply.headers["Allow"]
            assert not [
                name for name, _ in reply.headers.items() if name.startswith("Access-Control")
            ]
            answers.add((reply.status_code, reply.headers["Allow"], reply.get_data()))
    assert len(answers) == 1


def test_rate_limit_is_429_problem(app: Flask, client: FlaskClient) -> None:
    limiter.reset()
    for _ in range(120):
        assert client.get("/api/v1/waves").status_code == 200
    reply = client.get("/api/v1/waves")
    assert_problem(reply, 429)
    assert int(reply.headers["Retry-After"]) > 0
    # A token has its own allowance (and so does every other address).
    other = app.test_client()
    assert other.get("/api/v1/waves", environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 200


def test_the_rate_limit_keys_keep_no_address(app: Flask) -> None:
    from consult.results.api import _rate_key

    with app.test_request_context("/api/v1/waves", environ_base={"REMOTE_ADDR": "192.0.2.44"}):
        key = _rate_key()
    assert "192.0.2.44" not in key and key.startswith("api-address:")
    with app.test_request_context("/api/v1/waves", headers=bearer("consult_secret")):
        key = _rate_key()
    assert "consult_secret" not in key and token_hash("consult_secret")[:32] in key


def test_cors_only_on_public_answers(
    app: Flask, client: FlaskClient, load_set: Callable[..., str], logged_in
) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    assert client.get("/api/v1/waves").headers["Access-Control-Allow-Origin"] == "*"
    member = logged_in("researcher", ("mini",), email="m@example.org")
    reply = member.get("/api/v1/waves/mini-2026/codebook")
    assert reply.status_code == 200 and "Access-Control-Allow-Origin" not in reply.headers
    assert "private" in reply.headers["Cache-Control"]
    assert "Access-Control-Allow-Origin" not in member.get("/api/v1/waves").headers


# --------------------------------------------------------------------------- the contract


def test_every_api_route_is_documented(client: FlaskClient, app: Flask) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    rules = {
        re.sub(r"<([^>]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert set(document["paths"]) == rules
    assert set(document["components"]["schemas"]) == set(SCHEMAS)


#: Every check of what an answer must be. Not "schema-valid data is accepted": whether `by` names
#: a single-choice item depends on the wave's question set, which no static schema can say, so a
#: schema-valid request may rightly get 400.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


#: Items of every kind for the generated requests: one answer, a battery, a ranking, several
#: answers, a number, an open answer (no figures), the grouping itself (400 by KNOW_BIO).
ITEM_CODES = ("GEN_EFFECT", "TRUST", "GOALS_2040", "INFO_SOURCES", "SPEED_CARE", "OPEN_WORRIES",
              "KNOW_BIO")  # fmt: skip


def test_schemathesis_over_the_openapi_document(
    app: Flask, simulated_wave: str, load_set: Callable[..., str]
) -> None:
    """Generated requests (random and aimed at the published wave, its items, groupings and
    modes) get documented statuses and answers that match their schemas, never a server
    error."""
    load_set(MINI)  # an unpublished wave next to the published one
    publish(app, simulated_wave)
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    strategies = [schema.as_strategy()]
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p["name"] for p in document["paths"][operation.path]["get"]["parameters"]}
        if "wave" not in names:
            continue
        codes = ITEM_CODES if "code" in names else (None,)
        for query in ({}, {"by": "KNOW_BIO"}, {"by": "EDUCATION", "mode": "fixed"}, {"lang": "en"}):
            if set(query) <= names:
                strategies.append(
                    st.one_of(
                        operation.as_strategy(
                            path_parameters={"wave": WAVE, **({"code": code} if code else {})},
                            query=query or None,
                        )
                        for code in codes
                    )
                )

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    check()
