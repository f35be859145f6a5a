"""A citizen in a real browser: by keyboard only, with an accessibility scan of every page, and
with JavaScript switched off."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
MAX_PAGES = 60

_axe = Axe()


def assert_accessible(page: Any, what: str) -> None:
    """Run axe-core on the page as it is now; any WCAG 2.1 A/AA violation fails the test."""
    results = _axe.run(page, options=WCAG_AA)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
                  value: el.value || '', checked: !!el.checked, text: el.innerText || '',
                  exclusive: el.closest('.choice-missing') !== null,
                  hint: el.closest('.question') ? el.closest('.question').innerText : ''};
        }"""
    )


def answer_by_keyboard(page: Any) -> None:
    """Answer every question on the page with Tab, Space, arrows and typing; press Next."""
    page.locator("main").focus()
    answered: set[str] = set()
    ranks: dict[str, int] = {}
    for _ in range(400):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["tag"] == "button" and element["value"] == "next":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        name = element["name"]
        # The first option of each radio group, and one (non-exclusive) box of each checkbox group.
        tickable = element["type"] == "radio" or (
            element["type"] == "checkbox" and not element["exclusive"]
        )
        if tickable and name not in answered:
            page.keyboard.press("Space")
            answered.add(name)
        elif element["tag"] == "select":
            group = name.split(".")[0]
            ranks[group] = ranks.get(group, 0) + 1
            for _step in range(ranks[group]):
                page.keyboard.press("ArrowDown")
        elif element["tag"] == "textarea" or element["type"] == "text":
            if name in answered or element["value"]:
                continue
            bounds = re.search(r"(\d+) (?:tot en met|to) (\d+)", element["hint"])
            page.keyboard.type(bounds.group(1) if bounds else "Zorgen over de veiligheid.")
            answered.add(name)
    raise AssertionError("never reached the Next button by keyboard")


def test_keyboard_only_with_accessibility_scan_of_every_page(page: Any, live_server: str) -> None:
    page.goto(live_server)
    assert_accessible(page, "home page")
    page.goto(f"{live_server}/c/biotech-2026")
    assert_accessible(page, "start page")

    # Consent and start, by keyboard.
    page.locator("main").focus()
    while focused(page)["name"] != "consent":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "button"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    seen = []
    for _ in range(MAX_PAGES):
        if "/page/" not in page.url:
            break
        seen.append(page.url)
        assert_accessible(page, page.url)
        answer_by_keyboard(page)
        assert page.locator(".error-summary").count() == 0, f"{page.url} refused the answers"
    assert "/review" in page.url, page.url
    assert len(seen) >= 8
    assert_accessible(page, "review page")
    page.get_by_role("button", name="Verstuur mijn antwoorden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/thanks$"))
    expect(page.locator("main")).to_contain_text("Bedankt")
    assert_accessible(page, "thanks page")


@pytest.mark.parametrize(
    "path",
    ["/?lang=en", "/c/biotech-2026?lang=en", "/c/biotech-2026/resume", "/c/no-such-wave"],
)
def test_other_pages_are_accessible(page: Any, live_server: str, path: str) -> None:
    page.goto(f"{live_server}{path}")
    assert_accessible(page, path)


def test_error_messages_are_accessible(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/c/mini-2026")
    page.get_by_label("Ik heb gelezen").check()
    page.get_by_role("button", name="Start de vragenlijst").click()
    page.get_by_label("Hoe oud bent u?").fill("7")
    page.get_by_role("button", name="Volgende").click()
    assert page.locator(".error-summary").count() == 1
    assert_accessible(page, "page with errors")
    # The summary links to the question's first input, so a keyboard user can jump to it.
    page.locator(".error-summary a").first.click()
    assert page.url.endswith("#KNOW-1")


def fill_page(page: Any) -> None:
    """Answer every question on the page with ordinary clicks, as a citizen without JS would."""
    done: set[str] = set()
    for radio in page.locator("input[type=radio]").all():
        name = radio.get_attribute("name")
        if name not in done:
            radio.check()
            done.add(name)
    for box in page.locator(".choice:not(.choice-missing) input[type=checkbox]").all():
        name = box.get_attribute("name")
        if name not in done:
            box.check()
            done.add(name)
    selects = page.locator("select").all()
    for rank, select in enumerate(selects, start=1):
        select.select_option(str(rank))
    for field in page.locator("textarea, input[type=text]").all():
        question = field.locator("xpath=ancestor::div[contains(@class,'question')]").inner_text()
        bounds = re.search(r"(\d+) (?:tot en met|to) (\d+)", question)
        field.fill(bounds.group(1) if bounds else "Duidelijke regels, graag.")


def test_completes_without_javascript_in_english(
    page_without_javascript: Any, live_server: str
) -> None:
    page = page_without_javascript
    page.goto(f"{live_server}/c/biotech-2026?lang=en")
    page.get_by_label("I have read how my answers are used").check()
    page.get_by_role("button", name="Start the questionnaire").click()
    for _ in range(MAX_PAGES):
        if "/page/" not in page.url:
            break
        fill_page(page)
        page.get_by_role("button", name="Next").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").count() == 0, page.content()
    assert "/review" in page.url
    page.get_by_role("button", name="Send my answers").click()
    expect(page).to_have_url(re.compile(r"/thanks$"))
    expect(page.locator("main")).to_contain_text("Thank you")


def test_the_scan_does_find_violations(page: Any) -> None:
    """Guard against a scan that passes everything: an unlabeled field must be reported."""
    page.set_content('<html lang="nl"><body><main><input type="text"></main></body></html>')
    assert _axe.run(page, options=WCAG_AA).violations_count > 0


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_shared_device_loses_and_leaks_nothing(page: Any, live_server: str) -> None:
    """Someone starts on a library computer, leaves, comes back, then stops and forgets the
    device; the next person sees none of it, not with Back either."""
    wave = f"{live_server}/c/mini-2026"
    page.goto(wave)
    page.get_by_label("Ik heb gelezen").check()
    page.get_by_role("button", name="Start de vragenlijst").click()
    assert page.url.endswith("/c/mini-2026/page/1")
    page.locator('input[name="KNOW"][value="2"]').check()
    page.get_by_label("Hoe oud bent u?").fill("44")
    page.get_by_role("button", name="Volgende").click()
    assert page.url.endswith("/c/mini-2026/page/2")

    page.goto(wave)
    notice = page.get_by_role("heading", name="Er is op dit apparaat een antwoord in behandeling")
    assert notice.count() == 1
    assert page.get_by_label("Ik heb gelezen").count() == 0
    assert_accessible(page, "start page with a response in progress")
    page.set_viewport_size({"width": 320, "height": 640})
    assert no_horizontal_scroll(page), "start page with a response in progress at 320 px"
    page.get_by_role("link", name="Opnieuw beginnen").click()
    assert_accessible(page, "start again?")
    assert no_horizontal_scroll(page), "start again? at 320 px"
    page.screenshot(path="/tmp/stuffing-again-320.png", full_page=True)
    page.get_by_role("link", name="Nee, ga terug").click()
    page.screenshot(path="/tmp/stuffing-held-320.png", full_page=True)
    page.get_by_role("link", name="Verder gaan").click()
    assert page.url.endswith("/c/mini-2026/page/2")  # where it was left

    page.get_by_role("button", name="Stoppen en dit apparaat vergeten").first.click()
    expect(page.locator("main")).to_contain_text("Dit apparaat is uw antwoord vergeten")
    assert_accessible(page, "forgotten")
    page.go_back()
    page.go_back()
    assert "44" not in page.locator("main").inner_text()
    page.goto(f"{wave}/page/1")
    assert page.url.endswith("/c/mini-2026")
    assert "in behandeling" not in page.content()
    page.get_by_label("Ik heb gelezen").check()
    page.get_by_role("button", name="Start de vragenlijst").click()
    assert page.get_by_label("Hoe oud bent u?").input_value() == ""
