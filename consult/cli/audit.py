"""`consult audit-disclosure`: does the suppression of a wave's published tables hold against an
attacker who holds them all? (`consult.results.audit`.) Exits with 1 when it does not."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from consult.cli.report import counted_wave
from consult.extensions import db
from consult.results.audit import CRITERION, Audit, audit_wave
from consult.results.design import ResultsError
from consult.results.tables import LANGUAGES


def _bound(value: float) -> str:
    return "no limit" if value == float("inf") else f"{value:g}"


def audit_text(audit: Audit) -> str:
    """The audit in plain words (labels in the language asked for)."""
    lines = [
        f"Disclosure audit of {audit.wave} (minimum cell size {audit.minimum}), overall and by "
        f"{len(audit.groupings)} grouping(s): {audit.tables:,} tables, {audit.counts:,} "
        f"published counts, {audit.suppressed:,} suppressed; {audit.checked:,} suppressed "
        f"small counts checked with {audit.programs:,} linear programs in "
        f"{audit.seconds:.1f} s.",
        f"Criterion: {CRITERION}",
    ]
    if audit.narrow:
        lines.append(
            f"{len(audit.narrow)} suppressed count(s) can be narrowed down"
            + (
                " (the search stopped there: there may be more; --limit 0 finds all):"
                if audit.stopped
                else ":"
            )
        )
        for found in audit.narrow:
            allowed = ""
            if found.allowed_low > 0 or found.allowed_high < audit.minimum:
                allowed = (
                    f" (the overall tables alone allow {found.allowed_low:g} to "
                    f"{_bound(found.allowed_high)})"
                )
            lines.append(
                f"  {found.table}: {found.label}: {found.count} respondent(s); the published "
                f"figures allow {found.low:g} to {_bound(found.high)}, the rule promises 0 to "
                f"{audit.minimum}{allowed}."
            )
    for mismatch in audit.mismatches:
        lines.append(f"Mismatch: {mismatch}.")
    if audit.holds:
        lines.append(
            f"Every suppressed small count can be anything from 0 to at least {audit.minimum}: "
            "the suppression holds."
        )
    return "\n".join(lines)


@click.command(
    "audit-disclosure",
    help="Check that no suppressed small count of a wave's published tables (overall, by "
    "subgroup, the summary) can be narrowed down from the others; exit 1 if one can.",
)
@click.option("--wave", "wave_slug", required=True)
@click.option(
    "--by",
    "groupings",
    multiple=True,
    help="A single-choice item to audit the tables by (repeat it); default: every one.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Stop after finding this many narrow counts (0: find every one).",
)
@click.option("--json", "as_json", is_flag=True, help="The audit as JSON.")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="nl",
    show_default=True,
    help="Language of the questions' and options' labels.",
)
@with_appcontext
def audit_disclosure(
    wave_slug: str, groupings: tuple[str, ...], limit: int, as_json: bool, lang: str
) -> None:
    wave = counted_wave(wave_slug)
    try:
        audit = audit_wave(
            db.session, wave, list(groupings) or None, lang=lang, limit=limit or None
        )
    except ResultsError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(audit.as_json(), indent=1, ensure_ascii=False))
    else:
        click.echo(audit_text(audit))
    if not audit.holds:
        raise SystemExit(1)
