"""Forms of the citizens' pages that are not questionnaire pages."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

INVITATION_UNKNOWN = lazy_gettext("This invitation code is not valid or has already been used.")
RESUME_UNKNOWN = lazy_gettext("We do not recognise this code. Check that you copied it correctly.")


class StartForm(FlaskForm):
    """Consent before the first question: nothing is stored until the box is ticked."""

    consent = BooleanField(
        lazy_gettext("I have read how my answers are used and I want to take part."),
        validators=[DataRequired(message=lazy_gettext("Tick the box if you want to take part."))],
    )


class InvitedStartForm(StartForm):
    """Invitation-only waves: the one-time code from the invitation letter starts the response."""

    invitation = StringField(
        lazy_gettext("Your invitation code"),
        validators=[
            DataRequired(message=INVITATION_UNKNOWN),
            Length(max=80, message=INVITATION_UNKNOWN),
        ],
    )


class ResumeForm(FlaskForm):
    code = StringField(
        lazy_gettext("Your code"),
        validators=[DataRequired(message=RESUME_UNKNOWN), Length(max=80, message=RESUME_UNKNOWN)],
    )


class ConfirmForm(FlaskForm):
    """A button that changes what this device holds (start again, forget): only its CSRF token."""
