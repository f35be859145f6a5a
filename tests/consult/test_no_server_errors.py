"""No request makes a 500: every route of the app, with odd path values and odd form fields, as
a visitor and as a signed-in organizer, answers below 500 (a clear 4xx for what it refuses).

Hypothesis draws, for each example, one request per route and method: path values (numbers
beyond any column's range, negative, unicode, control characters, very long strings, the real
slugs so the deeper code runs), a query string and form fields named as the app's forms and
questions name them, with NUL bytes, long and unicode values, and a valid CSRF token, so the
forms' own validation is what is exercised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, ROOT, csrf_from

LoadSet = Callable[..., str]
#: Per example every route is requested once per method (about 60 requests): enough examples to
#: meet each route with many odd values while the whole test stays well under a minute.
EXAMPLES = 6
TEMPLATE_FIELD = re.compile(r'name="([A-Za-z_][\w.]*)"')
SLUGS = ["mini-2026", "mini", "biotech-2026"]

odd_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["", "\x00", "a\x00b", "\n", "ä" * 400, "x" * 5000, "../..", "%", "1e309"]),
    st.integers(-(2**70), 2**70).map(str),
)
numbers = st.one_of(
    st.integers(0, 10),
    st.sampled_from([2**31 - 1, 2**31, 2**63, 10**30]),
    st.integers(-(2**40), 2**70),
)


def field_names() -> list[str]:
    """The names the app's templates give their inputs, and the mini set's question codes."""
    names = {
        name
        for template in (ROOT / "templates").rglob("*.html")
        for name in TEMPLATE_FIELD.findall(template.read_text(encoding="utf-8"))
    }
    codes = re.findall(r"code: ([A-Z][A-Z_]+)", Path(MINI).read_text(encoding="utf-8"))
    return sorted(names | set(codes) | {"next", "lang", "page", "action"})


def path_value(rule: Rule, name: str) -> st.SearchStrategy[str]:
    converter = type(rule._converters[name]).__name__
    if "Number" in converter or "Integer" in converter:
        return numbers.map(str)
    if converter == "PathConverter":
        return st.one_of(st.sampled_from(["style.css", "../app.py"]), odd_text)
    known = {"fmt": ["csv", "xlsx", "yaml", "json", "zip"], "action": ["open", "close", "x"]}
    return st.one_of(st.sampled_from(known.get(name, SLUGS)), odd_text)


def url_for_rule(data: st.DataObject, rule: Rule) -> str:
    path = rule.rule
    for name in rule.arguments:
        value = data.draw(path_value(rule, name), label=f"{rule.rule}:{name}")
        path = re.sub(rf"<(?:[^:>]+:)?{name}>", quote(value, safe="") or "x", path)
    query = data.draw(st.dictionaries(st.sampled_from(["lang", "code", "next", "q"]), odd_text))
    return path + ("?" + urlencode(query) if query else "")


def check_every_route(app: Flask, client: FlaskClient, data: st.DataObject) -> None:
    names = field_names()
    form = st.dictionaries(st.sampled_from(names), st.lists(odd_text, max_size=3), max_size=8)
    Citizen(client, "mini-2026", MINI).start()  # a response in progress: its pages run too
    # The routes that let go of the response come last, so the others meet it.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (lets_go(r), r.rule)):
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if rule.rule == "/admin/logout":
                continue  # it works with anything; the rest of the example stays signed in
            url = url_for_rule(data, rule)
            if method == "GET":
                reply = client.get(url)
            else:
                fields = data.draw(form, label=f"form {rule.rule}")
                reply = client.post(url, data={**fields, "csrf_token": current_token(client)})
            assert reply.status_code < 500, (method, url, reply.status_code)
            reply.close()


def lets_go(rule: Rule) -> bool:
    return rule.rule.endswith(("/again", "/forget"))


def current_token(client: FlaskClient) -> str:
    """A CSRF token of the client's session now (forgetting a device draws a new secret)."""
    return csrf_from(client.get("/c/mini-2026/resume").get_data(as_text=True))


def fuzzing_client(app: Flask, load_set: LoadSet, make_client: Callable[[], FlaskClient]) -> Any:
    """The client of this test's examples, made at the first, with the mini wave loaded."""
    client = app.extensions.get("fuzzing client")
    if client is None:
        load_set(MINI)
        client = make_client()
        app.extensions["fuzzing client"] = client
    return client


EXAMPLE_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the assertion names the request
)


@EXAMPLE_SETTINGS
@given(data=st.data())
def test_no_route_answers_a_visitor_with_a_server_error(
    app: Flask, load_set: LoadSet, data: st.DataObject
) -> None:
    check_every_route(app, fuzzing_client(app, load_set, app.test_client), data)


@EXAMPLE_SETTINGS
@given(data=st.data())
def test_no_route_answers_an_organizer_with_a_server_error(
    app: Flask, load_set: LoadSet, logged_in: Callable[..., FlaskClient], data: st.DataObject
) -> None:
    def organizer() -> FlaskClient:
        return logged_in("organizer", ("mini",))

    check_every_route(app, fuzzing_client(app, load_set, organizer), data)
