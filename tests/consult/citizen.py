"""A citizen taking a consultation through the Flask test client, as a browser would."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from surveys.loader import load_file
from surveys.model import Item, QuestionSet
from tests.consult.conftest import csrf_from

PAGE_URL = re.compile(r"/c/(?P<wave>[\w-]+)/page/(?P<position>[0-9]+)$")
SHOWN_PAGE = re.compile(r'name="shown_page" value="(?P<page>[^"]+)"')


def valid_fields(item: Item) -> dict[str, list[str]]:
    """Form fields that answer `item` validly (the first option, the lowest allowed number...)."""
    plain = [c for c in item.choices if not c.missing and not c.exclusive]
    if item.type in ("single", "likert"):
        return {item.code: [str(plain[-1].code)]}
    if item.type == "multiple":
        count = int(item.min or 1)
        return {item.code: [str(c.code) for c in plain[:count]]}
    if item.type == "battery":
        return {row.code: [str(plain[0].code)] for row in item.rows}
    if item.type == "ranking":
        return {f"{item.code}.{c.code}": [str(rank)] for rank, c in enumerate(item.choices, 1)}
    if item.type == "number":
        return {item.code: [str(int(item.min) if item.min is not None else 1)]}
    if item.type == "slider":
        return {item.code: [str(int(item.max if item.max is not None else 10))]}
    if item.type in ("text", "textarea"):
        return {item.code: ["Zorgen over veiligheid & <script>"]}
    return {}


class Citizen:
    def __init__(self, client: FlaskClient, wave: str, question_set_path: Path) -> None:
        self.client = client
        self.wave = wave
        self.question_set: QuestionSet = load_file(question_set_path)
        self.last: TestResponse | None = None
        self.pages_seen: list[str] = []

    @property
    def html(self) -> str:
        assert self.last is not None
        return self.last.get_data(as_text=True)

    @property
    def page_id(self) -> str | None:
        """The id of the question page shown: named in the form, never in the address."""
        assert self.last is not None
        if not PAGE_URL.search(self.last.request.path):
            return None
        match = SHOWN_PAGE.search(self.html)
        return match.group("page") if match else None

    @property
    def position(self) -> int | None:
        """The position in the address of the question page shown (1 for the first)."""
        assert self.last is not None
        match = PAGE_URL.search(self.last.request.path)
        return int(match.group("position")) if match else None

    def get(self, url: str) -> TestResponse:
        self.last = self.client.get(url, follow_redirects=True)
        return self.last

    def post(self, url: str, fields: dict[str, list[str]] | dict[str, str]) -> TestResponse:
        data = dict(fields)
        if "csrf_token" not in data:
            data["csrf_token"] = csrf_from(self.html)
        self.last = self.client.post(url, data=data, follow_redirects=True)
        return self.last

    def start(self) -> TestResponse:
        self.get(f"/c/{self.wave}")
        return self.post(f"/c/{self.wave}/start", {"consent": "y"})

    def answer(self, fields: dict[str, list[str]], action: str = "next") -> TestResponse:
        where = self.last and self.last.request.path
        assert self.position, f"not on a question page but on {where}"
        return self.post(f"/c/{self.wave}/page/{self.position}", {**fields, "action": [action]})

    def answer_page_validly(self, overrides: dict[str, list[str]] | None = None) -> TestResponse:
        page_id = self.page_id
        assert page_id
        self.pages_seen.append(page_id)
        fields: dict[str, list[str]] = {}
        for item in self.question_set.page(page_id).items:
            fields.update(valid_fields(item))
        fields.update({k: v for k, v in (overrides or {}).items() if k in fields})
        return self.answer(fields)

    def answer_all_pages(
        self, overrides: dict[str, list[str]] | None = None, limit: int = 100
    ) -> None:
        """Answer every remaining page validly; `overrides` replace answers where they apply."""
        for _ in range(limit):
            if self.page_id is None:
                return
            response = self.answer_page_validly(overrides)
            assert response.status_code == 200, self.html
        raise AssertionError("the questionnaire did not end")

    def submit(self) -> TestResponse:
        return self.post(f"/c/{self.wave}/review", {})

    def complete(self) -> TestResponse:
        self.start()
        self.answer_all_pages()
        return self.submit()
