"""Forms of signing in and of managing accounts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Length, Regexp

from consult.forms import choices
from consult.models import Role

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


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
