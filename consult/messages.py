"""Messages that services give organizers, kept language-neutral until the web layer shows them.

Services never import Flask, so they cannot translate: an `ExplainedError` carries the English
sentence (a gettext msgid with `%(name)s` placeholders, marked with `N_` for `make translations`)
and its parameters. Views translate it with `consult.i18n.explain`; the command line prints the
English sentence (`str(error)`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its message and parameters (an upload is read in a child process,
        which sends its refusal back), so it is still translated where it arrives."""
        return (_rebuilt, (type(self), self.message, self.params))

    def translated(
        self,
        gettext: Callable[[str], str],
        *,
        most: int | None = None,
        more: Callable[[int], str] | None = None,
    ) -> str:
        """The message in the language of `gettext` (the identity gives the English). With
        `most`, a list shows only its first `most` problems and then `more(the rest)`, e.g.
        "and 490 more problems" (a message that travels in a cookie must stay small)."""
        if not self.params:
            return gettext(self.message)
        params = {
            name: self._joined(value, gettext, most, more) if isinstance(value, list) else value
            for name, value in self.params.items()
        }
        return gettext(self.message) % params

    @staticmethod
    def _joined(
        problems: list[ExplainedError],
        gettext: Callable[[str], str],
        most: int | None,
        more: Callable[[int], str] | None,
    ) -> str:
        shown = problems if most is None else problems[:most]
        texts = [p.translated(gettext) for p in shown]
        if len(shown) < len(problems) and more is not None:
            texts.append(more(len(problems) - len(shown)))
        return "; ".join(texts)


def _rebuilt(kind: type[ExplainedError], message: str, params: dict[str, object]) -> Any:
    return kind(message, **params)
