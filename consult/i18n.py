"""The language of each visitor, and the gettext catalogues of the web app (Flask-Babel).

Every interface word is an English msgid marked with `_`/`gettext`/`ngettext` (templates) or
`gettext`/`lazy_gettext` (Python); the Dutch texts live in
`consult/translations/nl/LC_MESSAGES/messages.po` (see README, "Translations"). Dutch comes first:
it is the language of a visitor who has not chosen one and whose browser does not ask for English.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request, session, url_for
from flask_babel import force_locale, gettext, refresh

from consult.extensions import babel
from surveys.catalogues import compiled_catalogues

DEFAULT_LANGUAGE = "nl"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def available_languages() -> tuple[str, ...]:
    """Dutch first, then every other language that has a catalogue."""
    found = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir())
    return (DEFAULT_LANGUAGE, *(lang for lang in found if lang != DEFAULT_LANGUAGE))


LANGUAGES = available_languages()


def current_language() -> str:
    return str(g.get("lang", DEFAULT_LANGUAGE))


def _choose_language() -> None:
    """`?lang=` wins and is remembered; then the remembered one; then the browser's; then Dutch."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    chosen = session.get("lang")
    if chosen not in LANGUAGES:
        chosen = request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    g.lang = chosen
    refresh()  # a locale cached earlier in this application context no longer applies


def choose_language(lang: str) -> None:
    """Switch this visit to `lang` (a form's language switch; unknown languages are ignored)."""
    if lang in LANGUAGES:
        session["lang"] = lang
        g.lang = lang
        refresh()


def other_languages() -> list[str]:
    """The languages a visitor can switch to from this page."""
    return [lang for lang in LANGUAGES if lang != current_language()]


def language_switch_label(lang: str) -> str:
    """The link to this page in `lang`, worded in `lang` itself (a Dutch reader who wants
    English reads English)."""
    with force_locale(lang):
        # Translators: the link to the page in YOUR language, written in your language.
        return gettext("Read this page in English")


def language_url(lang: str) -> str:
    """This page in another language (the choice is then remembered for the visit)."""
    return url_for(str(request.endpoint), **(request.view_args or {}), lang=lang)


def init_app(app: Flask) -> None:
    # The compiled catalogues are build output: compile any that are missing or older than their
    # .po, so `pip install -e .` then `consult serve` works without `make setup` (and a read-only
    # installation compiles into the instance folder).
    fallback = Path(app.instance_path) / "translations"
    directory = compiled_catalogues(TRANSLATIONS, DOMAIN, fallback)
    babel.init_app(
        app,
        default_locale=DEFAULT_LANGUAGE,
        default_domain=DOMAIN,
        default_translation_directories=str(directory),
        locale_selector=current_language,
    )
    app.before_request(_choose_language)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(
        current_language=current_language,
        other_languages=other_languages,
        language_switch_label=language_switch_label,
        language_url=language_url,
    )
