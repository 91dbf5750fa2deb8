"""The sales API beyond the permission matrix: nested order writes through the services,
line actions, the order-line feed's filters and query count, the catalogue, and the
import/export routes by persona."""

import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.core.tests.test_api_permissions import ORDER_VIEW
from gridsales.sales.models import Order, Product
from gridsales.sales.order_io import COLUMNS
from gridsales.sales.tests.factories import OrderFactory, order_world

ORDER_IMPORTERS = {"admin", "director", "regional", "gridmanager"}
CATALOGUE_WRITERS = {"admin", "director"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def sales(world):
    return order_world(world)


def new_order(**overrides) -> dict:
    return {
        "number": "API-1",
        "order_date": "2026-03-04",
        "customer": "CUS-G1",
        "lines": [
            {"product": "P-1", "quantity": "2"},
            {"product": "P-1", "quantity": "1", "unit_price": "8.00", "discount": "0.50"},
        ],
        **overrides,
    }


def test_an_order_is_created_with_its_lines_and_credited_to_the_caller(world, api, sales):
    response = api("rep").post("/api/v1/orders/", new_order(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rep"], body["grid"], body["amount"], body["status"], body["source"]) == (
        "rep",
        "R1-A1-G1",
        "107.50",  # 2 × 50.00 list price + 1 × 8.00 − 0.50
        "confirmed",
        "manual",
    )
    assert [(line["line_no"], line["amount"]) for line in body["lines"]] == [
        (1, "100.00"),
        (2, "7.50"),
    ]


def test_a_wrong_amount_answers_400_naming_expected_and_given(world, api, sales):
    payload = new_order(lines=[{"product": "P-1", "quantity": "2", "amount": "99.00"}])
    response = api("admin").post("/api/v1/orders/", {**payload, "rep": "rep"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "lines": [
            "Line 1, Amount: The amount should be quantity × unit price − discount = 100.00, "
            "but 99.00 was given."
        ]
    }
    assert not Order.objects.filter(number="API-1").exists()


def test_a_read_all_caller_must_name_the_rep(world, api, sales):
    response = api("admin").post("/api/v1/orders/", new_order(), format="json")
    assert response.status_code == 400
    assert response.json() == {"rep": ["Name the credited rep."]}


def test_an_update_replaces_the_lines_and_a_patch_without_lines_keeps_them(world, api, sales):
    pk = sales["orders"]["O-G1"]
    client = api("gridmanager")
    response = client.patch(
        f"/api/v1/orders/{pk}/",
        {"lines": [{"line_no": 1, "quantity": "3"}, {"product": "P-1", "quantity": "1"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [(x["line_no"], x["amount"]) for x in response.json()["lines"]] == [
        (1, "30.00"),
        (2, "50.00"),
    ]
    response = client.patch(f"/api/v1/orders/{pk}/", {"note": "复核"}, format="json")
    assert (response.json()["amount"], len(response.json()["lines"])) == ("80.00", 2)


def test_lines_are_cancelled_and_returned_through_actions(world, api, sales):
    pk = sales["orders"]["O-G1"]
    client = api("rep")
    response = client.post(
        f"/api/v1/orders/{pk}/return-line/",
        {"line_no": 1, "amount": "4.00", "on": "2026-03-05"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["returned_amount"]) == ("returned", "4.00")
    response = client.post(f"/api/v1/orders/{pk}/cancel-line/", {"line_no": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Line 1 has a return recorded; a returned line cannot be cancelled."]
    }
    response = client.post(f"/api/v1/orders/{pk}/cancel-line/", {"line_no": 7}, format="json")
    assert response.json() == {"line_no": ["This order has no such line."]}


def test_deleting_an_order_deletes_its_lines(world, api, sales):
    pk = sales["orders"]["O-G2"]
    assert api("regional").delete(f"/api/v1/orders/{pk}/").status_code == 204
    assert not Order.objects.filter(pk=pk).exists()


def test_the_order_line_feed_filters(world, api, sales):
    OrderFactory(
        number="LATE",
        order_date=datetime.date(2026, 4, 1),
        customer=world.customers["CUS-R2"],
        rep=world.users["rep2"],
        lines=[{"product": Product.objects.get(code="P-1"), "quantity": 1, "status": "cancelled"}],
    )
    client = api("admin")

    def orders_of(**params):
        rows = client.get("/api/v1/order-lines/", params).json()["results"]
        return {row["order"] for row in rows}

    assert orders_of(grid="R2") == {"O-R2", "O-MOVED", "LATE"}
    assert orders_of(grid="R1-A1") == {"O-G1", "O-G2"}
    assert orders_of(date_from="2026-03-03") == {"LATE"}
    assert orders_of(date_to="2026-03-02", rep="rep2") == {"O-R2", "O-MOVED"}
    assert orders_of(customer="CUS-R2", status="cancelled") == {"LATE"}
    assert orders_of(product="P-1", status="confirmed") == set(sales["orders"])
    row = client.get("/api/v1/order-lines/", {"order": "O-MOVED"}).json()["results"][0]
    assert {k: row[k] for k in ("customer", "grid", "rep", "order_date", "amount")} == {
        "customer": "CUS-G1",
        "grid": "R2-A1-G1",
        "rep": "rep2",
        "order_date": "2026-03-02",
        "amount": "10.00",
    }


@pytest.mark.parametrize("persona", ["admin", "regional", "rep"])
def test_the_feeds_need_a_fixed_number_of_queries(
    persona, world, api, sales, django_assert_max_num_queries
):
    product = Product.objects.get(code="P-1")
    for i in range(20):
        OrderFactory(
            number=f"MANY-{i}",
            customer=world.customers["CUS-G1"],
            rep=world.users["rep"],
            lines=[{"product": product, "quantity": 1}, {"product": product, "quantity": 2}],
        )
    client = api(persona)
    for url in ("/api/v1/orders/", "/api/v1/order-lines/"):
        with django_assert_max_num_queries(8):
            response = client.get(url, {"page_size": 1000})
        assert response.json()["count"] >= 20


def test_product_delete_deactivates_and_a_used_category_stays(world, api, sales):
    client = api("director")
    assert client.delete(f"/api/v1/products/{sales['products']['P-1']}/").status_code == 204
    assert Product.objects.get(code="P-1").is_active is False
    response = client.delete(f"/api/v1/product-categories/{sales['categories']['CAT-1']}/")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "The category CAT-1 饮料 still has 1 products; give them another category first."
        ]
    }


def upload(text: str, name: str = "o.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding))


ORDER_FILE = ",".join(COLUMNS) + "\n" + "API-IMP,1,2026-03-02,CUS-G1,rep,P-1,1,10.00,,,,,\n"


@pytest.mark.parametrize("persona", PERSONAS)
def test_order_imports_are_for_admins_directors_and_managers(persona, world, api, sales):
    response = api(persona).post(
        "/api/v1/orders/import/",
        {"file": upload(ORDER_FILE, encoding="gbk"), "dry_run": "true"},
    )
    assert response.status_code == (200 if persona in ORDER_IMPORTERS else 403)
    if response.status_code == 200:
        assert (response.json()["created"], response.json()["written"]) == (1, False)
    assert not Order.objects.filter(number="API-IMP").exists()


def test_an_order_import_writes_and_reports_bad_rows(world, api, sales):
    client = api("gridmanager")
    response = client.post("/api/v1/orders/import/", {"file": upload(ORDER_FILE)})
    assert response.status_code == 200 and response.json()["written"] is True
    bad = ORDER_FILE.replace(",1,10.00,", ",1,10.001,")
    response = client.post(
        "/api/v1/orders/import/", {"file": upload(bad)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "column": "unit_price", "value": "10.001", "reason": "At most 2 decimals."}
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_product_imports_are_for_admins_and_directors(persona, world, api, sales):
    text = "code,name,category,unit,list_price\nAPI-P,接口产品,CAT-1,瓶,1.00\n"
    response = api(persona).post("/api/v1/products/import/", {"file": upload(text)})
    assert response.status_code == (200 if persona in CATALOGUE_WRITERS else 403)
    assert Product.objects.filter(code="API-P").exists() == (persona in CATALOGUE_WRITERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_order_exports_hold_exactly_the_visible_lines(persona, world, api, sales):
    response = api(persona).get("/api/v1/orders/export/", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["order_no"] for row in rows} == ORDER_VIEW[persona]


def test_exports_take_the_list_filters(world, api, sales):
    response = api("admin").get("/api/v1/orders/export/", {"format": "csv", "rep": "rep"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["order_no"] for row in rows} == {"O-G1", "O-NOGRID"}
    response = api("rep2").get("/api/v1/products/export/", {"format": "xlsx"})
    assert response.status_code == 200 and response.content[:2] == b"PK"


@pytest.mark.parametrize(
    "method,url",
    [
        ("post", "/api/v1/orders/import/"),
        ("get", "/api/v1/orders/export/"),
        ("post", "/api/v1/products/import/"),
        ("get", "/api/v1/products/export/"),
    ],
)
def test_anonymous_callers_are_turned_away(world, api, method, url):
    assert getattr(api(None), method)(url).status_code in (401, 403)


def test_money_is_exact_to_the_fen_through_the_api(world, api, sales):
    payload = new_order(
        rep="rep",
        lines=[{"product": "P-1", "quantity": "0.333", "unit_price": "10.05"}],
    )
    body = api("admin").post("/api/v1/orders/", payload, format="json").json()
    assert body["amount"] == "3.35"
    assert Order.objects.get(number="API-1").amount == D("3.35")
