"""The `consult` command: one module per command group, each a thin shell over the services."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from consult.cli.audit import audit_disclosure
from consult.cli.backup import backup_command, restore_command
from consult.cli.db import db_group
from consult.cli.export import export
from consult.cli.purge import purge
from consult.cli.report import report
from consult.cli.responses import responses_group
from consult.cli.serve import serve
from consult.cli.surveys import surveys_group
from consult.cli.themes import themes_group
from consult.cli.users import users_group
from consult.cli.waves import waves_group


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(surveys_group)
    app.cli.add_command(users_group)
    app.cli.add_command(waves_group)
    app.cli.add_command(responses_group)
    app.cli.add_command(report)
    app.cli.add_command(export)
    app.cli.add_command(audit_disclosure)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(purge)
    app.cli.add_command(themes_group)


def _create_app() -> Flask:
    from consult.app import compute_on_one_core, create_app

    compute_on_one_core()
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """Consult: citizen consultations with weighted, honest results."""


main.add_command(serve)
