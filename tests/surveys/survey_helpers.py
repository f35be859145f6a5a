"""Small helpers shared by the surveys tests (no conftest, so names cannot clash)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = FIXTURES / "example.yaml"

HEAD = """\
consultation:
  slug: test
  title: Test
wave: test-2026
languages: [nl]
"""


def question_set_yaml(pages: str, head: str = HEAD) -> str:
    """A question set with the standard head and the given `pages:` list (dedented)."""
    return head + "pages:\n" + dedent(pages)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing `fragment` (to keep line asserts honest)."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{fragment!r} not found {occurrence} times")
