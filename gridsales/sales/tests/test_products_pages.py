"""Catalogue pages × every persona, the product and category services, and the forms."""

import csv
import io
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.sales import products
from gridsales.sales.models import Product, ProductCategory
from gridsales.sales.tests.factories import ProductCategoryFactory, ProductFactory

WRITERS = {"admin", "director"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def catalogue(db):
    drinks = ProductCategoryFactory(code="DRINK", name="饮料")
    snacks = ProductCategoryFactory(code="SNACK", name="零食")
    return {
        "water": ProductFactory(code="WATER", name="矿泉水", category=drinks, list_price=D("2.50")),
        "tea": ProductFactory(code="TEA", name="绿茶", category=drinks, list_price=D("4.00")),
        "chips": ProductFactory(code="CHIPS", name="薯片", category=snacks, is_active=False),
        "drinks": drinks,
        "snacks": snacks,
    }


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def codes(html: str) -> list[str]:
    return re.findall(r"<tr[^>]*>\s*<td>([A-Z]+)</td>", html)


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_the_catalogue_and_only_hq_changes_it(persona, world, catalogue):
    client = client_for(world, persona)
    writes = 200 if persona in WRITERS else 403
    pages = {
        "/sales/products/": 200,
        "/sales/categories/": 200,
        "/export/products.csv": 200,
        "/sales/products/new/": writes,
        f"/sales/products/{catalogue['water'].pk}/edit/": writes,
        "/sales/categories/new/": writes,
        f"/sales/categories/{catalogue['drinks'].pk}/edit/": writes,
        "/import/products/": writes,
    }
    problems = [
        f"{url}: {got}, expected {want}"
        for url, want in pages.items()
        if (got := client.get(url).status_code) != want
    ]
    assert not problems, "\n".join(problems)


def test_the_product_list_searches_filters_and_sorts(world, catalogue):
    client = client_for(world, "rep")

    def shown(**params):
        return codes(client.get("/sales/products/", params).content.decode())

    assert shown() == ["CHIPS", "TEA", "WATER"]
    assert shown(q="茶") == ["TEA"]
    assert shown(category="DRINK", sort="-price") == ["TEA", "WATER"]
    assert shown(is_active="false") == ["CHIPS"]


def test_the_product_export_is_the_import_contract(world, catalogue):
    body = client_for(world, "rep").get("/export/products.csv", {"category": "DRINK"})
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert rows == [
        ["code", "name", "category", "unit", "list_price"],
        ["TEA", "绿茶", "DRINK", "箱", "4.00"],
        ["WATER", "矿泉水", "DRINK", "箱", "2.50"],
    ]


def test_a_director_creates_and_edits_a_product(world, catalogue):
    client = client_for(world, "director")
    data = {
        "code": "COLA",
        "name": "可乐",
        "category": catalogue["drinks"].pk,
        "unit": "瓶",
        "list_price": "3.00",
        "is_active": "on",
    }
    assert client.post("/sales/products/new/", data).status_code == 302
    cola = Product.objects.get(code="COLA")
    response = client.post(f"/sales/products/{cola.pk}/edit/", {**data, "list_price": "3.005"})
    assert response.status_code == 400
    assert "Ensure that there are no more than 2 decimal places." in response.content.decode()
    response = client.post(f"/sales/products/{cola.pk}/edit/", {**data, "is_active": ""})
    assert response.status_code == 302
    cola.refresh_from_db()
    assert (cola.list_price, cola.is_active) == (D("3.00"), False)


def test_a_manager_cannot_post_to_the_catalogue(world, catalogue):
    client = client_for(world, "regional")
    assert client.post("/sales/products/new/", {"code": "X", "name": "x"}).status_code == 403
    assert client.post("/sales/categories/new/", {"code": "X", "name": "x"}).status_code == 403
    assert not Product.objects.filter(code="X").exists()


def test_categories_are_listed_with_their_product_counts_and_edited(world, catalogue):
    client = client_for(world, "admin")
    html = client.get("/sales/categories/").content.decode()
    assert re.search(r'href="/sales/products/\?category=DRINK">2</a>', html)
    response = client.post("/sales/categories/new/", {"code": "FRUIT", "name": "水果"})
    assert response.status_code == 302 and response["Location"] == "/sales/categories/"
    response = client.post("/sales/categories/new/", {"code": "水果", "name": "水果"})
    assert response.status_code == 400
    assert "A code may contain only letters" in response.content.decode()


def test_a_product_list_price_cannot_be_negative(db):
    with pytest.raises(ValidationError) as caught:
        products.product_create(code="BAD", name="坏", list_price=D("-1"))
    assert caught.value.message_dict == {
        "list_price": ["Ensure this value is greater than or equal to 0."]
    }


def test_deactivating_keeps_the_product(catalogue):
    products.product_deactivate(product=catalogue["water"])
    assert Product.objects.get(code="WATER").is_active is False


def test_a_category_in_use_cannot_be_deleted(catalogue):
    with pytest.raises(ValidationError) as caught:
        products.category_delete(category=catalogue["drinks"])
    assert caught.value.messages == [
        "The category DRINK 饮料 still has 2 products; give them another category first."
    ]
    empty = ProductCategoryFactory(code="EMPTY")
    products.category_delete(category=empty)
    assert not ProductCategory.objects.filter(code="EMPTY").exists()
