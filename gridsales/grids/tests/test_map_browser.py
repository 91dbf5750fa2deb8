"""The map in a real Chromium: a rep sees only its own grid's polygon and customers."""

from __future__ import annotations

import pytest

from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.customers.models import Customer
from gridsales.grids.services import grid_update
from gridsales.grids.tests.factories import square

pytestmark = pytest.mark.browser


def test_rep_sees_only_its_grid_on_the_map(browser, live_server, live_world):  # noqa: F811
    w = live_world
    grid_update(grid=w.grids["R1-A1-G1"], geometry=square(121.0, 31.0))
    grid_update(grid=w.grids["R1-A1-G2"], geometry=square(121.1, 31.0))
    grid_update(grid=w.grids["R2-A1-G1"], geometry=square(121.0, 31.2))
    Customer.objects.filter(code="CUS-G1").update(lng=121.05, lat=31.05)
    Customer.objects.filter(code="CUS-G2").update(lng=121.15, lat=31.05)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    page.get_by_role("link", name="Map", exact=True).first.click()
    status = page.get_by_test_id("map-status")
    status.wait_for()
    page.wait_for_function(
        "document.querySelector('[data-testid=map-status]').dataset.codes !== undefined"
    )
    assert status.get_attribute("data-codes") == "R1-A1-G1"
    assert page.locator("path.grid-shape").count() == 1
    page.locator("path.customer-point").first.wait_for()
    assert page.locator("path.customer-point").count() == 1  # CUS-G1; CUS-G2 is not its
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-rep.png"))
    context.close()
