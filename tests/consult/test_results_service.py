"""A wave's figures are computed once per state of its counts: kept while nothing changes, new
as soon as a response completes or the margins change."""

from __future__ import annotations

from flask import Flask

from consult.extensions import db as database
from consult.organizing import queries as organizing_queries
from consult.results import service
from consult.results.service import results_state, wave_overview, wave_results


def test_figures_are_kept_until_the_counts_or_the_margins_move(
    app: Flask, simulated_wave: str
) -> None:
    service.clear()
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, simulated_wave)
        assert wave is not None
        first = wave_results(database.session, wave)
        assert wave_results(database.session, wave) is first
        state = results_state(database.session, wave)
        assert state.respondents == 600

    more = app.test_cli_runner().invoke(
        args=["responses", "simulate", "--wave", simulated_wave, "-n", "3", "--seed", "8"]
    )
    assert more.exit_code == 0, more.output
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, simulated_wave)
        assert wave is not None
        moved = results_state(database.session, wave)
        assert moved.respondents == 603 and moved.etag != state.etag
        second = wave_results(database.session, wave)
        assert second is not first and second.design.weights.n == 603
        wave.min_cell_size += 1
        assert results_state(database.session, wave).etag != moved.etag


def test_the_overview_is_computed_alone_and_shared_by_every_report(
    app: Flask, simulated_wave: str
) -> None:
    """The overview page waits only for the overview's figures; a report by any grouping
    reuses them instead of computing the acceptance summary again."""
    service.clear()
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, simulated_wave)
        assert wave is not None
        overview = wave_overview(database.session, wave)
        assert overview.summary is not None and overview.summary.applications
        assert len(service.OVERVIEWS.values) == 1 and not service.KEPT.values
        overall = wave_results(database.session, wave)
        by_age = wave_results(database.session, wave, by="AGE_GROUP")
        assert overall.overview is overview and by_age.overview is overview
        assert by_age.summary is overview.summary
        assert {row.group for row in by_age.estimates} == {"AGE_GROUP"}
        assert wave_overview(database.session, wave) is overview
