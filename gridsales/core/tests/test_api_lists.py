"""What every list endpoint has in common: the page format, the page size cap (the query
count without N+1 is in test_api_list_queries.py)."""

from gridsales.customers.models import Customer


def test_lists_use_drf_page_format(world, api):
    body = api("admin").get("/api/v1/grids/", {"page_size": 3}).json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 8
    assert len(body["results"]) == 3
    assert body["previous"] is None
    assert "page=2" in body["next"] and "page_size=3" in body["next"]
    last = api("admin").get("/api/v1/grids/", {"page_size": 3, "page": 3}).json()
    assert last["next"] is None and len(last["results"]) == 2


def test_default_page_size_is_fifty(world, api):
    grid = world.grids["R1-A1-G2"]
    Customer.objects.bulk_create(
        Customer(code=f"BULK-{i:04d}", name=f"批量{i}", current_grid=grid) for i in range(60)
    )
    body = api("admin").get("/api/v1/customers/").json()
    assert body["count"] == 64
    assert len(body["results"]) == 50


def test_page_size_is_capped_at_a_thousand(world, api):
    grid = world.grids["R1-A1-G2"]
    # bulk_create: the cap is about the page, not the services; this keeps the test fast.
    Customer.objects.bulk_create(
        Customer(code=f"BULK-{i:04d}", name=f"批量{i}", current_grid=grid) for i in range(1001)
    )
    body = api("admin").get("/api/v1/customers/", {"page_size": 5000}).json()
    assert body["count"] == 1005
    assert len(body["results"]) == 1000
    assert body["next"] is not None


def test_an_unknown_page_answers_404(world, api):
    assert api("admin").get("/api/v1/grids/", {"page": 99}).status_code == 404
