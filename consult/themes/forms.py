"""Forms of the codebook pages; each says what is wrong in plain words."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from consult.themes.codebook import CODE, MAX_NAME

NAME_LENGTH = lazy_gettext("A name has at most %(max)s characters.", max=MAX_NAME)


class EditThemeForm(FlaskForm):
    """A theme's names and keywords; its code stays (figures and exports name it)."""

    name_nl = StringField(
        lazy_gettext("Dutch name"),
        validators=[
            DataRequired(message=lazy_gettext("Give the Dutch name.")),
            Length(max=MAX_NAME, message=NAME_LENGTH),
        ],
    )
    name_en = StringField(
        lazy_gettext("English name"),
        validators=[
            DataRequired(message=lazy_gettext("Give the English name.")),
            Length(max=MAX_NAME, message=NAME_LENGTH),
        ],
    )
    keywords = TextAreaField(
        lazy_gettext("Keywords and phrases"),
        validators=[DataRequired(message=lazy_gettext("Give at least one keyword or phrase."))],
        description=lazy_gettext(
            "One per line (or separated by semicolons), in Dutch or English. Answers are matched "
            "on word stems, without accents or punctuation: 'veiligheid' also finds 'veilig'."
        ),
    )


class ThemeForm(EditThemeForm):
    """A new theme, or a suggestion accepted as one."""

    code = StringField(
        lazy_gettext("Code"),
        filters=[lambda text: (text or "").strip().upper()],
        validators=[
            DataRequired(message=lazy_gettext("Give the theme a code.")),
            Regexp(
                CODE,
                message=lazy_gettext(
                    "Use 1 to 32 capital letters, digits or underscores, starting with a letter."
                ),
            ),
        ],
        description=lazy_gettext("e.g. SAFETY; it names the theme in every download"),
    )


class ImportForm(FlaskForm):
    file = FileField(
        lazy_gettext("Codebook (CSV: code, name_nl, name_en, keywords)"),
        validators=[FileRequired(message=lazy_gettext("Choose a CSV file to upload."))],
    )


class SuggestForm(FlaskForm):
    wave = SelectField(
        lazy_gettext("Wave whose open answers to cluster"),
        validators=[DataRequired(message=lazy_gettext("Choose a wave."))],
    )
