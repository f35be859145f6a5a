"""The report's summary: its main findings in plain words (B1), each sentence with its figure
and 95% interval, the words chosen by the rules of `consult.results.wording`.

Plain Python over a wave's `OverviewFigures` (no Flask): the report's HTML and PDF, whether made
on the web or by `consult report`, say the same. A suppressed figure never appears: a finding
that would need one is left out, as is a difference that does not pass its test.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis import Estimate, WaveDifference
from consult.messages import N_
from consult.results.labels import item_label, option_label, term_label, translate
from consult.results.pages import p_value, percent, points
from consult.results.report import OverviewFigures
from consult.results.wording import (
    Difference,
    Share,
    change_word,
    difference_word,
    known,
    passes,
    share_word,
)
from surveys.model import QuestionSet

TOP_GROUPS = 3
"""At most this many differences between groups in the summary (the largest that pass)."""
TOP_CHANGES = 3
"""At most this many changes since the previous wave (the largest that pass)."""


@dataclass(frozen=True)
class Findings:
    """The summary's sentences, by question it answers; each note says how it was tested."""

    acceptance: tuple[str, ...]
    conditions: tuple[str, ...]
    lift: tuple[str, ...]
    groups: tuple[str, ...]
    groups_note: str
    changes: tuple[str, ...]
    changes_note: str


def _figure(row: Estimate, lang: str) -> str:
    """A share and its 95% interval in brackets (the summary says so once): "62.1% (58.0% –
    66.0%)"."""
    return translate(N_("%(value)s (%(low)s – %(high)s)"), lang) % {
        "value": percent(row.estimate, lang),
        "low": percent(row.ci_low, lang),
        "high": percent(row.ci_high, lang),
    }


def _difference(value: float, low: float, high: float, lang: str) -> str:
    """A difference in points and its 95% interval: "+5.1 points (+2.0 to +8.2)"."""
    return translate(N_("%(value)s points (%(low)s to %(high)s)"), lang) % {
        "value": points(value, lang),
        "low": points(low, lang),
        "high": points(high, lang),
    }


def _shown(row: Estimate | None) -> bool:
    """A figure the summary may cite: shown, with its interval."""
    return row is not None and not row.suppressed and known(row.estimate, row.ci_low, row.ci_high)


ACCEPTANCE = {
    Share.MAJORITY: N_("%(domain)s: a majority finds these applications acceptable: %(figure)s."),
    Share.MINORITY: N_("%(domain)s: a minority finds these applications acceptable: %(figure)s."),
    Share.UNCLEAR: N_(
        "%(domain)s: about half finds these applications acceptable; it may be a little more or "
        "a little less than half: %(figure)s."
    ),
}
TOP_CONDITION = N_(
    "%(domain)s: the condition called necessary most often is “%(condition)s”: %(figure)s."
)
AHEAD = {
    Difference.MORE: N_("That is more often than “%(next)s”: %(difference)s."),
    Difference.UNCLEAR: N_(
        "“%(next)s” comes close: the difference of %(difference)s may be chance."
    ),
}
APPLICATION_FIRST = N_(
    "For %(application)s “%(condition)s” comes first: %(figure)s, more often than "
    "“%(next)s”: %(difference)s."
)
LIFT = {
    Difference.MORE: N_(
        "%(domain)s: if their conditions are met, more people accept these applications: "
        "%(difference)s."
    ),
    Difference.LESS: N_(
        "%(domain)s: if their conditions are met, fewer people accept these applications: "
        "%(difference)s."
    ),
    Difference.UNCLEAR: N_(
        "%(domain)s: it is not clear whether meeting the conditions changes acceptance: "
        "%(difference)s."
    ),
}
MOST_CONDITIONAL = N_(
    "Acceptance depends most on the conditions for %(application)s: %(without)s accept it as "
    "it is, %(with)s if the conditions are met; a difference of %(difference)s."
)
GROUP = N_(
    "%(application)s: acceptance differs between groups by “%(question)s”. Highest: "
    "%(high_group)s, %(high)s. Lowest: %(low_group)s, %(low)s (Rao-Scott test, p %(p)s)."
)
GROUPS_NOTE = N_(
    "Differences between groups are tested with the Rao-Scott test of independence, which "
    "takes the weighting into account. Only differences with p below 0.05 are mentioned; "
    "groups with hidden figures are left out of the test. Among many comparisons, some come "
    "out significant by chance."
)
NO_GROUPS = N_("No difference in acceptance between groups passes its test.")
CHANGE_ACCEPTANCE = {
    Difference.MORE: N_(
        "%(label)s: acceptance rose since wave %(previous)s, from %(earlier)s to %(later)s: "
        "%(difference)s."
    ),
    Difference.LESS: N_(
        "%(label)s: acceptance fell since wave %(previous)s, from %(earlier)s to %(later)s: "
        "%(difference)s."
    ),
}
CHANGE_CONDITION = {
    Difference.MORE: N_(
        "%(label)s: more people call “%(condition)s” necessary than in wave %(previous)s, from "
        "%(earlier)s to %(later)s: %(difference)s."
    ),
    Difference.LESS: N_(
        "%(label)s: fewer people call “%(condition)s” necessary than in wave %(previous)s, "
        "from %(earlier)s to %(later)s: %(difference)s."
    ),
}
NO_CHANGES = N_("No comparable figure changed by more than chance since wave %(previous)s.")
FIRST_WAVE = N_(
    "This is the first wave of the consultation with responses: there is nothing to compare "
    "with yet."
)
CHANGES_NOTE = N_(
    "Changes are tested with a z test for independent samples. Only figures whose questions "
    "mean the same in both waves are compared, and only changes with p below 0.05 are "
    "mentioned."
)


def findings(report: OverviewFigures, lang: str) -> Findings:
    """The summary of a wave's figures in `lang`."""
    question_set = report.design.question_set
    summary = report.summary
    if summary is None:
        return Findings((), (), (), (), translate(GROUPS_NOTE, lang), (), "")
    acceptance: list[str] = []
    conditions: list[str] = []
    lift: list[str] = []
    apps = {app.application: app for app in summary.applications}
    for domain in summary.domains:
        label = term_label(question_set, "domain", domain.domain, lang)
        if _shown(domain.acceptance):
            word = share_word(domain.acceptance.ci_low, domain.acceptance.ci_high)
            assert word is not None
            acceptance.append(
                translate(ACCEPTANCE[word], lang)
                % {"domain": label, "figure": _figure(domain.acceptance, lang)}
            )
        conditions += _conditions(question_set, label, domain.conditions, lang)
        for code in domain.applications:
            conditions += _application_first(question_set, apps[code], domain.conditions, lang)
        if domain.lift is not None and _shown(domain.lift):
            word_ = difference_word(domain.lift.ci_low, domain.lift.ci_high)
            assert word_ is not None
            lift.append(
                translate(LIFT[word_], lang)
                % {
                    "domain": label,
                    "difference": _difference(
                        domain.lift.estimate, domain.lift.ci_low, domain.lift.ci_high, lang
                    ),
                }
            )
    lift += _most_conditional(question_set, summary.applications, lang)
    groups = _groups(report, lang)
    return Findings(
        tuple(acceptance),
        tuple(conditions),
        tuple(lift),
        groups or (translate(NO_GROUPS, lang),),
        translate(GROUPS_NOTE, lang),
        _changes(report, lang),
        translate(CHANGES_NOTE, lang) if report.previous else "",
    )


def _conditions(question_set: QuestionSet, label: str, shares: tuple, lang: str) -> list[str]:
    """The condition called necessary most often, and whether it leads the next one."""
    if not shares or not _shown(shares[0].necessary):
        return []
    top = shares[0]
    name = term_label(question_set, "condition", top.condition, lang)
    text = translate(TOP_CONDITION, lang) % {
        "domain": label,
        "condition": name,
        "figure": _figure(top.necessary, lang),
    }
    versus = top.versus_next
    if versus is not None and not versus.suppressed:
        word = difference_word(versus.ci_low, versus.ci_high)
        if word in AHEAD:
            text += " " + translate(AHEAD[word], lang) % {
                "next": term_label(question_set, "condition", versus.second, lang),
                "difference": _difference(versus.difference, versus.ci_low, versus.ci_high, lang),
            }
    return [text]


def _application_first(
    question_set: QuestionSet, app, domain_shares: tuple, lang: str
) -> list[str]:  # type: ignore[no-untyped-def]
    """An application whose first condition is another than its domain's, clearly ahead."""
    if not app.conditions or not domain_shares:
        return []
    top = app.conditions[0]
    versus = top.versus_next
    if (
        top.condition == domain_shares[0].condition
        or not _shown(top.necessary)
        or versus is None
        or versus.suppressed
        or difference_word(versus.ci_low, versus.ci_high) is not Difference.MORE
    ):
        return []
    return [
        translate(APPLICATION_FIRST, lang)
        % {
            "application": term_label(question_set, "application", app.application, lang),
            "condition": term_label(question_set, "condition", top.condition, lang),
            "figure": _figure(top.necessary, lang),
            "next": term_label(question_set, "condition", versus.second, lang),
            "difference": _difference(versus.difference, versus.ci_low, versus.ci_high, lang),
        }
    ]


def _most_conditional(question_set: QuestionSet, applications: tuple, lang: str) -> list[str]:
    """The application whose acceptance rises most when its conditions are met (clearly)."""
    clear = [
        app
        for app in applications
        if app.lift is not None
        and _shown(app.lift.lift)
        and _shown(app.lift.conditional)
        and _shown(app.lift.unconditional)
        and difference_word(app.lift.lift.ci_low, app.lift.lift.ci_high) is Difference.MORE
    ]
    if not clear:
        return []
    app = max(clear, key=lambda a: a.lift.lift.estimate)
    figures = app.lift
    return [
        translate(MOST_CONDITIONAL, lang)
        % {
            "application": term_label(question_set, "application", app.application, lang),
            "without": _figure(figures.unconditional, lang),
            "with": _figure(figures.conditional, lang),
            "difference": _difference(
                figures.lift.estimate, figures.lift.ci_low, figures.lift.ci_high, lang
            ),
        }
    ]


def _groups(report: OverviewFigures, lang: str) -> tuple[str, ...]:
    """The largest differences between groups whose Rao-Scott test passes."""
    question_set = report.design.question_set
    passing = [
        d
        for d in report.subgroup_differences
        if d.test is not None
        and d.test.result is not None
        and passes(d.test.result.p_value)
        and _shown(d.highest)
        and _shown(d.lowest)
    ]
    passing.sort(key=lambda d: d.spread, reverse=True)
    return tuple(
        translate(GROUP, lang)
        % {
            "application": term_label(question_set, "application", d.application, lang),
            "question": item_label(question_set, d.variable, lang),
            "high_group": option_label(question_set, d.variable, d.highest.group_code, lang),
            "high": _figure(d.highest, lang),
            "low_group": option_label(question_set, d.variable, d.lowest.group_code, lang),
            "low": _figure(d.lowest, lang),
            "p": p_value(d.test.result.p_value, lang),  # type: ignore[union-attr]
        }
        for d in passing[:TOP_GROUPS]
    )


def _labels(report: OverviewFigures, lang: str) -> dict[tuple[str, object], tuple[str, str | None]]:
    """Per summary figure (item, option) of acceptance or a condition: the application's or
    domain's label and the condition's (None for acceptance)."""
    question_set = report.design.question_set
    out: dict[tuple[str, object], tuple[str, str | None]] = {}
    summary = report.summary
    assert summary is not None
    groups = [
        (term_label(question_set, "application", app.application, lang), app.acceptance,
         app.conditions)
        for app in summary.applications
    ] + [
        (term_label(question_set, "domain", domain.domain, lang), domain.acceptance,
         domain.conditions)
        for domain in summary.domains
    ]  # fmt: skip
    for label, accepting, shares in groups:
        out[(accepting.item, accepting.option)] = (label, None)
        for share in shares:
            condition = term_label(question_set, "condition", share.condition, lang)
            out[(share.necessary.item, share.necessary.option)] = (label, condition)
    return out


def _changes(report: OverviewFigures, lang: str) -> tuple[str, ...]:
    """Acceptance and conditions that changed since the previous wave, by their test: only
    comparable figures (the report pairs no other), the largest changes first."""
    if report.previous is None:
        return (translate(FIRST_WAVE, lang),)
    labels = _labels(report, lang)
    passing: list[tuple[WaveDifference, Difference]] = []
    for change in report.changes:
        word = change_word(change.ci_low, change.ci_high, change.p_value)
        key = (change.later.item, change.later.option)
        if word in (Difference.MORE, Difference.LESS) and key in labels:
            passing.append((change, word))  # type: ignore[arg-type]
    # Acceptance first, then the conditions; the largest changes first within each.
    passing.sort(
        key=lambda pair: (
            labels[(pair[0].later.item, pair[0].later.option)][1] is not None,
            -abs(pair[0].difference),
        )
    )
    out = []
    for change, word in passing[:TOP_CHANGES]:
        label, condition = labels[(change.later.item, change.later.option)]
        values = {
            "label": label,
            "condition": condition or "",
            "previous": report.previous,
            "earlier": percent(change.earlier.estimate, lang),
            "later": percent(change.later.estimate, lang),
            "difference": _difference(change.difference, change.ci_low, change.ci_high, lang),
        }
        sentences = CHANGE_ACCEPTANCE if condition is None else CHANGE_CONDITION
        out.append(translate(sentences[word], lang) % values)
    if not out:
        return (translate(NO_CHANGES, lang) % {"previous": report.previous},)
    return tuple(out)
