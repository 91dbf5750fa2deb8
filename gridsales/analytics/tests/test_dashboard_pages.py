"""The dashboards on kpi_world (docs/kpis.md's worked example): the same numbers as the
KPI API, trends, ranking and its sort, drill-down, funnel, series, map, exports, the
scope per persona and a pinned query count."""

import csv
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from gridsales.analytics import dashboards, kpi
from gridsales.analytics.tests.factories import kpi_world
from gridsales.conftest import PERSONAS
from gridsales.feedback.models import Feedback
from gridsales.feedback.tests.factories import make
from gridsales.grids.services import grid_update
from gridsales.grids.tests.factories import square

MARCH = {"period": "2026-03"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def facts(world):
    return kpi_world(world)


def page(world, persona="admin", **params):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    return client.get("/analytics/", params)


def cards(response) -> dict:
    return {c["metric"]: c for c in response.context["cards"]}


def test_the_cards_show_the_kpi_apis_numbers(world, facts, api):
    metrics = ",".join(dashboards.CARD_METRICS)
    suffixed = ",".join(f"{m}_growth,{m}_yoy" for m in dashboards.CARD_METRICS)
    expected = (
        api("admin")
        .get("/api/v1/kpis/", {**MARCH, "grid": "HQ", "metrics": f"{metrics},{suffixed}"})
        .json()["rows"][0]
    )
    shown = cards(page(world, grid="HQ", **MARCH))
    for metric in dashboards.CARD_METRICS:
        assert shown[metric]["raw"] == expected[metric], metric
        assert shown[metric]["trends"][0]["raw"] == expected[f"{metric}_growth"], metric
        assert shown[metric]["trends"][1]["raw"] == expected[f"{metric}_yoy"], metric
    revenue = shown["revenue"]
    assert revenue["value"] == "426.83"
    # February: 40.00 (O0) → (426.83 − 40) / 40 = 9.6708
    assert revenue["trends"][0] == {
        "label": "vs previous",
        "raw": "9.6708",
        "value": "+967.1 %",
        "arrow": "↑",
        "good": True,
    }
    assert revenue["trends"][1]["arrow"] == "" and revenue["trends"][1]["value"] == "—"
    assert shown["win_rate"]["value"] == "66.7 %"
    assert shown["pipeline_weighted"]["value"] == "5,000.00"
    assert shown["avg_cycle_days"]["value"] == "15.0"


def test_fewer_overdue_contacts_is_good_news():
    assert dashboards.display("overdue_contacts_growth", "-0.5000") == "-50.0 %"
    assert (D("-0.5") > 0) != ("overdue_contacts" in dashboards.LOWER_IS_BETTER)


def test_a_rep_sees_their_own_numbers_by_default(world, facts):
    response = page(world, "rep", **MARCH)
    scope = response.context["scope"]
    assert (scope.grid.code, scope.rep.username, scope.level) == ("R1-A1-G1", "rep", "rep")
    # O1 133.33 + O2 28.50 − returns 10.00 (O2) and 5.00 (O0) in March
    assert cards(response)["revenue"]["value"] == "146.83"
    assert "ranking" not in response.context
    assert response.context["customers_url"] == "/customers/?grid=R1-A1-G1&owner=rep"


def test_a_manager_opens_a_reps_dashboard(world, facts):
    response = page(world, "gridmanager", rep="rep", **MARCH)
    assert cards(response)["orders"]["value"] == "2"
    assert "Rep dashboard" in response.content.decode()


SCOPES = {
    # persona: status of (default, ?grid=R1, ?grid=R2-A1-G1, ?rep=rep, ?rep=rep2)
    "admin": (200, 200, 200, 200, 200),
    "director": (200, 200, 200, 200, 200),
    "analyst": (200, 200, 200, 200, 200),
    "finance": (200, 200, 200, 200, 200),
    "regional": (200, 200, 404, 200, 404),
    "gridmanager": (200, 404, 404, 200, 404),
    "rep": (200, 404, 404, 200, 403),
    "rep2": (200, 404, 200, 403, 200),
    "outsider": (200, 404, 404, 403, 403),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reaches_exactly_its_dashboards(world, persona):
    got = tuple(
        page(world, persona, **params).status_code
        for params in ({}, {"grid": "R1"}, {"grid": "R2-A1-G1"}, {"rep": "rep"}, {"rep": "rep2"})
    )
    assert got == SCOPES[persona]


def test_the_default_scope_is_the_top_of_ones_grids(world):
    tops = {p: page(world, p).context["scope"] for p in ("admin", "regional", "gridmanager")}
    assert {p: s.grid.code for p, s in tops.items()} == {
        "admin": "HQ",
        "regional": "R1",
        "gridmanager": "R1-A1-G1",
    }
    assert [s.level for s in tops.values()] == ["company", "region", "grid"]


def test_someone_without_a_grid_gets_an_empty_state(world):
    response = page(world, "outsider")
    assert "You belong to no grid yet" in response.content.decode()


def ranking(response) -> list[tuple]:
    return [(r["key"], r["revenue"]) for r in response.context["ranking"]]


def test_the_ranking_sorts_by_any_kpi_either_way_with_nulls_last(world, facts):
    assert ranking(page(world, grid="HQ", **MARCH)) == [("R1", "346.83"), ("R2", "80.00")]
    leaves = page(world, grid="HQ", group="leaf", sort="revenue", dir="asc", **MARCH)
    assert ranking(leaves) == [
        ("R2-A1-G1", "80.00"),
        ("R1-A1-G1", "146.83"),
        ("R1-A1-G2", "200.00"),
    ]
    by_win_rate = page(world, grid="HQ", group="leaf", sort="win_rate", dir="asc", **MARCH)
    assert [(r["key"], r["win_rate"]) for r in by_win_rate.context["ranking"]] == [
        ("R1-A1-G1", "0.6667"),
        ("R1-A1-G2", None),
        ("R2-A1-G1", None),
    ]
    top = page(world, grid="HQ", group="leaf", sort="revenue", top=3, **MARCH)
    assert [r["rank"] for r in top.context["ranking"]] == [1, 2, 3]
    bottom_one = page(world, grid="HQ", group="leaf", sort="revenue", dir="asc", top=3, **MARCH)
    assert bottom_one.context["ranking"][0]["key"] == "R2-A1-G1"


def test_a_header_sorts_ascending_first_then_flips(world, facts):
    columns = {c["metric"]: c for c in page(world, grid="HQ", **MARCH).context["columns"]}
    assert columns["attainment"]["url"] == "?grid=HQ&period=2026-03&sort=attainment&dir=asc"
    again = page(world, grid="HQ", sort="attainment", dir="asc", **MARCH).context["columns"]
    assert [c["url"] for c in again if c["metric"] == "attainment"] == [
        "?grid=HQ&sort=attainment&dir=desc&period=2026-03"
    ]


def test_drill_down_region_grid_rep_customer(world, facts):
    company = page(world, grid="HQ", sort="revenue", **MARCH)
    assert [r["url"] for r in company.context["ranking"]] == [
        "?period=2026-03&grid=R1",
        "?period=2026-03&grid=R2",
    ]
    grid = page(world, grid="R1-A1-G1", **MARCH)
    assert response_group(grid) == "rep"
    assert [(r["key"], r["url"]) for r in grid.context["ranking"]] == [
        ("rep", "?period=2026-03&grid=R1-A1-G1&rep=rep")
    ]
    rep = page(world, grid="R1-A1-G1", rep="rep", **MARCH)
    assert rep.context["customers_url"] == "/customers/?grid=R1-A1-G1&owner=rep"
    assert [label for label, _url in rep.context["crumbs"]] == [
        "HQ 网格 HQ",
        "R1 网格 R1",
        "R1-A1 网格 R1-A1",
        "R1-A1-G1 网格 R1-A1-G1",
        str(world.users["rep"]),
    ]


def response_group(response) -> str:
    return response.context["options"].group


def test_the_ranking_restated_counts_in_todays_grids(world, facts):
    from gridsales.customers.services import customer_update

    customer_update(customer=world.customers["CUS-G2"], current_grid=world.grids["R2-A1-G1"])
    recorded = page(world, grid="HQ", **MARCH)
    restated = page(world, grid="HQ", restated="1", **MARCH)
    assert ranking(recorded) == [("R1", "346.83"), ("R2", "80.00")]
    assert ranking(restated) == [("R2", "280.00"), ("R1", "146.83")]


def test_the_funnel_counts_open_deals_by_stage_and_the_closed_ones(world, facts):
    funnel = page(world, grid="HQ", **MARCH).context["funnel"]
    assert [(r["probability"], r["deals"], r["amount"], r["weighted"]) for r in funnel["rows"]] == [
        (50, 1, "10000.00", "5000.00")
    ]
    assert (funnel["won"], funnel["lost"], funnel["weighted"]) == (2, 1, "5000.00")
    assert page(world, "rep2", **MARCH).context["funnel"]["rows"] == []


def test_the_series_has_revenue_and_target_by_month(world, facts):
    series = page(world, grid="HQ", **MARCH).context["series"]
    assert len(series["months"]) == 12
    assert (series["months"][0], series["months"][-1]) == ("2025-04", "2026-03")
    assert series["revenue"][-2:] == ["40.00", "426.83"]
    assert series["target"][-1] is None
    longer = page(world, grid="HQ", months=24, **MARCH).context["series"]
    assert longer["months"][0] == "2024-04"


def test_the_period_picker(world, facts):
    scope = page(world, grid="HQ", kind="quarter", on="2026-03-15").context["scope"]
    assert scope.period.label == "2026-Q1"
    response = page(world, grid="HQ", period="2026-13")
    assert response.status_code == 200
    assert "“2026-13” is not a period." in response.content.decode()
    response = page(world, grid="HQ", kind="fortnight", on="yesterday")
    text = response.content.decode()
    assert "Unknown period kind “fortnight”." in text and "“yesterday” is not a date" in text
    nav = page(world, grid="HQ", period="2026-W01")
    assert nav.context["prev_url"] == "?grid=HQ&period=2025-W52"
    assert nav.context["next_url"] == "?grid=HQ&period=2026-W02"


def test_feedback_counts_appear_on_the_dashboard_and_the_ranking(world, facts):
    for grid, category in (("R1-A1-G1", "price"), ("R1-A1-G2", "price"), ("R2-A1-G1", "system")):
        item = make(world, grid=grid, category=category)
        Feedback.objects.filter(pk=item.pk).update(created_at=kpi_moment())
    response = page(world, grid="HQ", **MARCH)
    feedback = response.context["feedback"]
    assert (feedback["total"], feedback["open"]) == (3, 3)
    assert [(r["key"], r["feedback"]) for r in response.context["ranking"]] == [
        ("R1", 2),
        ("R2", 1),
    ]
    assert page(world, "regional", **MARCH).context["feedback"]["total"] == 2


def kpi_moment():
    from gridsales.analytics.tests.factories import moment

    return moment(__import__("datetime").date(2026, 3, 10))


def test_the_map_colours_leaf_grids_by_quantile(world, facts):
    for code, x in (("R1-A1-G1", 121.0), ("R1-A1-G2", 121.1), ("R2-A1-G1", 121.2)):
        grid_update(grid=world.grids[code], geometry=square(x, 31.0))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["admin"])
    data = client.get("/analytics/map.json", {"grid": "HQ", "metric": "revenue", **MARCH}).json()
    props = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert {code: (p["value"], p["class"]) for code, p in props.items()} == {
        "R1-A1-G1": ("146.83", 1),
        "R1-A1-G2": ("200.00", 2),
        "R2-A1-G1": ("80.00", 0),
    }
    assert data["breaks"] == ["80.00", "146.83", "200.00"]
    assert props["R1-A1-G1"]["url"] == "/analytics/?period=2026-03&grid=R1-A1-G1"
    client.force_login(world.users["gridmanager"])
    mine = client.get("/analytics/map.json", {"metric": "revenue", **MARCH}).json()
    assert [f["properties"]["code"] for f in mine["features"]] == ["R1-A1-G1"]


def test_quantile_breaks_and_classes():
    assert kpi.quantile_breaks([]) == []
    values = [D(v) for v in range(1, 11)]  # 1..10, 5 classes: 2, 4, 6, 8
    assert kpi.quantile_breaks(values) == [2, 4, 6, 8]
    assert [kpi.quantile_class(v, [2, 4, 6, 8]) for v in (1, 2, 3, 8, 9)] == [0, 0, 1, 3, 4]
    assert kpi.quantile_breaks([5, 5, 5]) == [5]


def export(world, table, fmt, persona="admin", **params):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    return client.get(f"/analytics/export/{table}.{fmt}", params)


def test_every_table_exports_to_csv_and_xlsx(world, facts):
    response = export(world, "ranking", "csv", grid="HQ", group="leaf", sort="revenue", **MARCH)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["rank", "grid", "name", "revenue", "target", "attainment"]
    assert [(r[1], r[3]) for r in rows[1:]] == [
        ("R1-A1-G2", "200.00"),
        ("R1-A1-G1", "146.83"),
        ("R2-A1-G1", "80.00"),
    ]
    book = openpyxl.load_workbook(
        io.BytesIO(export(world, "ranking", "xlsx", grid="HQ", **MARCH).content)
    )
    sheet = list(book.active.values)
    assert sheet[1][:4] == (1, "R1", "网格 R1", 346.83)
    for table in ("cards", "series", "funnel"):
        for fmt in ("csv", "xlsx"):
            assert export(world, table, fmt, grid="HQ", **MARCH).status_code == 200, (table, fmt)
    series = export(world, "series", "csv", grid="HQ", **MARCH).content.decode("utf-8-sig")
    assert series.splitlines()[-1] == "2026-03,426.83,"
    assert export(world, "ranking", "pdf", grid="HQ").status_code == 404
    assert export(world, "ranking", "csv", persona="rep").status_code == 404  # no ranking
    assert export(world, "cards", "csv", persona="rep2", grid="R1").status_code == 404


def test_the_dashboard_query_count_is_pinned(world, facts, django_assert_num_queries):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["regional"])
    client.get("/analytics/", MARCH)  # warm the session
    # Session and user, the scope, then per section the KPI engine's queries: the cards
    # (3 periods × every source), 12 months of revenue and target, the funnel, the
    # ranking, the feedback counts and the breadcrumbs. Independent of the number of rows
    # (contact coverage adds one query per distinct cadence interval: one here).
    with django_assert_num_queries(82):
        response = client.get("/analytics/", MARCH)
    assert response.status_code == 200


def test_numbers_are_reused_for_a_minute_and_refresh_recomputes(world, facts, settings):
    from django.core.cache import cache

    from gridsales.sales import orders
    from gridsales.sales.tests.factories import ProductFactory

    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    assert cards(page(world, "director", grid="HQ", **MARCH))["orders"]["raw"] == 4
    orders.order_create(
        number="LATE",
        order_date=__import__("datetime").date(2026, 3, 30),
        customer=world.customers["CUS-R2"],
        rep=world.users["rep2"],
        lines=[{"product": ProductFactory(code="LATE-P"), "quantity": D(1), "unit_price": D(1)}],
    )
    # Shared by everyone who reads the whole company; recomputed on request.
    assert cards(page(world, "analyst", grid="HQ", **MARCH))["orders"]["raw"] == 4
    assert cards(page(world, "analyst", grid="HQ", fresh="1", **MARCH))["orders"]["raw"] == 5
    assert cards(page(world, "regional", grid="R1", **MARCH))["orders"]["raw"] == 3
    cache.clear()


def test_the_map_shows_attainment_or_revenue_where_no_plan_sets_targets(world, facts):
    grid_update(grid=world.grids["R1-A1-G1"], geometry=square(121.0, 31.0))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["admin"])
    default = client.get("/analytics/map.json", {"grid": "HQ", **MARCH}).json()
    assert (default["metric"], default["label"]) == ("revenue", "Revenue")
    chosen = client.get("/analytics/map.json", {"grid": "HQ", "metric": "attainment", **MARCH})
    feature = chosen.json()["features"][0]["properties"]
    assert (feature["value"], feature["display"], feature["class"]) == (None, "—", None)
    assert client.get("/analytics/map.json", {"grid": "R9"}).status_code == 404
