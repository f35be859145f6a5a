"""Masking what could identify a respondent in an open answer before a researcher reads it.

Anything that looks like an e-mail address, an IBAN, a phone number (Dutch forms: 06-12345678,
+31 6 1234 5678, 020 123 4567, 0031 ...) or a postcode with its house number (1234 AB 12,
Kerkstraat 12, 1234AB) is replaced by a marker saying what was there. The patterns lean towards
masking too much: a researcher loses a number now and then, a respondent never their address.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# NL91 ABNA 0417 1643 00 and other countries' forms: two letters, two check digits, then
# 11 to 30 letters and digits, in groups of four or not.
IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}\b")
# A Dutch number: +31, 0031 or 0, then nine digits (an optional "(0)" after the country code),
# with spaces, dots or dashes anywhere between.
PHONE = re.compile(r"(?:\+31|\b0031|\b0)(?:[\s.-]*\(0\))?(?:[\s.-]*\d){9}(?!\d)")
# 1234 AB (capitals, or small letters written against the digits) with the house number before
# or after it, e.g. "Kerkstraat 12, 1234 AB" or "1234AB 12-a".
_POSTCODE = r"\b[1-9]\d{3}(?:\s?[A-Z]{2}|[a-z]{2})\b"
_NUMBER = r"\d{1,5}(?:\s?-?\s?[A-Za-z]\b|\s?-\s?\d{1,4})?"
POSTCODE = re.compile(rf"(?:{_NUMBER},?\s+)?{_POSTCODE}(?:,?\s+{_NUMBER}\b)?")
# A street and house number without a postcode: a word ending in a Dutch street word.
STREET = re.compile(
    r"\b[A-Za-z][\w'-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|steeg|hof|pad)"
    rf"\s+{_NUMBER}\b",
    re.IGNORECASE,
)

MARKERS = {
    "email": "[e-mail]",
    "iban": "[IBAN]",
    "phone": "[tel.]",
    "postcode": "[adres]",
}


def mask(text: str, *, blank: bool = False) -> str:
    """The text with every e-mail address, IBAN, phone number and address replaced by its
    marker (or, `blank`, by a space: what suggested themes are made of must not hold them)."""
    marker = {kind: " " if blank else label for kind, label in MARKERS.items()}
    text = EMAIL.sub(marker["email"], text)
    text = IBAN.sub(marker["iban"], text)
    text = PHONE.sub(marker["phone"], text)
    text = POSTCODE.sub(marker["postcode"], text)
    return STREET.sub(marker["postcode"], text)
