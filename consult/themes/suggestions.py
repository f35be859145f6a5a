"""Suggested themes: clusters of the wave's open answers that no theme of the codebook matches
(`analysis.theme_suggestions`), kept for an organizer to accept, rename or reject."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from analysis.themes import answered
from consult.accounts import audit
from consult.messages import N_, ExplainedError
from consult.models import SuggestionStatus, Theme, ThemeSuggestion, Wave
from consult.organizing.question_sets import question_set_of
from consult.themes import codebook, queries
from consult.themes.codebook import ThemeFields
from consult.themes.figures import open_questions


def unmatched_answers(session: Session, wave: Wave) -> tuple[list[str], list[str]]:
    """The texts (and their languages) of the wave's open answers that no theme matches."""
    codes = [item.code for item in open_questions(question_set_of(wave.question_set_version))]
    rows = queries.open_answers(session, wave, codes)
    rows = [row for row, kept in zip(rows, answered(r[3] for r in rows), strict=True) if kept]
    texts, languages = [row[3] for row in rows], [row[1] for row in rows]
    themes = queries.themes_of(session, wave.consultation)
    if not themes:
        return texts, languages
    hits = codebook.matcher_of(themes).match(texts, languages)
    about = [bool(row.any()) for row in hits]
    return (
        [t for t, hit in zip(texts, about, strict=True) if not hit],
        [lang for lang, hit in zip(languages, about, strict=True) if not hit],
    )


def refresh_suggestions(
    session: Session, actor: str, wave: Wave, today: dt.date
) -> list[ThemeSuggestion]:
    """Replace the consultation's open suggestions by new ones from the wave's unmatched answers
    (accepted and rejected ones stay, as a record)."""
    texts, languages = unmatched_answers(session, wave)
    # scikit-learn (tens of MB) is loaded by the first suggestion, not by every worker.
    from analysis.theme_suggestions import suggest_themes

    found = suggest_themes(texts, languages, min_size=wave.min_cell_size)
    queries.drop_open_suggestions(session, wave.consultation)
    rows = [
        ThemeSuggestion(
            consultation_id=wave.consultation_id,
            wave_id=wave.id,
            terms="\n".join(suggestion.terms),
            size=suggestion.size,
            status=SuggestionStatus.OPEN,
            created_on=today,
        )
        for suggestion in found
    ]
    for row in rows:
        queries.add(session, row)
    session.flush()
    audit.record(
        session,
        actor,
        "suggest themes",
        f"wave {wave.slug}",
        detail=f"{len(rows)} suggestions from {len(texts)} unmatched answers",
    )
    return rows


def accept_suggestion(
    session: Session, actor: str, suggestion: ThemeSuggestion, fields: ThemeFields
) -> Theme:
    """The suggestion becomes a theme (under the code and names given, its terms as keywords
    unless others are given)."""
    if suggestion.status != SuggestionStatus.OPEN:
        raise ExplainedError(N_("This suggestion has already been dealt with."))
    if not fields.keywords:
        terms = tuple(suggestion.term_list())
        fields = ThemeFields(fields.code, fields.name_nl, fields.name_en, terms)
    theme = codebook.add_theme(session, actor, suggestion.consultation, fields)
    suggestion.status = SuggestionStatus.ACCEPTED
    session.flush()
    audit.record(session, actor, "accept theme suggestion", f"theme {theme.code}")
    return theme


def reject_suggestion(session: Session, actor: str, suggestion: ThemeSuggestion) -> None:
    if suggestion.status != SuggestionStatus.OPEN:
        raise ExplainedError(N_("This suggestion has already been dealt with."))
    suggestion.status = SuggestionStatus.REJECTED
    session.flush()
    audit.record(session, actor, "reject theme suggestion", f"suggestion {suggestion.id}")
