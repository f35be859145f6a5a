"""Forms of the admin pages; each validates its input and says what is wrong in plain words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from consult.models import Role, WaveMode

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Options of a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class UploadForm(FlaskForm):
    file = FileField("Question-set file (.yaml or .xlsx)", validators=[FileRequired()])


class WaveForm(FlaskForm):
    slug = StringField(
        "Wave name",
        validators=[DataRequired(), Length(min=3, max=64)],
        description="e.g. biotech-2027",
    )
    version = SelectField("Question-set version", coerce=int, validators=[InputRequired()])
    mode = SelectField(
        "Who may answer",
        choices=choices(
            [(WaveMode.OPEN.value, "Everyone (open)"), (WaveMode.INVITE.value, "Invitation only")]
        ),
    )
    opens_on = DateField("Opens on", validators=[Optional()])
    closes_on = DateField("Closes on", validators=[Optional()])
    min_cell_size = IntegerField(
        "Minimum respondents per published cell", default=10, validators=[NumberRange(1, 1000)]
    )


class VersionForm(FlaskForm):
    version = SelectField("Question-set version", coerce=int, validators=[InputRequired()])


class MarginsForm(FlaskForm):
    file = FileField("Margins file (CSV: variable,category,share)", validators=[FileRequired()])


class InvitationsForm(FlaskForm):
    count = IntegerField("Number of codes", default=100, validators=[NumberRange(1, 100_000)])
    output = SelectField(
        "Deliver as", choices=choices([("csv", "CSV download"), ("page", "List on screen")])
    )


class RevokeForm(FlaskForm):
    code = StringField(
        "Code to revoke",
        validators=[Optional(), Length(max=80)],
        description="Leave empty to revoke every unused code of this wave.",
    )


class UserForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[
            DataRequired(),
            Regexp(EMAIL, message="Enter an e-mail address."),
            Length(max=254),
        ],
    )
    role = SelectField("Role", choices=choices((role.value, role.value) for role in Role))
    consultations = SelectMultipleField("Consultations (organizers)", coerce=int)


class MembershipForm(FlaskForm):
    consultations = SelectMultipleField("Consultations", coerce=int)


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for buttons that change state."""
