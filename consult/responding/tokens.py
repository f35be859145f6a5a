"""Resume and invitation codes: 160 random bits, easy to copy by hand, stored only as a hash."""

from __future__ import annotations

import base64
import hashlib
import secrets

# 160 random bits, written as 32 base-32 characters in groups of four: easy to copy by hand.
RESUME_TOKEN_BYTES = 20


def new_resume_token() -> str:
    return token_from_bytes(secrets.token_bytes(RESUME_TOKEN_BYTES))


def token_from_bytes(raw: bytes) -> str:
    """`RESUME_TOKEN_BYTES` bytes (random, or from a keyed hash) written as a code."""
    text = base64.b32encode(raw[:RESUME_TOKEN_BYTES]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalize_resume_token(text: str) -> str:
    """Accept a code typed with spaces, lower case or without dashes. Codes are ASCII: any
    other character (an accented letter, another script's digit) is left out, so such a code
    is simply not recognised."""
    raw = "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def hash_token(token: str) -> str:
    """Tokens have 160 random bits, so one SHA-256 is enough to make a stolen table useless."""
    return hashlib.sha256(normalize_resume_token(token).encode("ascii")).hexdigest()
