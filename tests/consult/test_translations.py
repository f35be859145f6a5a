"""Every interface word is translatable, and the Dutch catalogues translate every one of them.

Three kinds of checks:
- the templates hold no visible text outside `_()`/`ngettext()`/`{% trans %}`;
- `pybabel extract` (run in-process, as `make translations` runs it) finds no message that the
  Dutch catalogue lacks, none that it keeps without use, and placeholders agree;
- pages and messages come out in Dutch by default and in English on request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from jinja2 import Environment, nodes

from consult.app import create_app
from consult.config import Config
from surveys.catalogues import compile_stale
from surveys.messages import plural_message, render
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

#: The catalogues: (directory, gettext domain, extraction config, input directory).
CATALOGUES = [
    (ROOT / "consult" / "translations", "messages", "babel.cfg", "."),
    (ROOT / "surveys" / "translations", "surveys", "surveys/babel.cfg", "surveys"),
]

LETTER = re.compile(r"[^\W\d_]")
#: Attributes whose value a visitor sees or hears.
VISIBLE_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
#: Names that translate their arguments; the arguments of any other call are checked.
GETTEXT_NAMES = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
LoadSet = Callable[..., str]


# --------------------------------------------------------------------------- templates


MARKER = re.compile("\ue000(\\d+)\ue001")
#: Template data that is attribute syntax printed by a macro, not text.
ATTRIBUTES_ONLY = re.compile(r'^\s*([\w-]+="[^"]*"\s*)+$')
#: printf conversions in a format string (`'%.1f%%'|format(x)`), which are not words.
CONVERSION = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


class _VisibleText(HTMLParser):
    """Finds (line, text) of untranslated visible text and attributes in a template's markup,
    where each `{{ expression }}` stands as a marker; `expressions` holds their ASTs."""

    def __init__(self, expressions: list[nodes.Node]) -> None:
        super().__init__(convert_charrefs=True)
        self.expressions = expressions
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def _check(self, text: str, shown: str) -> None:
        line = self.getpos()[0]
        for marker in MARKER.finditer(text):
            for const in _literal_text(self.expressions[int(marker.group(1))]):
                if LETTER.search(CONVERSION.sub("", const.value)):
                    self.found.append((line + text[: marker.start()].count("\n"), const.value))
        words = MARKER.sub("", text)
        if LETTER.search(words) and not ATTRIBUTES_ONLY.match(words):
            at = line + words[: len(words) - len(words.lstrip())].count("\n")
            self.found.append((at, MARKER.sub("", shown).strip()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                tag == "input"
                and name == "value"
                and dict(attrs).get("type") in ("submit", "button", "reset")
            )
            if visible and value:
                self._check(value, f'{name}="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._check(data, data)


def _markup_with_markers(env: Environment, source: str) -> tuple[str, list[nodes.Node]]:
    """The template's own markup, each `{{ expression }}` replaced by a marker and every
    `{% %}`/`{# #}` removed (keeping line breaks, so lines still match), and
    `{% trans %}...{% endtrans %}` removed whole; plus the ASTs of the expressions."""
    out: list[str] = []
    expressions: list[nodes.Node] = []
    expression: list[str] | None = None
    in_trans = False
    expect_tag = False
    for _line, kind, value in env.lexer.tokeniter(source, None):
        if kind == "block_begin":
            expect_tag = True
        elif expect_tag and kind == "name":
            expect_tag = False
            in_trans = (in_trans or value == "trans") and value != "endtrans"
        if kind == "variable_begin":
            expression = []
        elif kind == "variable_end" and expression is not None:
            tree = env.parse("{{ " + " ".join(expression) + " }}")
            output = next(tree.find_all(nodes.Output))
            expressions.append(output.nodes[0])
            out.append(f"\ue000{len(expressions) - 1}\ue001" if not in_trans else "")
            expression = None
        elif expression is not None:
            if kind != "whitespace":
                expression.append(value)
            out.append("\n" * value.count("\n"))
        elif kind == "data" and not in_trans:
            out.append(value)
        else:
            out.append("\n" * value.count("\n"))
    return "".join(out), expressions


def _literal_text(node: nodes.Node) -> list[nodes.Const]:
    """String constants an expression would print as they are (not through gettext)."""
    if isinstance(node, nodes.Const):
        return [node] if isinstance(node.value, str) else []
    if isinstance(node, nodes.CondExpr):
        return _literal_text(node.expr1) + (_literal_text(node.expr2) if node.expr2 else [])
    if isinstance(node, nodes.Concat):
        return [const for part in node.nodes for const in _literal_text(part)]
    if isinstance(node, nodes.Filter) and node.node is not None:
        return _literal_text(node.node)
    if isinstance(node, nodes.Or | nodes.And):
        return _literal_text(node.left) + _literal_text(node.right)
    return []


def untranslated(source: str, env: Environment | None = None) -> list[tuple[int, str]]:
    """(line, text) of every piece of visible text in a template that is not translated."""
    env = env or Environment(extensions=["jinja2.ext.i18n"])  # noqa: S701 (only parsed)
    markup, expressions = _markup_with_markers(env, source)
    parser = _VisibleText(expressions)
    parser.feed(markup)
    parser.close()
    found = list(parser.found)
    # A sentence passed to a macro (a label, a hint) is shown by the macro.
    for call in env.parse(source).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name not in GETTEXT_NAMES:
            arguments = list(call.args) + [keyword.value for keyword in call.kwargs]
            found += [
                (arg.lineno, arg.value)
                for arg in arguments
                if isinstance(arg, nodes.Const)
                and isinstance(arg.value, str)
                and " " in arg.value.strip()
                and LETTER.search(arg.value)
            ]
    return sorted(found)


def test_the_checker_finds_untranslated_text() -> None:
    """The template check can fail: each kind of untranslated text is found, on its line."""
    source = "\n".join(
        [
            "{% extends 'base.html' %}",
            "<h1>{{ _('Fine') }}</h1>",
            "<p>Not translated</p>",
            '<nav aria-label="Main menu"></nav>',
            "{{ 'yes' if ok else _('no') }}",
            "{{ field(form.x, 'A hint in English') }}",
            "{% trans %}Translated block{% endtrans %} &nbsp; 12 – {{ n }} .",
            '<input type="submit" value="Send">',
            "<p inputmode=\"{{ 'numeric' }}\">{{ '%.1f%%'|format(x) }}</p>",
            "<p>{{ '%g minutes'|format(m) }}</p>",
            "<button value=\"next\">{{ _('Next') }}</button>",
        ]
    )
    assert untranslated(source) == [
        (3, "Not translated"),
        (4, 'aria-label="Main menu"'),
        (5, "yes"),
        (6, "A hint in English"),
        (8, 'value="Send"'),
        (10, "%g minutes"),
    ]


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_hold_no_untranslated_text(template: Path) -> None:
    problems = untranslated(template.read_text(encoding="utf-8"))
    where = template.relative_to(ROOT)
    assert not problems, "\n".join(f"{where}:{line}: {text!r}" for line, text in problems)


# --------------------------------------------------------------------------- catalogues


def _extract(tmp_path: Path, config: str, source: str, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    """The messages `make translations` would extract, by the same pybabel command."""
    monkeypatch.chdir(ROOT)
    template = tmp_path / "extracted.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", config, "--no-wrap", "-o", str(template), source]
    )
    with template.open("rb") as file:
        return read_po(file)


def _catalogue(directory: Path, domain: str, lang: str) -> Catalog:
    with (directory / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as file:
        return read_po(file, locale=lang, domain=domain)


def _forms(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


@pytest.mark.parametrize(("directory", "domain", "config", "source"), CATALOGUES)
def test_dutch_catalogue_translates_every_message(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    directory: Path,
    domain: str,
    config: str,
    source: str,
) -> None:
    extracted = _extract(tmp_path, config, source, monkeypatch)
    dutch = _catalogue(directory, domain, "nl")
    used = {_key(m.id) for m in extracted if m.id}
    assert len(used) > 10, "extraction found (almost) nothing: is the config right?"
    problems = []
    for message in extracted:
        if not message.id:
            continue
        entry = dutch.get(message.id)
        if entry is None:
            problems.append(f"missing: {_key(message.id)!r} ({message.locations[0][0]})")
            continue
        texts = _forms(entry.string)
        if entry.fuzzy or not texts or not all(text.strip() for text in texts):
            problems.append(f"not translated{' (fuzzy)' if entry.fuzzy else ''}: {entry.id!r}")
            continue
        wanted = {p for form in _forms(message.id) for p in PLACEHOLDER.findall(form)}
        given = [set(PLACEHOLDER.findall(text)) for text in texts]
        if set().union(*given) != wanted or any(not g <= wanted for g in given):
            problems.append(f"placeholders differ: {entry.id!r} -> {texts!r}")
    problems += [
        f"not used any more: {_key(m.id)!r}" for m in dutch if m.id and _key(m.id) not in used
    ]
    assert not problems, f"{directory.relative_to(ROOT)}/nl ({domain}):\n" + "\n".join(problems)


@pytest.mark.parametrize(("directory", "domain", "config", "source"), CATALOGUES)
def test_english_catalogue_has_the_same_messages_and_keeps_the_source_text(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    directory: Path,
    domain: str,
    config: str,
    source: str,
) -> None:
    """English is the source language: its catalogue lists every message with an empty msgstr
    (gettext then shows the msgid), or the msgid itself."""
    extracted = _extract(tmp_path, config, source, monkeypatch)
    english = _catalogue(directory, domain, "en")
    assert {_key(m.id) for m in english if m.id} == {_key(m.id) for m in extracted if m.id}
    for message in english:
        if message.id:
            texts = [text for text in _forms(message.string) if text]
            assert all(text in _forms(message.id) for text in texts), message.id


@pytest.mark.parametrize(("directory", "domain", "config", "source"), CATALOGUES)
def test_catalogues_pass_babels_checks(
    directory: Path, domain: str, config: str, source: str
) -> None:
    """Babel's own checks: python-format placeholders and the number of plural forms."""
    for lang in ("nl", "en"):
        catalogue = _catalogue(directory, domain, lang)
        errors = [(m.id, [str(e) for e in errs]) for m, errs in catalogue.check()]
        assert not errors, f"{lang}: {errors}"


# --------------------------------------------------------------------------- pages


def test_admin_login_is_dutch_first_and_english_on_request(client: FlaskClient) -> None:
    dutch = client.get("/admin/login").get_data(as_text=True)
    assert '<html lang="nl">' in dutch
    assert "<h1>Inloggen</h1>" in dutch and "Wachtwoord" in dutch
    assert "Sign in" not in dutch and "Password" not in dutch
    english = client.get("/admin/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "<h1>Sign in</h1>" in english and "Password" in english
    # The choice is remembered for the visit.
    assert "<h1>Sign in</h1>" in client.get("/admin/login").get_data(as_text=True)


def test_the_sign_in_request_of_a_protected_page_is_translated(client: FlaskClient) -> None:
    page = client.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert "Log in om deze pagina te openen." in page and "Please log in" not in page
    english = client.get("/admin/?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "Sign in to open this page." in english


def test_admin_pages_and_form_errors_follow_the_language(logged_in, load_set: LoadSet) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    dutch = organizer.get("/admin/c/mini").get_data(as_text=True)
    assert "Nieuwe ronde" in dutch and "Naam van de ronde" in dutch and "versie 1" in dutch
    assert "New wave" not in dutch
    english = organizer.get("/admin/c/mini?lang=en").get_data(as_text=True)
    assert "New wave" in english and "Wave name" in english and "version 1" in english
    # A service's refusal (WaveError) is shown in the organizer's language.
    page = organizer.get("/admin/c/mini?lang=nl").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    data = {"slug": "Mini 2027!", "version": "1", "mode": "open", "min_cell_size": "10"}
    refused = organizer.post("/admin/c/mini/waves", data={**data, "csrf_token": token.group(1)})
    assert refused.status_code == 422
    assert "kleine letters, cijfers en streepjes" in refused.get_data(as_text=True)


def test_error_pages_are_translated(client: FlaskClient) -> None:
    assert "Pagina niet gevonden" in client.get("/nope").get_data(as_text=True)
    assert "Page not found" in client.get("/nope?lang=en").get_data(as_text=True)


def test_language_switch_is_worded_in_the_language_it_switches_to(client: FlaskClient) -> None:
    dutch = client.get("/").get_data(as_text=True)
    assert 'lang="en" hreflang="en"' in dutch and "Read this page in English" in dutch
    english = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="nl" hreflang="nl"' in english and "Lees deze pagina in het Nederlands" in english


@pytest.fixture(scope="module")
def plain_app() -> Flask:
    return create_app(Config(database_url="sqlite://", secret_key="test", testing=True))


@pytest.mark.parametrize(
    ("lang", "one", "three"),
    [
        ("nl", "Ongeveer 1 minuut", "Ongeveer 3 minuten"),
        ("en", "About 1 minute", "About 3 minutes"),
    ],
)
def test_plural_forms_in_both_languages(plain_app: Flask, lang: str, one: str, three: str) -> None:
    template = '{{ ngettext("About %(num)s minute", "About %(num)s minutes", n) }}'
    with plain_app.test_request_context(f"/?lang={lang}"):
        plain_app.preprocess_request()
        assert render_template_string(template, n=1) == one
        assert render_template_string(template, n=3) == three


@pytest.mark.parametrize(
    ("lang", "one", "three"),
    [
        ("nl", "Kies ten hoogste 1 antwoord.", "Kies ten hoogste 3 antwoorden."),
        ("en", "Please choose at most 1 answer.", "Please choose at most 3 answers."),
    ],
)
def test_validation_plurals_in_both_languages(lang: str, one: str, three: str) -> None:
    def at_most(n: int) -> str:
        message = plural_message(
            "Please choose at most %(max)s answer.",
            "Please choose at most %(max)s answers.",
            "max",
            {"max": n},
        )
        return render(message, lang)

    assert (at_most(1), at_most(3)) == (one, three)


def test_translated_text_escapes_what_it_is_given(plain_app: Flask) -> None:
    """Autoescaping stays on for translated text: a parameter cannot inject markup."""
    with plain_app.test_request_context("/"):
        plain_app.preprocess_request()
        shown = render_template_string(
            '{{ _("Sign out (%(email)s)", email=email) }}', email="<b>x</b>"
        )
    assert shown == "Uitloggen (&lt;b&gt;x&lt;/b&gt;)"


def test_citizen_validation_error_is_dutch_by_default(
    client: FlaskClient, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    assert citizen.answer({"AGE": ["40"]}).status_code == 422
    assert "Kies uw antwoord op ‘" in citizen.html
    assert "Please choose" not in citizen.html


def test_consent_error_is_a_real_message_in_both_languages(
    client: FlaskClient, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.get(f"/c/{wave}")
    assert citizen.post(f"/c/{wave}/start", {}).status_code == 422
    assert "Vink het vakje aan als u wilt meedoen." in citizen.html
    citizen.get(f"/c/{wave}?lang=en")
    assert citizen.post(f"/c/{wave}/start", {}).status_code == 422
    assert "Tick the box if you want to take part." in citizen.html


def test_missing_or_stale_compiled_catalogues_are_compiled(tmp_path: Path) -> None:
    """A fresh clone has no .mo files: loading a catalogue compiles it, and again after its .po
    changes, but not when it is up to date."""
    source = ROOT / "consult" / "translations"
    for po in source.glob("*/LC_MESSAGES/messages.po"):
        copy = tmp_path / po.relative_to(source)
        copy.parent.mkdir(parents=True)
        copy.write_bytes(po.read_bytes())
    first = compile_stale(tmp_path, "messages")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in first) == [
        "en/LC_MESSAGES/messages.mo",
        "nl/LC_MESSAGES/messages.mo",
    ]
    assert compile_stale(tmp_path, "messages") == []
    dutch_po = tmp_path / "nl" / "LC_MESSAGES" / "messages.po"
    dutch_po.write_text(
        dutch_po.read_text(encoding="utf-8").replace(
            'msgstr "Verstuur mijn antwoorden"', 'msgstr "Verstuur nu"'
        ),
        encoding="utf-8",
    )
    later = dutch_po.stat().st_mtime + 10
    os.utime(dutch_po, (later, later))
    assert compile_stale(tmp_path, "messages") == [dutch_po.with_suffix(".mo")]
    dutch = Translations.load(str(tmp_path), ["nl"], domain="messages")
    assert dutch.gettext("Send my answers") == "Verstuur nu"
    assert dutch.ngettext("%(num)s item", "%(num)s items", 2) == "%(num)s onderdelen"
