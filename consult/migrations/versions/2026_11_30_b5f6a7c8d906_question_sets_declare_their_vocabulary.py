"""question sets declare their vocabulary

Revision ID: b5f6a7c8d906
Revises: a4e5f6d7c805
Create Date: 2026-11-30 08:00:00.000000

The questionnaire language no longer fixes one consultation's words in code: a set declares its
domains, conditions, applications and scales under `vocabulary:`, an item's domain is its
application's, and role `demographic` alone makes a weighting variable. Stored versions are
immutable question sets that must keep loading, so each one written in the earlier language is
rewritten to say what the code used to assume, and nothing else:

- the item keys `domain:` and `demographic:` go (their lines, or their entries in `{...}`);
- a `vocabulary:` block is added at the end: the domains and conditions the items use (labelled
  as the earlier code's fixed list was meant), the applications with their domain (labelled by
  the title of the page that asks for their acceptance), and the scales the code assumed: options
  4 and 5 accepting and 9 don't know on the acceptance questions' list, option 3 necessary on the
  condition questions' list. A list without those codes (whose figures could only be 0) gets its
  highest substantive option instead, and its wave is recounted because its plan changes;
- a role question with inline choices gets them as a named list, which the scales need; only
  then is the whole file written anew (its comments are lost; nothing else).

The checksum follows the new text. Answers, counts and every other row stay as they are; the
biotech-2026 plan, and so its fingerprint and figures, do not change. Going down, the vocabulary
block goes and the item keys come back (a demographic item's `demographic:` is its code in lower
case, as the shipped set named them).
"""

import hashlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
import yaml
from alembic import op

revision: str = "b5f6a7c8d906"
down_revision: str | None = "a4e5f6d7c805"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The earlier language's fixed domains and conditions, with what they meant.
LEGACY_LABELS = {
    "green": {"nl": "Groene biotechnologie", "en": "Green biotechnology"},
    "white": {"nl": "Witte biotechnologie", "en": "White biotechnology"},
    "red": {"nl": "Rode biotechnologie", "en": "Red biotechnology"},
    "safety": {"nl": "Veiligheid", "en": "Safety"},
    "transparency": {"nl": "Transparantie", "en": "Transparency"},
    "ethics": {"nl": "Ethische grenzen", "en": "Ethical limits"},
    "public_benefit": {"nl": "Maatschappelijk nut", "en": "Public benefit"},
    "shared_responsibility": {"nl": "Gedeelde verantwoordelijkheid", "en": "Shared responsibility"},
    "freedom_of_choice": {"nl": "Keuzevrijheid", "en": "Freedom of choice"},
    "affordability": {"nl": "Betaalbaarheid", "en": "Affordability"},
}
ACCEPTING, DONT_KNOW, NECESSARY = (4, 5), (9,), (3,)
ACCEPTANCE_ROLES = ("acceptance", "conditional_acceptance")
RETIRED_LINE = re.compile(r"^[ \t]+(?:domain|demographic):[ \t]*[A-Za-z0-9_]+[ \t]*\r?\n", re.M)
BLOCK_KEY = re.compile(r"^([ \t]+)(?:- )?(code|application|role):[ \t]*([A-Za-z0-9_]+)[ \t]*\r?\n")
ADDED_NOTE = "# Added when the language began to declare its vocabulary"
RETIRED_FLOW = re.compile(r",[ \t]*(?:domain|demographic):[ \t]*[A-Za-z0-9_]+(?=[ \t]*[,}])")

versions = sa.table(
    "question_set_version",
    sa.column("id", sa.Integer),
    sa.column("source", sa.Text),
    sa.column("checksum", sa.String(64)),
)


def _pages(entries: object) -> Iterator[dict[str, Any]]:
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and "block" in entry:
            yield from _pages(entry.get("pages"))
        elif isinstance(entry, dict):
            yield entry


def _items(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for page in _pages(data.get("pages")):
        for item in page.get("items") or ():
            if isinstance(item, dict):
                yield page, item


def _label(value: object, languages: list[str]) -> dict[str, str]:
    """A text in every language of the set (the code itself where nothing better is known)."""
    if isinstance(value, dict):
        texts = {lang: str(value.get(lang) or value.get("nl") or "") for lang in languages}
    elif isinstance(value, str) and value:
        texts = dict.fromkeys(languages, value)
    else:
        return {}
    return texts if all(texts.values()) else {}


def _codes(choices: object, substantive: bool = True) -> list[int]:
    entries = choices if isinstance(choices, list) else []
    return [
        c["code"]
        for c in entries
        if isinstance(c, dict)
        and isinstance(c.get("code"), int)
        and not (substantive and c.get("missing"))
    ]


def _meaning(codes: list[int], assumed: tuple[int, ...], fallback: bool) -> list[int]:
    found = [code for code in assumed if code in codes]
    return found or ([max(codes)] if fallback and codes else [])


def _flow(value: object) -> str:
    return yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000
    ).strip()


def _upgraded(source: str) -> str | None:
    """The source in the new language, or None when it needs no change (or is not a set)."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or "vocabulary" in data:
        return None
    items = list(_items(data))
    if not any("domain" in item or "demographic" in item or item.get("role") for _, item in items):
        return None
    languages = [str(lang) for lang in data.get("languages") or ["nl"]]
    lists: dict[str, Any] = data.get("choice_lists") or {}
    rewrite = False
    domains: dict[str, None] = {}
    conditions: dict[str, None] = {}
    applications: dict[str, tuple[str, dict[str, str]]] = {}
    scales: dict[str, dict[str, list[int]]] = {}
    for page, item in items:
        role = item.get("role")
        for row in item.get("rows") or ():
            if isinstance(row, dict) and row.get("condition"):
                conditions[str(row["condition"])] = None
        if item.get("condition"):
            conditions[str(item["condition"])] = None
        application, domain = item.get("application"), item.get("domain")
        if application and domain:
            domains[str(domain)] = None
            title = _label(page.get("title"), languages) or dict.fromkeys(languages, application)
            if role == "acceptance" or application not in applications:
                applications[str(application)] = (str(domain), title)
        item.pop("domain", None)
        item.pop("demographic", None)
        if role not in (*ACCEPTANCE_ROLES, "condition") or "choices" not in item:
            continue
        if not isinstance(item["choices"], str):
            name = f"{str(item.get('code', 'list')).lower()}_choices"
            lists[name] = item["choices"]
            item["choices"] = name
            rewrite = True
        codes = _codes(lists.get(item["choices"]))
        meanings = scales.setdefault(item["choices"], {})
        if role in ACCEPTANCE_ROLES:
            meanings["accepting"] = _meaning(codes, ACCEPTING, True)
            every_code = _codes(lists.get(item["choices"]), substantive=False)
            meanings["dont_know"] = [code for code in DONT_KNOW if code in every_code]
        else:
            meanings["necessary"] = _meaning(codes, NECESSARY, True)
    if rewrite:
        data["choice_lists"] = lists
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    else:
        text = RETIRED_FLOW.sub("", RETIRED_LINE.sub("", source))
    block = ["", f"{ADDED_NOTE} (what it meant).", "vocabulary:"]
    for key, terms in (("domains", domains), ("conditions", conditions)):
        if terms:
            block.append(f"  {key}:")
            for term in terms:
                label = {lang: LEGACY_LABELS.get(term, {}).get(lang, term) for lang in languages}
                block.append(f"    - {_flow({'code': term, 'label': label})}")
    if applications:
        block.append("  applications:")
        for name, (domain, title) in applications.items():
            block.append(f"    - {_flow({'code': name, 'domain': domain, 'label': title})}")
    if scales:
        block.append("  scales:")
        for name, meanings in scales.items():
            kept = {key: value for key, value in meanings.items() if value}
            block.append(f"    {_flow({name: kept})[1:-1]}")
    return text.rstrip("\n") + "\n" + "\n".join(block) + "\n"


def _downgraded(source: str) -> str | None:
    """The source in the earlier language: no vocabulary, the item keys back (block style)."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("vocabulary"), dict):
        return None
    domain_of = {
        a.get("code"): a.get("domain")
        for a in data["vocabulary"].get("applications") or ()
        if isinstance(a, dict)
    }
    out: list[str] = []
    skipping = False
    code = ""
    for line in source.splitlines(keepends=True):
        if line.startswith(("vocabulary:", ADDED_NOTE)):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skipping = False
        out.append(line)
        found = BLOCK_KEY.match(line)
        if found is None:
            continue
        indent, key, value = found.groups()
        if key == "code":
            code = value
        elif key == "application" and domain_of.get(value):
            out.append(f"{indent}domain: {domain_of[value]}\n")
        elif key == "role" and value == "demographic" and code:
            out.append(f"{indent}demographic: {code.lower()}\n")
    return "".join(out).rstrip("\n") + "\n"


def _rewrite(change: Any) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(versions.c.id, versions.c.source)).all()
    for version_id, source in rows:
        changed = change(source)
        if changed is None or changed == source:
            continue
        checksum = hashlib.sha256(changed.encode("utf-8")).hexdigest()
        connection.execute(
            versions.update()
            .where(versions.c.id == version_id)
            .values(source=changed, checksum=checksum)
        )


def upgrade() -> None:
    _rewrite(_upgraded)


def downgrade() -> None:
    _rewrite(_downgraded)
