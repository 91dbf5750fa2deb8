"""Browser smoke tests: Playwright drives Debian's Chromium against a live server.

Where no Chromium can be had the tests skip with a loud message, except under CI=true,
where a missing browser fails the run (a green CI must mean the browser test ran).
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from pathlib import Path

import pytest

from gridsales.accounts.tests.factories import PASSWORD
from gridsales.conftest import build_world

CHROMIUM = os.environ.get("GRIDSALES_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-results"
# Flags for a headless Chromium on a machine with no network but loopback.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: browser tests cannot run"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true requires them)")
        warnings.warn(message, stacklevel=1)
        pytest.skip("!!! " + message + " — install Debian's chromium to run them !!!")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_world(transactional_db):
    return build_world()


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/")


def test_rep_logs_in_and_sees_only_their_grids_customers(browser, live_server, live_world):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    assert "网格员" in page.get_by_test_id("whoami").inner_text()
    page.get_by_role("link", name="客户", exact=True).first.click()
    page.wait_for_selector("[data-testid=customer-table]")
    codes = page.locator("[data-testid=customer-table] tbody tr td:first-child").all_inner_texts()
    grids = page.locator("[data-testid=grid-code]").all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "rep-customers.png"), full_page=True)
    assert sorted(codes) == ["CUS-G1", "CUS-NOGRID"]
    assert set(grids) == {"R1-A1-G1", "未分配网格"}
    # Search narrows the list in place (htmx), without leaving the page.
    page.fill("input[name=q]", "NOGRID")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=customer-table] tbody tr').length === 1"
    )
    assert re.search(r"q=NOGRID", page.url)
    context.close()


def test_rep_cannot_open_a_customer_of_another_grid(browser, live_server, live_world):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    other = live_world.customers["CUS-R2"]
    response = page.goto(f"{live_server.url}/customers/{other.pk}/")
    assert response.status == 404
    assert "未找到" in page.content()
    context.close()


def test_the_interface_works_on_a_phone_and_switches_to_english(browser, live_server, live_world):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, live_server.url, "gridmanager")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    page.select_option("[data-testid=language-switch] select", "en")
    page.wait_for_load_state()
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name="Customers", exact=True).click()
    page.wait_for_selector("[data-testid=customer-table]")
    assert page.get_by_role("heading", name="Customers").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-customers-en.png"), full_page=True)
    context.close()
