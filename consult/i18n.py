"""Citizen-facing words in Dutch (first) and English, and the choice of language per visitor."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request, session, url_for

LANGUAGES = ("nl", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "site_name": {"nl": "Consult", "en": "Consult"},
    "skip_to_content": {"nl": "Naar de inhoud", "en": "Skip to content"},
    "language_switch_label": {
        "nl": "Read this page in English",
        "en": "Lees deze pagina in het Nederlands",
    },
    "home_title": {"nl": "Burgerconsultaties", "en": "Citizen consultations"},
    "home_intro": {
        "nl": "Hier geeft u uw mening over plannen van de overheid. Uw antwoorden zijn anoniem.",
        "en": "Here you can give your opinion on government plans. Your answers are anonymous.",
    },
    "home_none_open": {
        "nl": "Er staan op dit moment geen consultaties open.",
        "en": "There are no open consultations at the moment.",
    },
    "take_part": {"nl": "Doe mee", "en": "Take part"},
    "minutes": {"nl": "Ongeveer {n} minuten", "en": "About {n} minutes"},
    "start_about": {"nl": "Waar gaat het over?", "en": "What is it about?"},
    "privacy_title": {"nl": "Uw privacy", "en": "Your privacy"},
    "privacy_text": {
        "nl": "U doet anoniem mee. We vragen niet naar uw naam, e-mailadres of woonadres en "
        "slaan geen IP-adres op. Van uw antwoorden bewaren we alleen de datum, niet het "
        "tijdstip. We gebruiken uw antwoorden alleen voor onderzoek naar deze consultatie en "
        "publiceren alleen cijfers over groepen van ten minste {min_cell} mensen. Zo kan "
        "niemand uw antwoorden tot u herleiden (AVG). Meedoen is vrijwillig: u kunt elke vraag "
        "overslaan die niet verplicht is en op elk moment stoppen.",
        "en": "You take part anonymously. We do not ask for your name, e-mail or home address and "
        "do not store your IP address. We keep only the date of your answers, not the time. Your "
        "answers are used only for research on this consultation, and we publish figures only "
        "for groups of at least {min_cell} people, so nobody can trace your answers back to you "
        "(GDPR). Taking part is voluntary: you can skip any question that is not required and "
        "stop at any time.",
    },
    "resume_explain": {
        "nl": "Na de start krijgt u een persoonlijke code. Daarmee kunt u later verder, ook op "
        "een ander apparaat.",
        "en": "After you start you get a personal code. With it you can continue later, on "
        "another device too.",
    },
    "consent_label": {
        "nl": "Ik heb gelezen hoe mijn antwoorden worden gebruikt en ik wil meedoen.",
        "en": "I have read how my answers are used and I want to take part.",
    },
    "consent_required": {
        "nl": "Vink het vakje aan als u wilt meedoen.",
        "en": "Tick the box if you want to take part.",
    },
    "start_button": {"nl": "Start de vragenlijst", "en": "Start the questionnaire"},
    "resume_link": {
        "nl": "Ik heb al een code en wil verder",
        "en": "I have a code and want to continue",
    },
    "invite_only": {
        "nl": "Deze consultatie is alleen voor mensen met een uitnodiging. Vul de code uit uw "
        "uitnodiging in.",
        "en": "This consultation is by invitation only. Enter the code from your invitation.",
    },
    "invitation_label": {"nl": "Uw uitnodigingscode", "en": "Your invitation code"},
    "invitation_unknown": {
        "nl": "Deze uitnodigingscode is niet geldig of al gebruikt.",
        "en": "This invitation code is not valid or has already been used.",
    },
    "progress": {"nl": "Stap {n} van {total}", "en": "Step {n} of {total}"},
    "back": {"nl": "Vorige", "en": "Back"},
    "next": {"nl": "Volgende", "en": "Next"},
    "optional": {"nl": "niet verplicht", "en": "optional"},
    "required": {"nl": "verplicht", "en": "required"},
    "errors_title": {
        "nl": "Er ging iets mis met uw antwoorden. Kijk de vragen hieronder na.",
        "en": "Something is not right with your answers. Please check the questions below.",
    },
    "error_prefix": {"nl": "Fout:", "en": "Error:"},
    "your_code": {"nl": "Later verder? Bewaar deze code", "en": "Continue later? Keep this code"},
    "your_code_help": {
        "nl": "Met deze code of link gaat u verder waar u was, ook op een ander apparaat. "
        "Deel hem met niemand.",
        "en": "With this code or link you continue where you left off, on another device too. "
        "Do not share it.",
    },
    "resume_title": {"nl": "Verder met de vragenlijst", "en": "Continue the questionnaire"},
    "resume_code_label": {"nl": "Uw code", "en": "Your code"},
    "resume_code_hint": {
        "nl": "32 letters en cijfers, bijvoorbeeld ABCD-EFGH-…",
        "en": "32 letters and digits, for example ABCD-EFGH-…",
    },
    "resume_button": {"nl": "Ga verder", "en": "Continue"},
    "resume_unknown": {
        "nl": "Deze code kennen we niet. Controleer of u hem goed hebt overgenomen.",
        "en": "We do not recognise this code. Check that you copied it correctly.",
    },
    "review_title": {"nl": "Klaar om te versturen", "en": "Ready to send"},
    "review_text": {
        "nl": "U hebt alle vragen gezien. U hebt {answered} vragen beantwoord. Na het versturen "
        "kunt u uw antwoorden niet meer wijzigen. Wilt u nog iets aanpassen? Ga dan terug.",
        "en": "You have seen all questions. You answered {answered} questions. Once sent, your "
        "answers can no longer be changed. Want to change something? Go back.",
    },
    "submit_button": {"nl": "Verstuur mijn antwoorden", "en": "Send my answers"},
    "thanks_title": {"nl": "Bedankt voor uw deelname", "en": "Thank you for taking part"},
    "thanks_text": {
        "nl": "Uw antwoorden zijn opgeslagen. De resultaten worden gebruikt voor de "
        "jaarlijkse agenda van het kabinet en worden openbaar gemaakt.",
        "en": "Your answers have been saved. The results feed the cabinet's yearly agenda and "
        "will be made public.",
    },
    "home_link": {"nl": "Naar de startpagina", "en": "Go to the home page"},
    "rank_hint": {
        "nl": "Geef elke keuze een ander nummer: 1 is het belangrijkst.",
        "en": "Give each choice a different number: 1 is the most important.",
    },
    "rank_label": {"nl": "Plaats", "en": "Rank"},
    "no_choice": {"nl": "– kies –", "en": "– choose –"},
    "max_length_hint": {"nl": "Ten hoogste {n} tekens.", "en": "At most {n} characters."},
    "range_hint": {
        "nl": "Een getal van {min} tot en met {max}.",
        "en": "A number from {min} to {max}.",
    },
    "error_400_title": {
        "nl": "Dit verzoek konden we niet verwerken",
        "en": "We could not process this request",
    },
    "error_400_text": {
        "nl": "Het formulier was verlopen of onvolledig. Er is niets opgeslagen. Ga terug, "
        "laad de pagina opnieuw en probeer het nog eens.",
        "en": "The form had expired or was incomplete. Nothing was saved. Go back, reload the "
        "page and try again.",
    },
    "error_403_title": {"nl": "Geen toegang", "en": "No access"},
    "error_403_text": {
        "nl": "U hebt geen toegang tot deze pagina.",
        "en": "You do not have access to this page.",
    },
    "error_404_title": {"nl": "Pagina niet gevonden", "en": "Page not found"},
    "error_404_text": {
        "nl": "Deze pagina of consultatie bestaat niet (meer).",
        "en": "This page or consultation does not exist (any more).",
    },
    "error_405_title": {"nl": "Dit kan zo niet", "en": "Not allowed"},
    "error_405_text": {
        "nl": "Deze pagina werkt niet op deze manier. Er is niets opgeslagen.",
        "en": "This page does not work this way. Nothing was saved.",
    },
    "error_410_title": {"nl": "Deze consultatie is gesloten", "en": "This consultation is closed"},
    "error_410_text": {
        "nl": "U kunt deze consultatie niet meer invullen. Bedankt voor uw belangstelling.",
        "en": "This consultation can no longer be answered. Thank you for your interest.",
    },
    "error_413_title": {"nl": "Te veel tekst", "en": "Too much text"},
    "error_413_text": {
        "nl": "U stuurde meer tekst dan we kunnen opslaan. Er is niets opgeslagen.",
        "en": "You sent more text than we can store. Nothing was saved.",
    },
    "error_429_title": {"nl": "Te veel pogingen", "en": "Too many attempts"},
    "error_429_text": {
        "nl": "U hebt het te vaak geprobeerd. Wacht een paar minuten en probeer het opnieuw.",
        "en": "You tried too often. Wait a few minutes and try again.",
    },
    "error_500_title": {"nl": "Er ging iets mis bij ons", "en": "Something went wrong on our side"},
    "error_500_text": {
        "nl": "Probeer het later opnieuw. Wat u eerder hebt opgeslagen, blijft bewaard.",
        "en": "Please try again later. What you saved before is kept.",
    },
}


def translate(key: str, **params: Any) -> str:
    """The message `key` in the visitor's language, with `{name}` placeholders filled in."""
    texts = MESSAGES[key]
    text = texts.get(current_language()) or texts["nl"]
    return text.format(**params) if params else text


def current_language() -> str:
    return str(g.get("lang", "nl"))


def _choose_language() -> None:
    """`?lang=` wins and is remembered; then the remembered one; then the browser's; then Dutch."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    chosen = session.get("lang")
    if chosen not in LANGUAGES:
        chosen = request.accept_languages.best_match(LANGUAGES, default="nl")
    g.lang = chosen


def language_url(lang: str) -> str:
    """This page in another language (the choice is then remembered for the visit)."""
    return url_for(str(request.endpoint), **(request.view_args or {}), lang=lang)


def init_app(app: Flask) -> None:
    app.before_request(_choose_language)
    app.jinja_env.globals.update(
        _=translate, current_language=current_language, language_url=language_url
    )
