"""Forms of the organizers' pages; each says what is wrong in plain words."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.forms import choices
from consult.models import WaveMode
from consult.organizing.waves import (
    CELL_SIZE_RANGE,
    DEFAULT_MIN_CELL_SIZE,
    MAX_CELL_SIZE,
    MIN_CELL_SIZE,
)

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
        default=DEFAULT_MIN_CELL_SIZE,
        validators=[
            NumberRange(
                MIN_CELL_SIZE,
                MAX_CELL_SIZE,
                message=lazy_gettext(CELL_SIZE_RANGE, low=MIN_CELL_SIZE, high=MAX_CELL_SIZE),
            ),
        ],
    )


class WholeNumberField(IntegerField):
    """A whole number whose only error is its validators' (text that is no number included),
    so the organizer reads one message that gives the bounds and why."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class SettingsForm(FlaskForm):
    """A wave's settings that may change while it runs: the minimum cell size."""

    min_cell_size = WholeNumberField(
        lazy_gettext("Minimum respondents per published cell"),
        validators=[
            InputRequired(
                message=lazy_gettext(CELL_SIZE_RANGE, low=MIN_CELL_SIZE, high=MAX_CELL_SIZE)
            ),
            NumberRange(
                MIN_CELL_SIZE,
                MAX_CELL_SIZE,
                message=lazy_gettext(CELL_SIZE_RANGE, low=MIN_CELL_SIZE, high=MAX_CELL_SIZE),
            ),
        ],
        description=lazy_gettext(
            "A figure about fewer respondents than this is not published, so nobody can be "
            "recognised in the results. A higher number protects more and shows less. From "
            "%(low)s to %(high)s; the default is %(default)s. The published results follow the "
            "new number at once.",
            low=MIN_CELL_SIZE,
            high=MAX_CELL_SIZE,
            default=DEFAULT_MIN_CELL_SIZE,
        ),
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
    rescale = BooleanField(
        lazy_gettext("Rescale shares that add up to 1 only within rounding"),
        description=lazy_gettext(
            "For shares taken rounded from a published table, e.g. three decimals that add up "
            "to 0.999: each share of that variable is multiplied so they add up to exactly 1. "
            "Only a difference that rounding can explain is rescaled; the page says by how much."
        ),
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
