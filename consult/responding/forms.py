"""Forms of the citizens' pages that are not questionnaire pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length


class StartForm(FlaskForm):
    """Consent before the first question: nothing is stored until the box is ticked."""

    consent = BooleanField(validators=[DataRequired(message="consent_required")])


class InvitedStartForm(StartForm):
    """Invitation-only waves: the one-time code from the invitation letter starts the response."""

    invitation = StringField(
        validators=[DataRequired(message="invitation_unknown"), Length(max=80)]
    )


class ResumeForm(FlaskForm):
    code = StringField(validators=[DataRequired(message="resume_unknown"), Length(max=80)])
