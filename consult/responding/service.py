"""Taking a consultation: starting, saving each page, resuming and submitting a response.

These functions change state and flush; the request that calls them commits once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consult.counting.one import cell_key
from consult.counting.plan import plan_of
from consult.counting.service import count_completed_response
from consult.models import QuestionSetVersion, Response, ResponseStatus, Wave
from consult.organizing.question_sets import question_set_of
from consult.responding import queries
from consult.responding.tokens import hash_token, new_resume_token
from surveys.layout import Layout, PagePlan, plan_layout, visible_items, visible_pages
from surveys.model import AnswerCell, Item, QuestionSet, Value
from surveys.types import PageAnswers, answers_from_cells


@dataclass
class ResponseState:
    """A response with its question set, the order it was shown, and its answers so far."""

    response: Response
    question_set: QuestionSet
    layout: Layout
    cells: list[AnswerCell]  # as stored, in the order they were stored
    answers: dict[str, Value]

    @property
    def pages(self) -> list[PagePlan]:
        """The pages this respondent is shown, given the answers so far."""
        return visible_pages(self.question_set, self.layout, self.answers)

    def page(self, page_id: str) -> PagePlan | None:
        return next((plan for plan in self.pages if plan.page_id == page_id), None)

    def items(self, plan: PagePlan) -> list[Item]:
        return visible_items(self.question_set, plan, self.answers)

    def next_page_id(self, page_id: str) -> str | None:
        """The page after `page_id` (None when it is the last), evaluated on current answers."""
        ids = [plan.page_id for plan in self.pages]
        if page_id not in ids:
            return ids[0] if ids else None
        position = ids.index(page_id)
        return ids[position + 1] if position + 1 < len(ids) else None

    def previous_page_id(self, page_id: str) -> str | None:
        ids = [plan.page_id for plan in self.pages]
        if page_id not in ids:
            return None
        position = ids.index(page_id)
        return ids[position - 1] if position > 0 else None

    def first_page_missing_required(self) -> str | None:
        """The first shown page with a required question left open (pages can be skipped by URL)."""
        for plan in self.pages:
            for item in self.items(plan):
                if item.required and any(code not in self.answers for code in item.answer_codes):
                    return plan.page_id
        return None

    def resume_page_id(self) -> str | None:
        """Where a returning respondent continues: the last page they reached, if still shown."""
        ids = [plan.page_id for plan in self.pages]
        last = self.response.last_page_id
        if last in ids:
            return last
        return ids[0] if ids else None


def start_response(
    session: Session, wave: Wave, language: str, today: dt.date, *, token: str | None = None
) -> tuple[Response, str]:
    """Create a response with a resume token and this respondent's random order.

    A `token` derived from the browser (`resume_cookie.browser_token`) makes parallel clicks on
    start in one browser meet on one response: the token's hash is unique, so the second insert
    does nothing and takes the response the first one made (which may be complete already).
    """
    token = token or new_resume_token()
    existing = find_response(session, wave, token)
    if existing is not None:
        return existing, token
    seed = secrets.randbits(31)
    question_set = question_set_of(wave.question_set_version)
    layout = plan_layout(question_set, seed)
    queries.insert_response_once(
        session,
        {
            "public_id": secrets.token_hex(16),
            "wave_id": wave.id,
            "question_set_version_id": wave.question_set_version_id,
            "status": ResponseStatus.IN_PROGRESS,
            "language": language,
            "started_on": today,
            "resume_token_hash": hash_token(token),
            "order_seed": seed,
            "layout": layout.to_json(),
            "last_page_id": layout.pages[0].page_id if layout.pages else None,
        },
    )
    response = find_response(session, wave, token)
    assert response is not None, "a response inserted or found by its token"
    return response, token


def find_response(
    session: Session, wave: Wave, token: str, *, for_update: bool = False
) -> Response | None:
    return queries.response_by_token_hash(session, wave, hash_token(token), for_update=for_update)


def load_state(session: Session, response: Response) -> ResponseState:
    version = session.get(QuestionSetVersion, response.question_set_version_id)
    assert version is not None  # guaranteed by the foreign key
    question_set = question_set_of(version)
    cells = queries.answer_cells(session, response)
    return ResponseState(
        response=response,
        question_set=question_set,
        layout=Layout.from_json(response.layout),
        cells=cells,
        answers=answers_from_cells(question_set, cells),
    )


def save_page(
    session: Session,
    state: ResponseState,
    plan: PagePlan,
    parsed: PageAnswers,
    *,
    only_valid: bool = False,
) -> None:
    """Store one page's answers, replacing what was stored for that page's items before.

    Items of the page that are not shown lose their stored answers; with `only_valid`, items whose
    input was invalid keep what they had. `state` follows, so the request need not read the
    answers again.
    """
    page = state.question_set.page(plan.page_id)
    skip = set(parsed.errors) if only_valid else set()
    codes = [code for item in page.items if item.code not in skip for code in item.answer_codes]
    cells = [
        cell for cell in parsed.cells if state.question_set.owner_of(cell.code).code not in skip
    ]
    queries.replace_answers(session, state.response, codes, cells)
    replaced = set(codes)
    state.cells = [cell for cell in state.cells if cell.code not in replaced] + list(cells)
    state.answers = answers_from_cells(state.question_set, state.cells)


def submit(
    session: Session, state: ResponseState, today: dt.date, *, duration_minutes: int | None = None
) -> bool:
    """Mark the response complete; returns False when it already was (a replay or double click)."""
    response = state.response
    if response.status == ResponseStatus.COMPLETE:
        return False
    shown = {
        code for plan in state.pages for item in state.items(plan) for code in item.answer_codes
    }
    queries.delete_answers_except(session, response, shown)
    response.status = ResponseStatus.COMPLETE
    response.submitted_on = today
    response.duration_minutes = duration_minutes
    session.flush()
    final = [cell for cell in state.cells if cell.code in shown]  # what is left stored
    response.cell = cell_key(plan_of(state.question_set), final)
    count_completed_response(session, response.wave, state.question_set, response.cell, final)
    return True
