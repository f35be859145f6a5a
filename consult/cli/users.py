"""`consult users`: staff accounts."""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from consult.accounts import audit, service
from consult.accounts import queries as account_queries
from consult.extensions import db
from consult.models import Role
from consult.organizing import queries


@click.group("users", cls=AppGroup, help="Staff service.")
def users_group() -> None:
    pass


@users_group.command(
    "create", help="Create an account; the password is read from stdin or generated."
)
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--consultation", "consultations", multiple=True, help="Slug an organizer runs.")
def users_create(email: str, role: str, consultations: tuple[str, ...]) -> None:
    typed = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    password = typed or service.generate_password()
    try:
        user = service.create_user(
            db.session,
            email,
            Role(role),
            password,
            dt.date.today(),
            passwords=service.passwords_for(current_app.config["CONSULT"]),
        )
    except service.AccountError as error:
        raise click.ClickException(str(error)) from error
    for slug in consultations:
        consultation = queries.consultation_by_slug(db.session, slug)
        if consultation is None:
            raise click.ClickException(f"there is no consultation {slug}")
        user.consultations.append(consultation)
    audit.record(db.session, "command line", "create user", f"user:{user.email}", detail=role)
    db.commit()
    click.echo(f"Created {user.role.value} {user.email}.")
    if not typed:
        click.echo(f"Password (shown only now): {password}")


@users_group.command(
    "set-password",
    help="Give an account a new password (read from stdin, or generated and shown once); "
    "every session signed in with the old one ends and its personal API tokens are revoked.",
)
@click.argument("email")
def users_set_password(email: str) -> None:
    user = account_queries.user_by_email(db.session, email.strip().lower())
    if user is None:
        raise click.ClickException(f"there is no user {email}")
    typed = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    password = typed or service.generate_password()
    try:
        revoked = service.set_password(
            db.session,
            user,
            password,
            passwords=service.passwords_for(current_app.config["CONSULT"]),
            today=dt.date.today(),
        )
    except service.AccountError as error:
        raise click.ClickException(str(error)) from error
    detail = f"{revoked} API tokens revoked" if revoked else None
    audit.record(db.session, "command line", "set password", f"user:{user.email}", detail=detail)
    db.commit()
    click.echo(
        f"New password set for {user.email}; every session of the account has ended"
        f" and its personal API tokens ({revoked}) are revoked."
    )
    if not typed:
        click.echo(f"Password (shown only now): {password}")
