"""The codebook pages (admin blueprint: a consultation's organizers and admins) and the open
answers page (results blueprint: the consultation's researchers only).

Every route checks the right and the owner: another team's consultation, theme or suggestion
is a 404, and a wave's open answers are a 404 for everyone but its consultation's researchers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from consult.accounts import permissions
from consult.accounts.guards import current_actor, staff_only
from consult.blueprints import admin, results
from consult.extensions import db
from consult.forms import ConfirmForm, choices, database_number
from consult.messages import ExplainedError
from consult.models import Consultation, SuggestionStatus, Theme, ThemeSuggestion
from consult.organizing import queries as organizing_queries
from consult.organizing.question_sets import question_set_of
from consult.results.views import readable_wave, reader
from consult.themes import codebook, queries, reading, suggestions
from consult.themes.codebook import ThemeFields, split_keywords
from consult.themes.figures import open_questions
from consult.themes.forms import EditThemeForm, ImportForm, SuggestForm, ThemeForm


def _consultation(slug: str) -> Consultation:
    found = organizing_queries.consultation_by_slug(db.session, slug)
    if found is None or not permissions.can_manage_consultation(current_user, found):
        abort(404)
    return found


def _theme(consultation: Consultation, theme_id: int) -> Theme:
    found = queries.theme_by_id(db.session, consultation, theme_id)
    if found is None:
        abort(404)
    return found


def _suggestion(consultation: Consultation, suggestion_id: int) -> ThemeSuggestion:
    found = queries.suggestion_by_id(db.session, consultation, suggestion_id)
    if found is None:
        abort(404)
    return found


def _fields(form: EditThemeForm, code: str) -> ThemeFields:
    return ThemeFields(
        code,
        form.name_nl.data or "",
        form.name_en.data or "",
        split_keywords(form.keywords.data or ""),
    )


def _to_codebook(consultation: Consultation) -> Any:
    return redirect(url_for("admin.themes", slug=consultation.slug), 303)


def _suggest_form(consultation: Consultation) -> SuggestForm:
    form = SuggestForm()
    form.wave.choices = choices((wave.slug, wave.slug) for wave in reversed(consultation.waves))
    return form


def _page(consultation: Consultation, status: int = 200, **forms: Any) -> tuple[str, int]:
    open_suggestions = queries.suggestions_of(db.session, consultation, SuggestionStatus.OPEN)
    accept_forms = {}
    for suggestion in open_suggestions:
        form = ThemeForm(prefix=f"s{suggestion.id}", formdata=None)
        form.keywords.data = "\n".join(suggestion.term_list())
        accept_forms[suggestion.id] = forms.pop(f"accept_{suggestion.id}", form)
    return (
        render_template(
            "admin/themes.html",
            consultation=consultation,
            themes=codebook.themes_of(db.session, consultation),
            theme_form=forms.get("theme_form") or ThemeForm(formdata=None),
            import_form=forms.get("import_form") or ImportForm(formdata=None),
            suggest_form=_suggest_form(consultation),
            suggestions=open_suggestions,
            accept_forms=accept_forms,
            confirm=ConfirmForm(),
        ),
        status,
    )


@admin.get("/c/<slug>/themes")
@staff_only
def themes(slug: str) -> Any:
    """The codebook: every theme, a form to add one, CSV in and out, and suggestions."""
    return _page(_consultation(slug))


@admin.post("/c/<slug>/themes")
@staff_only
def add_theme(slug: str) -> Any:
    consultation = _consultation(slug)
    form = ThemeForm()
    if not form.validate_on_submit():
        return _page(consultation, 400, theme_form=form)
    try:
        codebook.add_theme(db.session, current_actor(), consultation, _fields(form, form.code.data))
    except ExplainedError as error:
        form.code.errors = [error.translated(gettext)]
        return _page(consultation, 400, theme_form=form)
    flash(gettext("Theme %(code)s added.", code=form.code.data))
    return _to_codebook(consultation)


@admin.route("/c/<slug>/themes/<int:theme_id>", methods=["GET", "POST"])
@staff_only
def edit_theme(slug: str, theme_id: int) -> Any:
    consultation = _consultation(slug)
    theme = _theme(consultation, theme_id)
    form = EditThemeForm(
        formdata=request.form if request.method == "POST" else None,
        data={
            "name_nl": theme.name_nl,
            "name_en": theme.name_en,
            "keywords": theme.keywords,
        },
    )
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                codebook.change_theme(db.session, current_actor(), theme, _fields(form, theme.code))
            except ExplainedError as error:
                form.keywords.errors = [error.translated(gettext)]
            else:
                flash(gettext("Theme %(code)s changed.", code=theme.code))
                return _to_codebook(consultation)
        status = 400
    else:
        status = 200
    page = render_template(
        "admin/theme.html", consultation=consultation, theme=theme, form=form, confirm=ConfirmForm()
    )
    return page, status


@admin.post("/c/<slug>/themes/<int:theme_id>/remove")
@staff_only
def remove_theme(slug: str, theme_id: int) -> Any:
    consultation = _consultation(slug)
    theme = _theme(consultation, theme_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    code = theme.code
    codebook.remove_theme(db.session, current_actor(), theme)
    flash(gettext("Theme %(code)s removed.", code=code))
    return _to_codebook(consultation)


@admin.post("/c/<slug>/themes/import")
@staff_only
def import_themes(slug: str) -> Any:
    """Replace the codebook by a CSV file's themes: all or nothing."""
    consultation = _consultation(slug)
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(consultation, 400, import_form=form)
    try:
        count = codebook.import_csv(
            db.session, current_actor(), consultation, form.file.data.read()
        )
    except ExplainedError as error:
        form.file.errors = [error.translated(gettext)]
        return _page(consultation, 400, import_form=form)
    flash(gettext("The codebook now holds the %(count)s themes of the file.", count=count))
    return _to_codebook(consultation)


@admin.get("/c/<slug>/themes.csv")
@staff_only
def export_themes(slug: str) -> Response:
    consultation = _consultation(slug)
    text = codebook.export_csv(codebook.themes_of(db.session, consultation))
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-themes.csv"'},
    )


@admin.post("/c/<slug>/themes/suggest")
@staff_only
def suggest_themes(slug: str) -> Any:
    """Cluster a wave's unmatched open answers into suggested themes (replacing the open ones)."""
    consultation = _consultation(slug)
    form = _suggest_form(consultation)
    if not form.validate_on_submit():
        flash(gettext("Choose a wave."))
        return _to_codebook(consultation)
    wave = next(w for w in consultation.waves if w.slug == form.wave.data)
    found = suggestions.refresh_suggestions(db.session, current_actor(), wave, dt.date.today())
    flash(gettext("%(count)s suggested themes.", count=len(found)))
    return _to_codebook(consultation)


@admin.post("/c/<slug>/suggestions/<int:suggestion_id>/accept")
@staff_only
def accept_suggestion(slug: str, suggestion_id: int) -> Any:
    """The suggestion becomes a theme, under the code, names and keywords given."""
    consultation = _consultation(slug)
    suggestion = _suggestion(consultation, suggestion_id)
    form = ThemeForm(prefix=f"s{suggestion.id}")
    if not form.validate_on_submit():
        return _page(consultation, 400, **{f"accept_{suggestion.id}": form})
    try:
        suggestions.accept_suggestion(
            db.session, current_actor(), suggestion, _fields(form, form.code.data)
        )
    except ExplainedError as error:
        form.code.errors = [error.translated(gettext)]
        return _page(consultation, 400, **{f"accept_{suggestion.id}": form})
    flash(gettext("Theme %(code)s added.", code=form.code.data))
    return _to_codebook(consultation)


@admin.post("/c/<slug>/suggestions/<int:suggestion_id>/reject")
@staff_only
def reject_suggestion(slug: str, suggestion_id: int) -> Any:
    consultation = _consultation(slug)
    suggestion = _suggestion(consultation, suggestion_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        suggestions.reject_suggestion(db.session, current_actor(), suggestion)
    except ExplainedError as error:
        flash(error.translated(gettext))
    else:
        flash(gettext("Suggestion rejected."))
    return _to_codebook(consultation)


@results.get("/<wave>/answers")
def open_answers(wave: str) -> Any:
    """One page of an open question's answers, masked, for the consultation's researchers only
    (404 for anyone else); each read is in the audit log."""
    found = readable_wave(wave)
    if not permissions.can_download_microdata(reader(), found):
        abort(404)
    question_set = question_set_of(found.question_set_version)
    codes = [item.code for item in open_questions(question_set)]
    code = request.args.get("code") or (codes[0] if codes else "")
    if code not in codes:
        abort(404)
    page_number = request.args.get("page", 1, type=database_number) or 1
    page = reading.read_answers(db.session, current_actor(), found, code, page_number)
    response = Response(
        render_template(
            "results/answers.html",
            wave=found,
            page=page,
            question=question_set.item(code),
            questions=open_questions(question_set),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
