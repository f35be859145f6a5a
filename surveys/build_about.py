"""Reads the `about` key: the consultation's sender, contact, statements and dates (see
surveys/README.md, "About the consultation")."""

from __future__ import annotations

import datetime as dt
import re

from surveys.build_base import _Readers
from surveys.messages import Message
from surveys.model import About, Privacy, Text
from surveys.tree import _Map
from surveys.vocabulary import ABOUT_KEYS, PRIVACY_KEYS

#: A logo is a file name in the app's static folder: no directories, an image suffix.
LOGO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.(svg|png)")


class _AboutReader(_Readers):
    def read_about(self, data: _Map) -> About | None:
        about = data.get("about")
        if about is None:
            return None
        where = Message("'about'")
        if not isinstance(about, _Map):
            self.problem(data.line_of("about"), "'about' must be a set of keys (sender:, ...)")
            return None
        self.check_keys(about, ABOUT_KEYS, where)
        sender = self.required_text(about, "sender", Message("the sender"), where)
        contact = self.required_text(about, "contact", Message("the contact address"), where)
        accessibility = self.required_text(
            about, "accessibility", Message("the accessibility statement"), where
        )
        privacy = self.read_privacy(about)
        results_where = self.optional_text(about, "results_where", Message("'results_where'"))
        logo = about.get("logo")
        if logo is not None and not (isinstance(logo, str) and LOGO.fullmatch(logo)):
            self.problem(
                about.line_of("logo"),
                "'logo' must be the name of an .svg or .png file in the app's static folder, "
                "such as logo-ienw.svg",
            )
            logo = None
        closes_on = self.date(about, "closes_on")
        results_on = self.date(about, "results_on")
        if sender is None or contact is None or accessibility is None or privacy is None:
            return None
        return About(
            sender=sender,
            contact=contact,
            privacy=privacy,
            accessibility=accessibility,
            logo=logo,
            closes_on=closes_on,
            results_on=results_on,
            results_where=results_where,
        )

    def read_privacy(self, about: _Map) -> Privacy | None:
        privacy = about.get("privacy")
        where = Message("the privacy statement")
        if privacy is None:
            self.missing(about.line_of("privacy"), Message("'about'"), "privacy")
            return None
        if not isinstance(privacy, _Map):
            self.problem(
                about.line_of("privacy"),
                "'privacy' must be a set of keys (controller:, purpose:, legal_basis:, "
                "retention:, rights:)",
            )
            return None
        self.check_keys(privacy, PRIVACY_KEYS, where)
        parts: dict[str, Text | None] = {
            key: self.required_text(
                privacy,
                key,
                Message("part '%(key)s' of the privacy statement", {"key": key}),
                where,
            )
            for key in PRIVACY_KEYS
        }
        found = {key: text for key, text in parts.items() if text is not None}
        if len(found) < len(PRIVACY_KEYS):
            return None
        return Privacy(**found)

    def date(self, mapping: _Map, key: str) -> dt.date | None:
        """A date written as 2027-01-31 (YAML reads it as a date; XLSForm as text)."""
        value = mapping.get(key)
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        if isinstance(value, dt.datetime):
            return value.date()
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem(
                mapping.line_of(key), "'%(key)s' must be a date such as 2027-01-31", key=key
            )
            return None
