"""The organizers' pages (admin blueprint): question sets, previews, versions and waves.

Every route checks the user's right, and every object its owner: an organizer gets 404 for
another team's consultation, wave or version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from consult.accounts import permissions
from consult.accounts.guards import audit_action, audit_refusal, staff_only
from consult.blueprints import admin
from consult.extensions import db
from consult.forms import ConfirmForm, choices, database_number
from consult.i18n import current_language
from consult.messages import N_, ExplainedError
from consult.models import Consultation, QuestionSetVersion, Role, Wave, WaveMode
from consult.organizing import queries
from consult.organizing.forms import (
    InvitationsForm,
    MarginsForm,
    RevokeForm,
    SettingsForm,
    UploadForm,
    VersionForm,
    WaveForm,
)
from consult.organizing.invitations import generate_invitations, invitations_csv, revoke_invitation
from consult.organizing.margins import set_margins
from consult.organizing.monitoring import identical_in_wave, monitor_wave
from consult.organizing.question_sets import parse_upload, question_set_of, store_question_set
from consult.organizing.waves import (
    WaveError,
    WaveSettings,
    change_version,
    close_wave,
    create_wave,
    open_wave,
    set_min_cell_size,
    set_published,
)
from consult.responding.challenge import BURST_MINUTES, recent_completes
from consult.uploads import UploadBudget, UploadTooCostly
from surveys.layout import PagePlan
from surveys.loader import QuestionSetError
from surveys.types import QUESTION_TYPES


def _to_wave(wave: Wave) -> Any:
    """Back to the wave's page after an action on it (see-other, so a refresh repeats nothing)."""
    return redirect(url_for("admin.wave", slug=wave.slug), 303)


FLASHED_PROBLEMS = 10
"""Problems of a file told in a flash at most: the flash travels in the session cookie, which a
browser refuses beyond 4 KB (a margins file with a thousand wrong lines made one of 145 KB)."""


def upload_budget() -> UploadBudget:
    """What reading one uploaded file may cost (configured: UPLOAD_SECONDS, UPLOAD_MEMORY_MIB)."""
    config = current_app.config["CONSULT"]
    return UploadBudget(seconds=config.upload_seconds, memory_mib=config.upload_memory_mib)


def _refuse(action: str, target: str, error: ExplainedError) -> None:
    """Tell the user why an action was not done (in their language, the first problems of a
    long list and how many more), and log the refusal (in English)."""
    flash(error.translated(gettext, most=FLASHED_PROBLEMS, more=_more_problems))
    audit_action(action, target, "refused", str(error))


def _more_problems(count: int) -> str:
    return ngettext("and %(num)s more problem", "and %(num)s more problems", count)


def _consultation(slug: str) -> Consultation:
    consultation = queries.consultation_by_slug(db.session, slug)
    if consultation is None or not permissions.can_manage_consultation(current_user, consultation):
        abort(404)
    return consultation


def _version(consultation: Consultation, number: int) -> QuestionSetVersion:
    version = queries.version_by_number(db.session, consultation, number)
    if version is None:
        abort(404)
    return version


def _wave(slug: str) -> Wave:
    wave = queries.wave_by_slug(db.session, slug)
    if wave is None or not permissions.can_manage_wave(current_user, wave):
        abort(404)
    return wave


@admin.get("/")
@staff_only
def dashboard() -> str:
    consultations = [
        c
        for c in queries.all_consultations(db.session)
        if permissions.can_manage_consultation(current_user, c)
    ]
    return render_template("admin/dashboard.html", consultations=consultations, upload=UploadForm())


@admin.post("/upload")
@staff_only
def upload_question_set() -> Any:
    """Validate an uploaded set; a valid one becomes a new immutable version."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_failed([gettext("Choose a .yaml or .xlsx file to upload.")], None)
    upload = form.file.data
    filename = upload.filename or "upload"
    try:
        question_set = parse_upload(filename, upload.read(), upload_budget())
    except UploadTooCostly as error:
        audit_refusal("upload question set", filename, str(error))
        return _upload_failed([error.translated(gettext)], filename)
    except QuestionSetError as error:
        audit_refusal("upload question set", filename, f"{len(error.problems)} problems")
        # Each problem in the organizer's language, with the line (or sheet and row) to fix.
        lang = current_language()
        return _upload_failed([p.render(lang) for p in error.problems], filename)
    existing = queries.consultation_by_slug(db.session, question_set.consultation_slug)
    if existing is not None and not permissions.can_manage_consultation(current_user, existing):
        message = gettext(
            "The consultation ‘%(slug)s’ belongs to another team.",
            slug=question_set.consultation_slug,
        )
        return _upload_failed([message], filename)
    if existing is None and not permissions.can_create_consultation(current_user):
        return _upload_failed([gettext("Your role cannot start a new consultation.")], filename)
    result = store_question_set(db.session, question_set, dt.date.today())
    consultation = result.version.consultation
    if current_user.role == Role.ORGANIZER and current_user not in consultation.organizers:
        consultation.organizers.append(current_user)
    audit_action(
        "upload question set",
        f"consultation:{consultation.slug}",
        detail=f"version {result.version.number}" + ("" if result.created else " (unchanged)"),
    )
    flash(
        gettext(
            "Version %(number)s of %(slug)s is stored.",
            number=result.version.number,
            slug=consultation.slug,
        )
        if result.created
        else gettext(
            "This file is identical to version %(number)s; nothing changed.",
            number=result.version.number,
        )
    )
    return redirect(
        url_for("admin.version", slug=consultation.slug, number=result.version.number), 303
    )


def _version_choices(consultation: Consultation) -> list[Any]:
    return choices(
        (v.number, gettext("version %(number)s", number=v.number)) for v in consultation.versions
    )


def _upload_failed(problems: list[str], filename: str | None) -> tuple[str, int]:
    return render_template("admin/upload_report.html", problems=problems, filename=filename), 422


@admin.get("/c/<slug>")
@staff_only
def consultation(slug: str) -> str:
    consultation = _consultation(slug)
    form = WaveForm()
    form.version.choices = _version_choices(consultation)
    return _consultation_page(consultation, form)


def _consultation_page(consultation: Consultation, form: WaveForm) -> str:
    return render_template(
        "admin/consultation.html",
        consultation=consultation,
        frozen=queries.versions_with_responses(db.session, consultation),
        wave_form=form,
        upload=UploadForm(),
    )


@admin.get("/c/<slug>/v/<int:number>")
@staff_only
def version(slug: str, number: int) -> str:
    consultation = _consultation(slug)
    version = _version(consultation, number)
    question_set = question_set_of(version)
    return render_template(
        "admin/version.html",
        consultation=consultation,
        version=version,
        question_set=question_set,
        weighting=question_set.weighting_variables(),
        frozen=version.id in queries.versions_with_responses(db.session, consultation),
    )


@admin.get("/c/<slug>/v/<int:number>/preview")
@admin.get("/c/<slug>/v/<int:number>/preview/<page_id>")
@staff_only
def preview(slug: str, number: int, page_id: str | None = None) -> str:
    """Every page of a version exactly as a citizen sees it; nothing can be submitted."""
    consultation = _consultation(slug)
    version = _version(consultation, number)
    question_set = question_set_of(version)
    ids = [page.id for page in question_set.pages]
    page_id = page_id or ids[0]
    if page_id not in ids:
        abort(404)
    page = question_set.page(page_id)
    position = ids.index(page_id)
    return render_template(
        "admin/preview.html",
        consultation=consultation,
        version=version,
        question_set=question_set,
        page=page,
        plan=PagePlan(page.id, tuple(item.code for item in page.items)),
        items=list(page.items),
        types=QUESTION_TYPES,
        fields={},
        errors={},
        step=position + 1,
        total_steps=len(ids),
        previous_id=ids[position - 1] if position > 0 else None,
        next_id=ids[position + 1] if position + 1 < len(ids) else None,
    )


@admin.get("/c/<slug>/v/<int:number>/export.<fmt>")
@staff_only
def export_version(slug: str, number: int, fmt: str) -> Response:
    consultation = _consultation(slug)
    version = _version(consultation, number)
    name = f"{consultation.slug}-v{version.number}"
    if fmt == "yaml":
        return Response(
            version.source,
            mimetype="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'},
        )
    if fmt == "xlsx":
        from surveys.xlsform import question_set_to_xlsform

        return Response(
            question_set_to_xlsform(question_set_of(version)),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    abort(404)


@admin.get("/c/<slug>/diff")
@staff_only
def diff(slug: str) -> str:
    from surveys.diff import diff_question_sets

    consultation = _consultation(slug)
    numbers = [v.number for v in consultation.versions]
    old_number = request.args.get("from", type=database_number) or (
        numbers[-2] if len(numbers) > 1 else 1
    )
    new_number = request.args.get("to", type=database_number) or numbers[-1]
    old, new = _version(consultation, old_number), _version(consultation, new_number)
    return render_template(
        "admin/diff.html",
        consultation=consultation,
        old=old,
        new=new,
        numbers=numbers,
        changes=diff_question_sets(question_set_of(old), question_set_of(new)),
    )


@admin.post("/c/<slug>/waves")
@staff_only
def create_wave_view(slug: str) -> Any:
    consultation = _consultation(slug)
    form = WaveForm()
    form.version.choices = _version_choices(consultation)
    if form.validate_on_submit():
        try:
            wave = create_wave(
                db.session,
                consultation,
                WaveSettings(
                    slug=(form.slug.data or "").strip(),
                    version=_version(consultation, int(form.version.data)),
                    mode=WaveMode(form.mode.data),
                    opens_on=form.opens_on.data,
                    closes_on=form.closes_on.data,
                    min_cell_size=int(form.min_cell_size.data or 10),
                ),
            )
        except WaveError as error:
            form.slug.errors = [error.translated(gettext)]
        else:
            audit_action("create wave", f"wave:{wave.slug}", detail=f"version {form.version.data}")
            return _to_wave(wave)
    return _consultation_page(consultation, form), 422


@admin.get("/w/<slug>")
@staff_only
def wave(slug: str) -> str:
    wave = _wave(slug)
    return _wave_page(wave, SettingsForm(min_cell_size=wave.min_cell_size))


def _wave_page(wave: Wave, settings_form: SettingsForm) -> str:
    version_form = VersionForm()
    version_form.version.choices = _version_choices(wave.consultation)
    version_form.version.data = wave.question_set_version.number
    return render_template(
        "admin/wave.html",
        wave=wave,
        today=dt.date.today(),
        monitor=monitor_wave(db.session, wave, current_language()),
        bursts=recent_completes(wave)[:5],
        burst_minutes=BURST_MINUTES,
        invitations=queries.invitation_counts(db.session, wave),
        confirm=ConfirmForm(),
        version_form=version_form,
        settings_form=settings_form,
        margins_form=MarginsForm(),
        invitations_form=InvitationsForm(),
        revoke_form=RevokeForm(),
    )


@admin.get("/w/<slug>/identical")
@staff_only
def identical_responses(slug: str) -> str:
    """Complete responses sharing one full set of answers: a sign of ballot stuffing."""
    wave = _wave(slug)
    return render_template(
        "admin/identical.html", wave=wave, identical=identical_in_wave(db.session, wave)
    )


@admin.post("/w/<slug>/settings")
@staff_only
def wave_settings(slug: str) -> Any:
    """Change the minimum cell size: logged with the old and the new value; the published
    results follow at once (the minimum is part of their state)."""
    wave = _wave(slug)
    form = SettingsForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        audit_refusal(
            "set minimum cell size",
            f"wave:{wave.slug}",
            f"value {(form.min_cell_size.raw_data or [''])[0]!r}"[:500],
        )
        return _wave_page(wave, form), 422
    value = int(form.min_cell_size.data or 0)
    try:
        old = set_min_cell_size(wave, value)
    except WaveError as error:  # the form checks the same bounds; kept for a changed rule
        form.min_cell_size.errors = [error.translated(gettext)]
        return _wave_page(wave, form), 422
    if old == value:
        flash(
            gettext("The minimum cell size is already %(minimum)s; nothing changed.", minimum=old)
        )
        return _to_wave(wave)
    audit_action("set minimum cell size", f"wave:{wave.slug}", detail=f"from {old} to {value}")
    flash(
        gettext(
            "The minimum cell size is now %(minimum)s (it was %(old)s). The results follow the "
            "new minimum from now on.",
            minimum=value,
            old=old,
        )
    )
    return _to_wave(wave)


WAVE_ACTION_DONE: dict[str, Callable[[str], str]] = {
    "open": lambda slug: gettext("Wave %(wave)s is open.", wave=slug),
    "close": lambda slug: gettext("Wave %(wave)s is closed.", wave=slug),
    "publish": lambda slug: gettext("The results of wave %(wave)s are published.", wave=slug),
    "unpublish": lambda slug: gettext("The results of wave %(wave)s are withdrawn.", wave=slug),
}

WAVE_ACTIONS: dict[str, Callable[[Wave], None]] = {
    "open": lambda wave: open_wave(wave, dt.date.today()),
    "close": close_wave,
    "publish": lambda wave: set_published(wave, True),
    "unpublish": lambda wave: set_published(wave, False),
}


@admin.post("/w/<slug>/<action>")
@staff_only
def wave_action(slug: str, action: str) -> Any:
    wave = _wave(slug)
    change = WAVE_ACTIONS.get(action) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change(wave)
    except WaveError as error:
        _refuse(f"{action} wave", f"wave:{wave.slug}", error)
        return _to_wave(wave)
    audit_action(f"{action} wave", f"wave:{wave.slug}")
    flash(WAVE_ACTION_DONE[action](wave.slug))
    return _to_wave(wave)


@admin.post("/w/<slug>/version")
@staff_only
def wave_version(slug: str) -> Any:
    wave = _wave(slug)
    form = VersionForm()
    form.version.choices = choices([(v.number, str(v.number)) for v in wave.consultation.versions])
    if not form.validate_on_submit():
        abort(400)
    try:
        change_version(db.session, wave, _version(wave.consultation, int(form.version.data)))
    except WaveError as error:
        _refuse("change wave version", f"wave:{wave.slug}", error)
    else:
        audit_action(
            "change wave version", f"wave:{wave.slug}", detail=f"version {form.version.data}"
        )
    return _to_wave(wave)


@admin.post("/w/<slug>/margins")
@staff_only
def wave_margins(slug: str) -> Any:
    wave = _wave(slug)
    form = MarginsForm()
    if not form.validate_on_submit():
        flash(gettext("Choose a margins CSV file to upload."))
        return _to_wave(wave)
    try:
        try:
            text = form.file.data.read().decode("utf-8")
        except UnicodeDecodeError:
            raise WaveError(N_("The file is not UTF-8 text.")) from None
        stored = set_margins(
            db.session, wave, text, rescale=bool(form.rescale.data), budget=upload_budget()
        )
    except (WaveError, UploadTooCostly) as error:
        flash(gettext("Margins not changed."))
        _refuse("set margins", f"wave:{wave.slug}", error)
    else:
        audit_action("set margins", f"wave:{wave.slug}", detail=stored.audit_detail())
        flash(gettext("Margins stored."))
        for note in stored.notes(gettext, current_language()):
            flash(note)
    return _to_wave(wave)


@admin.post("/w/<slug>/invitations")
@staff_only
def wave_invitations(slug: str) -> Any:
    """Generate codes: shown or downloaded once, stored only as hashes."""
    wave = _wave(slug)
    form = InvitationsForm()
    if not form.validate_on_submit():
        flash(gettext("Give a number of codes between 1 and 100000."))
        return _to_wave(wave)
    try:
        codes = generate_invitations(db.session, wave, int(form.count.data or 0), dt.date.today())
    except WaveError as error:
        flash(error.translated(gettext))
        return _to_wave(wave)
    audit_action("generate invitations", f"wave:{wave.slug}", detail=f"{len(codes)} codes")
    link = url_for("public.start_page", wave_slug=wave.slug, _external=True)
    if form.output.data == "csv":
        return Response(
            invitations_csv(wave, codes, link),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{wave.slug}-invitations.csv"',
                "Cache-Control": "no-store",
            },
        )
    response = Response(
        render_template("admin/invitations.html", wave=wave, codes=codes, link=link)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@admin.post("/w/<slug>/invitations/revoke")
@staff_only
def revoke_invitations(slug: str) -> Any:
    wave = _wave(slug)
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    if form.code.data:
        revoked = revoke_invitation(db.session, wave, form.code.data)
        flash(
            gettext("The code is revoked.")
            if revoked
            else gettext("No unused code of this wave matches that.")
        )
    else:
        revoked = queries.revoke_unused_invitations(db.session, wave)
        flash(ngettext("%(num)s unused code revoked.", "%(num)s unused codes revoked.", revoked))
    audit_action("revoke invitations", f"wave:{wave.slug}", detail=f"{revoked} codes")
    return _to_wave(wave)
