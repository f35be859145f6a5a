"""The error summary, the review page and the language switch in Chromium, on a phone (390 px)
and a laptop (1280 px), with and without JavaScript; nothing may scroll sideways at 320 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_citizen_in_browser import assert_accessible, fill_page

WIDTHS = [390, 1280]
MINI = "mini-2026"


def start(page: Any, live_server: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server}/c/{MINI}")
    page.get_by_label("Ik heb gelezen").check()
    page.get_by_role("button", name="Start de vragenlijst").click()
    assert "/page/1" in page.url


def no_sideways_scroll_at_320(page: Any, what: str) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 700})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls {overflow} px sideways at 320 px"
    page.set_viewport_size(size)


def focused_summary(page: Any) -> bool:
    """Whether the error summary takes the focus (autofocus acts once the page has loaded, so
    the check asks again for a moment rather than racing it; `wait_for_function` would need
    the eval that the site's content security policy forbids)."""
    for _ in range(50):
        if page.evaluate("document.activeElement.hasAttribute('data-error-summary')"):
            return True
        page.wait_for_timeout(100)
    return False


@pytest.mark.parametrize("width", WIDTHS)
def test_error_summary_takes_focus_and_names_the_questions(
    page: Any, live_server: str, width: int
) -> None:
    start(page, live_server, width)
    page.get_by_label("Hoe oud bent u?").fill("veertig")
    page.get_by_role("button", name="Volgende").click()
    assert page.title().startswith("Fout: Kennis")
    assert focused_summary(page)
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading").inner_text() == "Er is een probleem"
    links = summary.get_by_role("link").all_inner_texts()
    assert links[0] == "Kies uw antwoord op ‘Weet u wat biotechnologie is?’ of ‘Weet niet’."
    assert links[1].startswith("‘Hoe oud bent u?’")
    assert_accessible(page, f"page with errors at {width} px")
    no_sideways_scroll_at_320(page, "page with errors")
    summary.get_by_role("link").nth(1).click()
    assert page.url.endswith("#AGE")
    assert page.get_by_label("Hoe oud bent u?").input_value() == "veertig"


def test_error_summary_takes_focus_without_javascript(
    page_without_javascript: Any, live_server: str
) -> None:
    page = page_without_javascript
    start(page, live_server, 390)
    page.get_by_role("button", name="Volgende").click()
    assert page.locator(".error-summary").count() == 1
    assert focused_summary(page)  # autofocus alone


@pytest.mark.parametrize("width", WIDTHS)
def test_language_switch_keeps_what_was_typed(page: Any, live_server: str, width: int) -> None:
    start(page, live_server, width)
    page.get_by_label("Nee", exact=True).check()
    page.get_by_label("Hoe oud bent u?").fill("veertig")
    page.get_by_role("button", name="Read this page in English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("No", exact=True).is_checked()
    assert page.get_by_label("How old are you?").input_value() == "veertig"
    page.get_by_label("How old are you?").fill("41")
    page.get_by_role("button", name="Lees deze pagina in het Nederlands").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_label("Nee", exact=True).is_checked()
    assert page.get_by_label("Hoe oud bent u?").input_value() == "41"
    assert_accessible(page, f"page after switching language at {width} px")


def test_language_switch_and_enter_without_javascript(
    page_without_javascript: Any, live_server: str
) -> None:
    page = page_without_javascript
    start(page, live_server, 390)
    page.get_by_label("Ja", exact=True).check()
    page.get_by_label("Hoe oud bent u?").fill("40")
    page.get_by_role("button", name="Read this page in English").click()
    assert page.get_by_label("How old are you?").input_value() == "40"
    assert page.get_by_label("Yes", exact=True).is_checked()
    # Enter in a field means Next, not the language switch that comes first in the page.
    page.get_by_label("How old are you?").press("Enter")
    page.wait_for_url("**/page/2")
    assert page.locator("html").get_attribute("lang") == "en"


def test_back_keeps_invalid_input(page: Any, live_server: str) -> None:
    start(page, live_server, 390)
    page.get_by_label("Hoe oud bent u?").fill("veertig")
    page.get_by_role("button", name="Vorige").click()
    assert "/page/1" in page.url
    assert page.get_by_label("Hoe oud bent u?").input_value() == "veertig"
    assert "U bent nog op deze pagina" in page.locator("main").inner_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_review_shows_the_answers_and_change_comes_back(
    page: Any, live_server: str, width: int
) -> None:
    start(page, live_server, width)
    for _ in range(10):
        if "/page/" not in page.url:
            break
        fill_page(page)
        page.get_by_role("button", name="Volgende").click()
    assert page.url.endswith("/review")
    assert page.get_by_role("heading", level=1).inner_text() == "Controleer uw antwoorden"
    assert page.locator("dt", has_text="Hoe oud bent u?").count() == 1
    assert_accessible(page, f"review page at {width} px")
    no_sideways_scroll_at_320(page, "review page")
    page.get_by_role("link", name="Wijzigen de antwoorden op de pagina ‘Kennis’").click()
    page.get_by_label("Hoe oud bent u?").fill("77")
    page.get_by_role("button", name="Opslaan en terug naar het overzicht").click()
    assert page.url.endswith("/review")
    assert page.locator(".summary-row", has_text="Hoe oud bent u?").inner_text().endswith("77")
