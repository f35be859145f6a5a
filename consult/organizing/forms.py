"""Forms of the organizers' pages; each says what is wrong in plain words."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.forms import choices
from consult.models import WaveMode


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
