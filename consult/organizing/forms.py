"""Forms of the organizers' pages; each says what is wrong in plain words."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.forms import choices
from consult.models import WaveMode

CHOOSE_FILE = lazy_gettext("Choose a file to upload.")
CHOOSE_VERSION = lazy_gettext("Choose a version.")


class UploadForm(FlaskForm):
    file = FileField(
        lazy_gettext("Question-set file (.yaml or .xlsx)"),
        validators=[FileRequired(message=CHOOSE_FILE)],
    )


class WaveForm(FlaskForm):
    slug = StringField(
        lazy_gettext("Wave name"),
        validators=[
            DataRequired(message=lazy_gettext("Give the wave a name.")),
            Length(min=3, max=64, message=lazy_gettext("A wave name has 3 to 64 characters.")),
        ],
        description=lazy_gettext("e.g. biotech-2027"),
    )
    version = SelectField(
        lazy_gettext("Question-set version"),
        coerce=int,
        validators=[InputRequired(message=CHOOSE_VERSION)],
    )
    mode = SelectField(
        lazy_gettext("Who may answer"),
        choices=choices(
            [
                (WaveMode.OPEN.value, lazy_gettext("Everyone (open)")),
                (WaveMode.INVITE.value, lazy_gettext("Invitation only")),
            ]
        ),
    )
    opens_on = DateField(lazy_gettext("Opens on"), validators=[Optional()])
    closes_on = DateField(lazy_gettext("Closes on"), validators=[Optional()])
    min_cell_size = IntegerField(
        lazy_gettext("Minimum respondents per published cell"),
        default=10,
        validators=[
            NumberRange(1, 1000, message=lazy_gettext("Give a number from 1 to 1000.")),
        ],
    )


class VersionForm(FlaskForm):
    version = SelectField(
        lazy_gettext("Question-set version"),
        coerce=int,
        validators=[InputRequired(message=CHOOSE_VERSION)],
    )


class MarginsForm(FlaskForm):
    file = FileField(
        lazy_gettext("Margins file (CSV: variable,category,share)"),
        validators=[FileRequired(message=CHOOSE_FILE)],
    )


class InvitationsForm(FlaskForm):
    count = IntegerField(
        lazy_gettext("Number of codes"),
        default=100,
        validators=[
            NumberRange(1, 100_000, message=lazy_gettext("Give a number from 1 to 100000.")),
        ],
    )
    output = SelectField(
        lazy_gettext("Deliver as"),
        choices=choices(
            [("csv", lazy_gettext("CSV download")), ("page", lazy_gettext("List on screen"))]
        ),
    )


class RevokeForm(FlaskForm):
    code = StringField(
        lazy_gettext("Code to revoke"),
        validators=[
            Optional(),
            Length(max=80, message=lazy_gettext("A code is at most 80 characters.")),
        ],
        description=lazy_gettext("Leave empty to revoke every unused code of this wave."),
    )
