"""Forms of signing in and of managing accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from consult.forms import INT32_MAX, choices
from consult.models import Role

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ENTER_EMAIL = lazy_gettext("Enter an e-mail address.")
TOO_LONG = lazy_gettext("This is longer than %(max)d characters.")

ROLES = {
    Role.ADMIN: lazy_gettext("admin"),
    Role.ORGANIZER: lazy_gettext("organizer"),
    Role.RESEARCHER: lazy_gettext("researcher"),
}


class LoginForm(FlaskForm):
    email = EmailField(
        lazy_gettext("E-mail"),
        validators=[DataRequired(message=ENTER_EMAIL), Length(max=254, message=TOO_LONG)],
    )
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[
            DataRequired(message=lazy_gettext("Enter your password.")),
            Length(max=200, message=TOO_LONG),
        ],
    )


class UserForm(FlaskForm):
    email = EmailField(
        lazy_gettext("E-mail"),
        validators=[
            DataRequired(message=ENTER_EMAIL),
            Regexp(EMAIL, message=ENTER_EMAIL),
            Length(max=254, message=TOO_LONG),
        ],
    )
    role = SelectField(
        lazy_gettext("Role"), choices=choices((role.value, label) for role, label in ROLES.items())
    )
    consultations = SelectMultipleField(lazy_gettext("Consultations (organizers)"), coerce=int)


class MembershipForm(FlaskForm):
    consultations = SelectMultipleField(lazy_gettext("Consultations"), coerce=int)


class TokenForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name"),
        description=lazy_gettext("What uses the token, e.g. “R script on my laptop”."),
        validators=[
            DataRequired(message=lazy_gettext("Give the token a name.")),
            Length(max=100, message=TOO_LONG),
        ],
    )


class RevokeTokenForm(FlaskForm):
    token_id = IntegerField(validators=[DataRequired(), NumberRange(1, INT32_MAX)])
