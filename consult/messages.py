"""Messages that services give organizers, kept language-neutral until the web layer shows them.

Services never import Flask, so they cannot translate: an `ExplainedError` carries the English
sentence (a gettext msgid with `%(name)s` placeholders, marked with `N_` for `make translations`)
and its parameters. Views translate it with `consult.i18n.explain`; the command line prints the
English sentence (`str(error)`).
"""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "translate later")
    """Mark `message` for extraction into the catalogues; it is translated where it is shown."""
    return message


class ExplainedError(ValueError):
    """An action that cannot be done; the message says why, in plain words.

    A parameter may be a list of `ExplainedError`s (several problems of one file): each is
    translated in turn and they are joined with semicolons.
    """

    def __init__(self, message: str, /, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(self.translated(lambda text: text))

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of `gettext` (the identity gives the English)."""
        if not self.params:
            return gettext(self.message)
        params = {
            name: "; ".join(p.translated(gettext) for p in value)
            if isinstance(value, list)
            else value
            for name, value in self.params.items()
        }
        return gettext(self.message) % params
