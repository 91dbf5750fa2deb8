"""Order pages × every persona (200 / 403 / 404 exactly, 302 to login for anonymous), and the
flows behind them: the form with lines, cancel and return, delete, filters, export."""

import csv
import io
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.core.tests.test_api_permissions import ORDER_CHANGE, ORDER_DELETE, ORDER_VIEW
from gridsales.sales import orders as order_services
from gridsales.sales.models import Order
from gridsales.sales.order_io import COLUMNS
from gridsales.sales.tests.factories import OrderFactory, crowd_orders, order_world


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def orders(world):
    return order_world(world)["orders"]


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def expected(persona, number, allowed) -> int:
    if number not in ORDER_VIEW[persona]:
        return 404
    return 200 if number in allowed[persona] else 403


def listed(html: str) -> set[str]:
    return set(re.findall(r'<td><a href="/sales/orders/\d+/">([^<]+)</a></td>', html))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_order_page_answers_exactly_by_persona(persona, world, orders):
    client = client_for(world, persona)
    problems = []

    def check(url, want):
        got = client.get(url).status_code
        if got != want:
            problems.append(f"{url}: {got}, expected {want}")

    check("/sales/orders/", 200)
    check("/sales/orders/new/", 403 if persona in ("analyst", "finance") else 200)
    importers = {"admin", "director", "regional", "gridmanager"}
    check("/import/orders/", 200 if persona in importers else 403)
    check("/export/orders.csv", 200)
    for number, pk in orders.items():
        line = Order.objects.get(pk=pk).lines.get().pk
        seen = 200 if number in ORDER_VIEW[persona] else 404
        check(f"/sales/orders/{pk}/", seen)
        check(f"/audit/sales.order/{pk}/", seen)
        check(f"/sales/orders/{pk}/edit/", expected(persona, number, ORDER_CHANGE))
        check(f"/sales/orders/{pk}/delete/", expected(persona, number, ORDER_DELETE))
        check(f"/sales/orders/lines/{line}/cancel/", expected(persona, number, ORDER_CHANGE))
        check(f"/sales/orders/lines/{line}/return/", expected(persona, number, ORDER_CHANGE))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_and_its_export_hold_exactly_the_personas_orders(persona, world, orders):
    client = client_for(world, persona)
    response = client.get("/sales/orders/", {"page_size": 200})
    assert listed(response.content.decode()) == ORDER_VIEW[persona]
    body = client.get("/export/orders.csv").content.decode("utf-8-sig")
    assert {row["order_no"] for row in csv.DictReader(io.StringIO(body))} == ORDER_VIEW[persona]


def test_anonymous_users_are_sent_to_login(world, orders):
    for url in ("/sales/orders/", f"/sales/orders/{orders['O-G1']}/", "/sales/orders/new/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_sales_menu_item_leads_to_the_orders(world):
    html = client_for(world, "rep").get("/sales/orders/").content.decode()
    assert re.search(r'class="nav-link active" href="/sales/orders/" data-testid="nav-sales"', html)


def test_the_list_filters_by_grid_subtree_date_status_rep_and_number(world, orders):
    client = client_for(world, "admin")

    def shown(**params):
        return listed(client.get("/sales/orders/", params).content.decode())

    assert shown(grid="R1") == {"O-G1", "O-G2"}  # O-MOVED was recorded in R2-A1-G1
    assert shown(grid="R2") == {"O-R2", "O-MOVED"}
    assert shown(rep="rep2") == {"O-R2", "O-MOVED"}
    assert shown(customer="CUS-G1") == {"O-G1", "O-MOVED"}
    assert shown(q="NOGRID") == {"O-NOGRID"}
    assert shown(date_from="2026-03-02", date_to="2026-03-02") == set(orders)
    assert shown(date_from="2026-03-03") == set()
    assert shown(status="cancelled") == set()


def test_the_export_holds_the_filtered_orders_lines_in_the_contract_columns(world, orders):
    response = client_for(world, "admin").get("/export/orders.csv", {"grid": "R2"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "order_no",
        "line_no",
        "order_date",
        "customer_code",
        "rep",
        "product_code",
        "quantity",
        "unit_price",
        "discount",
        "amount",
        "status",
        "returned_amount",
        "return_date",
        "grid_code",
    ]
    assert rows[1:] == [
        ["O-MOVED", "1", "2026-03-02", "CUS-G1", "rep2", "P-1", "1", "10.00", "0.00", "10.00"]
        + ["confirmed", "", "", "R2-A1-G1"],
        ["O-R2", "1", "2026-03-02", "CUS-R2", "rep2", "P-1", "1", "10.00", "0.00", "10.00"]
        + ["confirmed", "", "", "R2-A1-G1"],
    ]


def test_the_detail_shows_the_grid_on_the_order_date_next_to_todays(world, orders):
    html = client_for(world, "admin").get(f"/sales/orders/{orders['O-MOVED']}/").content.decode()
    assert re.search(r'data-testid="order-grid">R2-A1-G1 ', html)
    assert re.search(r'data-testid="customer-grid">R1-A1-G1 ', html)
    assert "The customer has moved since" in html


def form_data(**overrides) -> dict:
    data = {
        "number": "SO-NEW-1",
        "order_date": "2026-03-05",
        "customer": "CUS-G1",
        "note": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": "",
        "lines-0-quantity": "3",
        "lines-0-unit_price": "",
        "lines-0-discount": "1.50",
        "lines-1-product": "",
        "lines-1-quantity": "",
        "lines-1-unit_price": "",
        "lines-1-discount": "",
    }
    data.update(overrides)
    return data


def test_a_rep_records_an_order_with_lines_at_list_price(world, orders):
    product = Order.objects.get(pk=orders["O-G1"]).lines.get().product  # P-1 at 50.00
    client = client_for(world, "rep")
    response = client.post(
        "/sales/orders/new/",
        form_data(**{"lines-0-product": product.pk, "rep": world.users["rep"].pk}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get(number="SO-NEW-1")
    assert (order.grid.code, order.amount, order.rep.username) == ("R1-A1-G1", D("148.50"), "rep")
    assert response["Location"] == f"/sales/orders/{order.pk}/"


def test_a_rep_cannot_record_an_order_credited_to_someone_else(world, orders):
    product = Order.objects.get(pk=orders["O-G1"]).lines.get().product
    response = client_for(world, "rep").post(
        "/sales/orders/new/",
        form_data(**{"lines-0-product": product.pk, "rep": world.users["gridmanager"].pk}),
    )
    assert response.status_code == 400
    assert "the result would be outside what you are allowed to manage" in response.content.decode()
    assert not Order.objects.filter(number="SO-NEW-1").exists()


def test_a_customer_outside_the_users_view_is_unknown_to_the_form(world, orders):
    product = Order.objects.get(pk=orders["O-G1"]).lines.get().product
    response = client_for(world, "rep").post(
        "/sales/orders/new/",
        form_data(
            customer="CUS-R2", **{"lines-0-product": product.pk, "rep": world.users["rep"].pk}
        ),
    )
    assert response.status_code == 400
    assert (
        "No customer with this code among the customers you can see." in response.content.decode()
    )


def test_service_errors_about_lines_show_on_the_form(world, orders):
    product = Order.objects.get(pk=orders["O-G1"]).lines.get().product
    response = client_for(world, "admin").post(
        "/sales/orders/new/",
        form_data(
            **{
                "lines-0-product": product.pk,
                "lines-0-discount": "999",
                "rep": world.users["rep"].pk,
            }
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 1, Discount: The discount 999 is more than quantity × unit price (150.00)." in html


def test_editing_an_order_changes_removes_and_adds_lines(world, orders):
    order = OrderFactory(
        customer=world.customers["CUS-G1"],
        rep=world.users["rep"],
        lines=[
            {"product": Order.objects.get(pk=orders["O-G1"]).lines.get().product, "quantity": 1},
            {"product": Order.objects.get(pk=orders["O-G1"]).lines.get().product, "quantity": 2},
        ],
    )
    client = client_for(world, "gridmanager")
    page = client.get(f"/sales/orders/{order.pk}/edit/")
    assert page.status_code == 200
    product = order.lines.get(line_no=1).product_id
    data = form_data(
        number=order.number,
        order_date="2026-03-02",
        rep=world.users["rep"].pk,
        **{
            "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "2",
            "lines-0-line_no": "1",
            "lines-0-product": product,
            "lines-0-quantity": "4",
            "lines-0-unit_price": "10.00",
            "lines-0-discount": "0",
            "lines-1-line_no": "2",
            "lines-1-product": product,
            "lines-1-quantity": "2",
            "lines-1-unit_price": "10.00",
            "lines-1-discount": "0",
            "lines-1-DELETE": "on",
            "lines-2-product": product,
            "lines-2-quantity": "1",
            "lines-2-unit_price": "",
            "lines-2-discount": "",
        },
    )
    response = client.post(f"/sales/orders/{order.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    rows = list(order.lines.values_list("line_no", "quantity", "amount"))
    assert rows == [(1, D("4"), D("40.00")), (3, D("1"), D("50.00"))]


def test_cancel_and_return_from_the_order_page(world, orders):
    order = Order.objects.get(pk=orders["O-G1"])
    line = order.lines.get()
    client = client_for(world, "rep")
    response = client.post(
        f"/sales/orders/lines/{line.pk}/return/", {"amount": "20.00", "on": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "The return date 2026-03-01 is before the order date 2026-03-02." in (
        response.content.decode()
    )
    response = client.post(
        f"/sales/orders/lines/{line.pk}/return/", {"amount": "4.00", "on": "2026-03-04"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.returned_amount) == ("returned", D("4.00"))
    response = client.post(f"/sales/orders/lines/{line.pk}/cancel/", follow=True)
    assert "a returned line cannot be cancelled" in response.content.decode()


def test_a_manager_deletes_an_order_and_a_rep_may_not(world, orders):
    pk = orders["O-G1"]
    assert client_for(world, "rep").post(f"/sales/orders/{pk}/delete/").status_code == 403
    response = client_for(world, "gridmanager").post(f"/sales/orders/{pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/sales/orders/"
    assert not Order.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    "url",
    ["/sales/orders/", "/export/orders.csv", "/sales/products/", "/sales/categories/", "detail"],
)
def test_page_query_count_does_not_grow_with_the_number_of_rows(world, orders, url):
    client = client_for(world, "regional")
    if url == "detail":
        url = f"/sales/orders/{orders['O-G1']}/"

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page_size": 200})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = count_queries()
    crowd_orders(world)  # 11 orders of 2 lines in R1-A1-G1, 11 products and categories
    order = Order.objects.get(pk=orders["O-G1"])
    order_services.order_update(
        order=order,
        lines=[{"line_no": 1}] + [{"product": order.lines.get().product, "quantity": 1}] * 5,
    )
    assert count_queries() == before


def test_a_manager_edits_an_order_credited_to_someone_it_does_not_see(world, orders):
    order = Order.objects.get(pk=orders["O-MOVED"])  # credited to rep2, recorded in R2-A1-G1
    client = client_for(world, "gridmanager")
    html = client.get(f"/sales/orders/{order.pk}/edit/").content.decode()
    assert re.search(rf'<option value="{order.rep_id}" selected>', html)
    line = order.lines.get()
    data = form_data(
        number=order.number,
        order_date="2026-03-02",
        rep=order.rep_id,
        note="复核",
        **{
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-line_no": "1",
            "lines-0-product": line.product_id,
            "lines-0-quantity": "1",
            "lines-0-unit_price": "10.00",
            "lines-0-discount": "0",
        },
    )
    response = client.post(f"/sales/orders/{order.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert (order.note, order.rep.username, order.grid.code) == ("复核", "rep2", "R2-A1-G1")


def test_a_manager_previews_then_confirms_an_order_file_on_the_import_page(world, orders):
    text = ",".join(COLUMNS) + "\nWEB-IMP,1,2026/3/6,CUS-G1,rep,P-1,2,10.00,,,已确认,,\n"
    client = client_for(world, "gridmanager")
    preview = client.post(
        "/import/orders/", {"file": SimpleUploadedFile("erp.csv", text.encode("gbk"))}
    )
    html = preview.content.decode()
    assert "Dry run, nothing written." in html and "gb18030" in html
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    assert not Order.objects.filter(number="WEB-IMP").exists()
    assert client.post("/import/orders/", {"token": token}).status_code == 200
    order = Order.objects.get(number="WEB-IMP")
    assert (order.amount, order.grid.code, order.source) == (D("20.00"), "R1-A1-G1", "import")
