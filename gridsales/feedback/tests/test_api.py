"""The feedback API beyond the permission matrix (core/tests/test_api_permissions.py): what
the author reads after triage, the messages for bad input, filters and export."""

import pytest
from django.utils import translation

from gridsales.feedback.tests.factories import make


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def test_the_author_reads_the_managers_response(world, api):
    item = make(world)
    answer = api("gridmanager").post(
        f"/api/v1/feedback/{item.pk}/triage/",
        {"status": "resolved", "response": "下月起执行新价格"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    row = api("rep").get(f"/api/v1/feedback/{item.pk}/").json()
    assert (row["status"], row["response"], row["handled_by"]) == (
        "resolved",
        "下月起执行新价格",
        "gridmanager",
    )


def test_triage_errors_name_the_field(world, api):
    item = make(world)
    client = api("gridmanager")
    response = client.post(
        f"/api/v1/feedback/{item.pk}/triage/", {"status": "resolved"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "response": ["Write a response for the author: it is required to close the item."]
    }
    response = client.post(f"/api/v1/feedback/{item.pk}/triage/", {"status": "done"}, format="json")
    assert response.json() == {
        "status": ["“done” is not a triage step. Choose among: in_progress, resolved, rejected."]
    }


def test_create_errors_name_the_field_and_value(world, api):
    client = api("rep")
    response = client.post("/api/v1/feedback/", {"category": "weather", "text": "x"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["category"]
    response = api("regional").post(
        "/api/v1/feedback/",
        {"category": "price", "text": "x", "customer": "CUS-G1", "grid": "R1-A1-G2"},
        format="json",
    )
    assert response.json() == {"customer": ["The customer CUS-G1 is not in the grid R1-A1-G2."]}
    response = client.post(
        "/api/v1/feedback/", {"category": "price", "text": "x", "customer": "CUS-R2"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["customer"]  # rep2's customer: not among rep's


def test_the_list_filters_by_status_category_and_mine(world, api):
    make(world, author="rep", category="price")
    make(world, author="gridmanager", category="system")
    done = make(world, author="rep", category="product")
    api("admin").post(
        f"/api/v1/feedback/{done.pk}/triage/",
        {"status": "rejected", "response": "否"},
        format="json",
    )
    client = api("gridmanager")

    def texts(**params):
        rows = client.get("/api/v1/feedback/", params).json()["results"]
        return sorted(row["category"] for row in rows)

    assert texts() == ["price", "product", "system"]
    assert texts(mine="true") == ["system"]
    assert texts(status="rejected") == ["product"]
    assert texts(category="price") == ["price"]
