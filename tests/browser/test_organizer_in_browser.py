"""An organizer in a real browser: upload a set, preview it, open a wave, hand out codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import MINI, ORGANIZER, PASSWORD
from tests.browser.test_citizen_in_browser import assert_accessible


def test_organizer_uploads_previews_opens_and_invites(
    page: Any, live_server: str, tmp_path: Path
) -> None:
    question_set = tmp_path / "proef.yaml"
    question_set.write_text(
        MINI.read_text()
        .replace("slug: mini", "slug: proef")
        .replace("wave: mini-2026", "wave: proef-2026")
    )
    page.goto(f"{live_server}/admin/")
    assert "/admin/login" in page.url
    page.get_by_label("E-mailadres").fill(ORGANIZER)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("heading", name="Consultaties").is_visible()
    assert_accessible(page, "admin dashboard")

    page.get_by_label("Bestand met de vragenlijst").set_input_files(str(question_set))
    page.get_by_role("button", name="Uploaden en controleren").click()
    assert page.url.endswith("/admin/c/proef/v/1")
    expect(page.locator("main")).to_contain_text("Versie 1 van proef is opgeslagen.")

    page.get_by_role("link", name="Bekijk als burger (Nederlands)").click()
    assert page.get_by_text("Weet u wat biotechnologie is?").is_visible()
    assert_accessible(page, "preview")
    page.get_by_role("link", name="Volgende").click()
    assert "/preview/followup" in page.url

    page.goto(f"{live_server}/admin/c/proef")
    page.get_by_label("Naam van de ronde").fill("proef-panel")
    page.get_by_label("Wie mag antwoorden").select_option("invite")
    page.get_by_role("button", name="Ronde maken").click()
    assert page.url.endswith("/admin/w/proef-panel")
    page.get_by_role("button", name="Open de ronde").click()
    assert "Status open" in re.sub(r"\s+", " ", page.locator(".facts").first.inner_text())
    assert_accessible(page, "wave page")

    # The minimum cell size: a number out of bounds is refused with the reason, on top and on
    # the field (the form works without the browser's own checks); a good one is stored.
    minimum = page.get_by_label("Minimum aantal deelnemers per gepubliceerde cel")
    minimum.fill("2")
    page.get_by_role("button", name="Minimum opslaan").click()
    summary = page.get_by_role("alert")
    assert "Minder dan 3 beschermt niemand" in summary.inner_text()
    assert_accessible(page, "wave page with a refused minimum")
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "min_cell_size"
    minimum.fill("15")
    page.get_by_role("button", name="Minimum opslaan").click()
    expect(page.locator("main")).to_contain_text("De minimale celgrootte is nu 15 (was 10).")

    page.get_by_label("Aantal codes").fill("5")
    page.get_by_label("Leveren als").select_option("page")
    page.get_by_role("button", name="Codes maken").click()
    codes = page.locator("td.code").all_inner_texts()
    assert len(codes) == 5 and all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", c) for c in codes)

    # A citizen with the first code gets in; the wave page counts it as used.
    citizen = page.context.browser.new_context(locale="nl-NL").new_page()
    citizen.goto(f"{live_server}/c/proef-panel?code={codes[0]}")
    citizen.get_by_label("Ik heb gelezen").check()
    citizen.get_by_role("button", name="Start de vragenlijst").click()
    assert citizen.url.endswith("/c/proef-panel/page/1")
    citizen.context.close()
    page.goto(f"{live_server}/admin/w/proef-panel")
    expect(page.locator("main")).to_contain_text("Ongebruikt: 4 · gebruikt: 1 · ingetrokken: 0")

    # The same switch as on the citizens' pages turns the admin into English, and it stays so.
    page.get_by_role("link", name="Read this page in English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("main")).to_contain_text("Unused: 4 · used: 1 · revoked: 0")
    assert_accessible(page, "wave page in English")
    page.get_by_role("link", name="Consultations").click()
    assert page.get_by_role("heading", name="Consultations").is_visible()
