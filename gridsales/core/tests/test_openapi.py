"""The OpenAPI schema is valid OpenAPI 3 and the docs page renders."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from gridsales.api import router


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_is_valid_openapi(schema):
    validate(schema)


def test_every_router_prefix_is_documented(schema):
    documented = {path.split("/")[3] for path in schema["paths"] if path.startswith("/api/v1/")}
    assert {prefix for prefix, _viewset, _basename in router.registry} <= documented
    assert "/api/v1/memberships/{id}/end/" in schema["paths"]


def test_the_schema_is_served_as_json(world, api):
    response = api("rep").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    validate(response.json())


def test_the_docs_page_renders_for_a_logged_in_user(world, api):
    response = api("rep").get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_every_operation_id_is_unique(schema):
    ids = [
        operation["operationId"]
        for item in schema["paths"].values()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(ids) == len(set(ids))
    assert "customers_import" in ids and "grids_import" in ids
