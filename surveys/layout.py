"""The order one respondent meets pages, items and battery rows in.

Randomization fights order effects, but a respondent who resumes must see the same order again,
and analysts must know which order was shown. So the order is a pure function of the question set
and the response's seed (one `random.Random` per block, page or battery, never the global
generator), and it is stored with the response as JSON.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from surveys.expressions import evaluate
from surveys.model import Item, Page, QuestionSet, Value
from surveys.types import question_type


@dataclass(frozen=True)
class PagePlan:
    """One page as a respondent sees it: which items, in which order, with rows in which order."""

    page_id: str
    item_codes: tuple[str, ...]
    row_orders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        frozen = MappingProxyType({code: tuple(rows) for code, rows in self.row_orders.items()})
        object.__setattr__(self, "row_orders", frozen)
        object.__setattr__(self, "item_codes", tuple(self.item_codes))

    def __hash__(self) -> int:
        return hash((self.page_id, self.item_codes, tuple(sorted(self.row_orders.items()))))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PagePlan):
            return NotImplemented
        return (self.page_id, self.item_codes, dict(self.row_orders)) == (
            other.page_id,
            other.item_codes,
            dict(other.row_orders),
        )

    def rows_for(self, item_code: str) -> tuple[str, ...]:
        """The row order of a battery on this page (empty for any other item)."""
        return self.row_orders.get(item_code, ())


@dataclass(frozen=True)
class Layout:
    """Every page a respondent may be shown, in order (page show_if is applied later)."""

    pages: tuple[PagePlan, ...]
    seed: int | None = None

    def __iter__(self) -> Iterator[PagePlan]:
        return iter(self.pages)

    def __len__(self) -> int:
        return len(self.pages)

    @property
    def page_ids(self) -> tuple[str, ...]:
        return tuple(plan.page_id for plan in self.pages)

    def plan_for(self, page_id: str) -> PagePlan:
        """The plan of one page (KeyError when the page is not in this layout, e.g. sampled out)."""
        for plan in self.pages:
            if plan.page_id == page_id:
                return plan
        raise KeyError(page_id)

    def to_json(self) -> str:
        """Compact JSON to store as 'the order shown' with the response."""
        data: dict[str, Any] = {
            "seed": self.seed,
            "pages": [
                {
                    "page": plan.page_id,
                    "items": list(plan.item_codes),
                    "rows": {code: list(rows) for code, rows in plan.row_orders.items()},
                }
                for plan in self.pages
            ],
        }
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Layout:
        """Read back `to_json` output; raises ValueError when the JSON has another shape."""
        try:
            data = json.loads(text)
            seed = data.get("seed")
            if seed is not None and not isinstance(seed, int):
                raise ValueError("seed must be an integer")
            plans = []
            for page in data["pages"]:
                page_id = page["page"]
                items = page["items"]
                rows = page.get("rows", {})
                if not isinstance(page_id, str) or not all(isinstance(c, str) for c in items):
                    raise ValueError("page ids and item codes must be strings")
                if not isinstance(rows, dict):
                    raise ValueError("rows must be an object")
                row_orders = {
                    str(code): tuple(str(row) for row in order) for code, order in rows.items()
                }
                plans.append(PagePlan(page_id, tuple(items), row_orders))
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a stored layout: {exc}") from exc
        return cls(tuple(plans), seed)


def _rng(seed: int, scope: str) -> random.Random:
    """A generator private to one (seed, scope), so adding a block never reshuffles another."""
    return random.Random(f"{seed}:{scope}")  # noqa: S311 - ordering, not security


def _plan_page(page: Page, seed: int) -> PagePlan:
    codes = [item.code for item in page.items]
    if page.randomize_items:
        _rng(seed, f"page:{page.id}").shuffle(codes)
    row_orders: dict[str, tuple[str, ...]] = {}
    for item in page.items:
        if not question_type(item).per_row:
            continue
        rows = [row.code for row in item.rows]
        if item.randomize_rows:
            _rng(seed, f"rows:{item.code}").shuffle(rows)
        row_orders[item.code] = tuple(rows)
    return PagePlan(page.id, tuple(codes), row_orders)


def plan_layout(qset: QuestionSet, seed: int) -> Layout:
    """The page, item and row order for the respondent with this seed (deterministic)."""
    blocks = {block.id: block for block in qset.blocks}
    ordered: list[Page] = []
    done: set[str] = set()
    for page in qset.pages:
        if page.block is None:
            ordered.append(page)
            continue
        if page.block in done:
            continue
        done.add(page.block)
        block = blocks[page.block]
        members = [qset.page(page_id) for page_id in block.page_ids]
        rng = _rng(seed, block.id)
        if block.sample is not None and block.sample < len(members):
            kept = sorted(rng.sample(range(len(members)), block.sample))
            members = [members[index] for index in kept]
        if block.randomize:
            rng.shuffle(members)
        ordered.extend(members)
    return Layout(tuple(_plan_page(page, seed) for page in ordered), seed)


def visible_pages(
    qset: QuestionSet, layout: Layout, answers: Mapping[str, Value | None]
) -> list[PagePlan]:
    """The planned pages whose show_if holds given the answers so far."""
    return [plan for plan in layout.pages if evaluate(qset.page(plan.page_id).show_if, answers)]


def visible_items(
    qset: QuestionSet, plan: PagePlan, answers: Mapping[str, Value | None]
) -> list[Item]:
    """The items of a planned page whose show_if holds, in the planned order."""
    items = [qset.item(code) for code in plan.item_codes]
    return [item for item in items if evaluate(item.show_if, answers)]
