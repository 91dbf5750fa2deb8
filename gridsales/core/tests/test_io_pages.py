"""Import and export pages: who may use them, preview of every error, confirm, exports."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridsales.conftest import PERSONAS
from gridsales.core.tests.test_ui_pages import VISIBLE_CUSTOMERS, VISIBLE_GRIDS
from gridsales.customers.models import Customer
from gridsales.grids.models import Grid

GOOD = "code,name,lat,lng,grid_code\nWEB-1,网页客户,31.2,121.5,R1-A1-G1\n".encode("gbk")
BAD = b"code,name,lat,lng\nWEB-2,x,north,121.5\nWEB-2,y,31,121\n"
BEIJING = Path(__file__).parents[2] / "grids" / "tests" / "data" / "beijing-districts.geojson"
CUSTOMER_IMPORTERS = {"admin", "director", "regional", "gridmanager"}
GRID_IMPORTERS = {"admin", "director"}


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """Uploads wait in VAR_DIR/imports/: keep them out of the work tree."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def client_for(world):
    def make(persona: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.users[persona])
        return client

    return make


def token_of(response) -> str:
    found = re.search(rb'name="token" value="([^"]+)"', response.content)
    return found.group(1).decode() if found else ""


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_customer_import_page_is_for_writers_only(world, client_for, persona):
    response = client_for(persona).get("/import/customers/")
    assert response.status_code == (200 if persona in CUSTOMER_IMPORTERS else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_grid_import_page_is_for_admins_and_directors(world, client_for, persona):
    response = client_for(persona).get("/import/grids/")
    assert response.status_code == (200 if persona in GRID_IMPORTERS else 403)


def test_anonymous_users_are_sent_to_the_login_page(world):
    response = Client().get("/import/customers/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_kind_is_not_found(world, client_for):
    assert client_for("admin").get("/import/nothing/").status_code == 404
    assert client_for("admin").get("/export/customers.pdf").status_code == 404


def test_preview_lists_every_error_and_offers_no_confirmation(world, client_for):
    response = client_for("admin").post(
        "/import/customers/", {"file": SimpleUploadedFile("bad.csv", BAD), "crs": "wgs84"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not a number." in html and "north" in html
    assert "The code appears twice in the file (first in row 2)." in html
    assert token_of(response) == ""
    assert not Customer.objects.filter(code="WEB-2").exists()


def test_preview_then_confirm_imports_the_kept_file(world, client_for):
    client = client_for("regional")
    preview = client.post(
        "/import/customers/", {"file": SimpleUploadedFile("good.csv", GOOD), "crs": "wgs84"}
    )
    assert b"Dry run, nothing written." in preview.content
    assert b"gb18030" in preview.content
    assert not Customer.objects.filter(code="WEB-1").exists()
    token = token_of(preview)
    assert token
    done = client.post("/import/customers/", {"token": token})
    assert done.status_code == 200
    assert Customer.objects.get(code="WEB-1").current_grid.code == "R1-A1-G1"
    # The kept file is gone: confirming twice does nothing.
    again = client.post("/import/customers/", {"token": token})
    assert again.status_code == 302


def test_a_token_from_another_session_is_refused(world, client_for):
    preview = client_for("admin").post(
        "/import/customers/", {"file": SimpleUploadedFile("good.csv", GOOD), "crs": "wgs84"}
    )
    response = client_for("director").post("/import/customers/", {"token": token_of(preview)})
    assert response.status_code == 302
    assert not Customer.objects.filter(code="WEB-1").exists()


def test_grids_are_imported_through_the_page(world, client_for):
    client = client_for("director")
    form = {
        "file": SimpleUploadedFile("beijing.geojson", BEIJING.read_bytes()),
        "code_field": "adcode",
        "name_field": "name",
        "parent": "HQ",
        "level": "grid",
        "crs": "wgs84",
    }
    preview = client.post("/import/grids/", form)
    assert b"16 rows: 16 created" in preview.content
    client.post("/import/grids/", {"token": token_of(preview)})
    assert Grid.objects.filter(parent__code="HQ", level="grid").count() == 16


@pytest.mark.parametrize("persona", PERSONAS)
def test_customer_xlsx_export_holds_exactly_the_visible_customers(world, client_for, persona):
    response = client_for(persona).get("/export/customers.xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert {r[0] for r in rows[1:]} == VISIBLE_CUSTOMERS[persona]


def test_the_csv_export_of_the_list_uses_the_shared_columns(world, client_for):
    response = client_for("admin").get("/customers/export.csv", {"tier": "A"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "code",
        "name",
        "type",
        "industry",
        "tier",
        "status",
        "tags",
        "address",
        "lat",
        "lng",
        "owner",
        "grid_code",
        "needs",
        "opens_at",
        "closes_at",
    ]
    assert {r["code"] for r in rows} == {"CUS-G1", "CUS-R2"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_grid_geojson_export_holds_exactly_the_visible_grids(world, client_for, persona):
    response = client_for(persona).get("/export/grids.geojson")
    codes = {f["properties"]["code"] for f in json.loads(response.content)["features"]}
    assert codes == VISIBLE_GRIDS[persona]


def test_list_pages_offer_import_only_to_those_who_may(world, client_for):
    assert b'data-testid="import"' in client_for("gridmanager").get("/customers/").content
    assert b'data-testid="import"' not in client_for("rep").get("/customers/").content
    assert b'data-testid="import"' in client_for("director").get("/grids/").content
    assert b'data-testid="import"' not in client_for("regional").get("/grids/").content
