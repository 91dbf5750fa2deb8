"""The import/export API routes: who may call them and what they answer."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.core.tests.test_api_permissions import CUSTOMER_VIEW, MATRIX
from gridsales.customers.models import Customer
from gridsales.grids.models import Grid

GOOD = "code,name,lat,lng,grid_code\nAPI-1,接口客户,31.2,121.5,R1-A1-G1\n".encode("gbk")
BAD = b"code,name,lat,lng\nAPI-2,x,north,121.5\n"
BEIJING = Path(__file__).parents[2] / "grids" / "tests" / "data" / "beijing-districts.geojson"
CUSTOMER_IMPORTERS = {"admin", "director", "regional", "gridmanager"}
GRID_IMPORTERS = {"admin", "director"}


def upload(content: bytes, name: str = "c.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_writers_import_customers(world, api, persona):
    response = api(persona).post(
        "/api/v1/customers/import/", {"file": upload(GOOD), "dry_run": "true"}
    )
    assert response.status_code == (200 if persona in CUSTOMER_IMPORTERS else 403)
    if response.status_code == 200:
        body = response.json()
        assert (body["valid"], body["created"], body["written"], body["encoding"]) == (
            True,
            1,
            False,
            "gb18030",
        )
    assert not Customer.objects.filter(code="API-1").exists()


def test_a_customer_import_writes_and_reports(world, api):
    response = api("gridmanager").post("/api/v1/customers/import/", {"file": upload(GOOD)})
    assert response.status_code == 200
    assert response.json()["written"] is True
    assert Customer.objects.get(code="API-1").current_grid.code == "R1-A1-G1"


def test_an_invalid_file_answers_400_with_every_error(world, api):
    with translation.override("en"):
        response = api("admin").post(
            "/api/v1/customers/import/", {"file": upload(BAD)}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "column": "lat", "value": "north", "reason": "Not a number."}
    ]


@pytest.mark.parametrize(
    "language,reason",
    [
        ("en", "Ensure this value is less than or equal to 90."),
        ("zh-hans", "确保该值小于或等于90。"),
    ],
)
def test_the_report_is_in_the_users_language(world, api, language, reason):
    data = b"code,name,lat,lng\nAPI-3,x,95,121.5\n"
    response = api("admin").post(
        "/api/v1/customers/import/", {"file": upload(data)}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.json()["errors"][0]["reason"] == reason


def test_an_import_without_a_file_answers_400(world, api):
    assert api("admin").post("/api/v1/customers/import/", {}).status_code == 400


@pytest.mark.parametrize("persona", PERSONAS)
def test_customer_export_holds_exactly_the_visible_customers(world, api, persona):
    response = api(persona).get("/api/v1/customers/export/", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["code"] for r in rows} == CUSTOMER_VIEW[persona]


def test_customer_export_as_xlsx_honours_the_list_filters(world, api):
    response = api("admin").get("/api/v1/customers/export/", {"format": "xlsx", "grid": "R1"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "code" and rows[0][11:] == ("grid_code", "needs", "opens_at", "closes_at")
    assert {r[0] for r in rows[1:]} == {"CUS-G1", "CUS-G2"}


def test_an_unknown_export_format_is_refused(world, api):
    assert api("admin").get("/api/v1/customers/export/", {"format": "pdf"}).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_and_directors_import_grids(world, api, persona):
    response = api(persona).post(
        "/api/v1/grids/import/",
        {
            "file": upload(BEIJING.read_bytes(), "beijing.geojson"),
            "code_field": "adcode",
            "parent": "HQ",
        },
    )
    assert response.status_code == (200 if persona in GRID_IMPORTERS else 403)
    assert Grid.objects.filter(code="110101").exists() == (persona in GRID_IMPORTERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_grid_export_holds_exactly_the_visible_grids(world, api, persona):
    response = api(persona).get("/api/v1/grids/export/", {"format": "geojson"})
    assert response.status_code == 200
    codes = {f["properties"]["code"] for f in json.loads(response.content)["features"]}
    expected = MATRIX["grids"].view[persona]
    assert codes == expected


@pytest.mark.parametrize(
    "method,url",
    [
        ("post", "/api/v1/customers/import/"),
        ("get", "/api/v1/customers/export/"),
        ("post", "/api/v1/grids/import/"),
        ("get", "/api/v1/grids/export/"),
    ],
)
def test_anonymous_callers_are_turned_away(world, api, method, url):
    assert getattr(api(None), method)(url).status_code in (401, 403)
