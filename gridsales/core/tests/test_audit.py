"""The audit log: every create/update/delete, by whom, under which request id."""

import pytest
from django.contrib.contenttypes.models import ContentType

from gridsales.accounts.tests.factories import PASSWORD
from gridsales.core.context import acting_as
from gridsales.core.models import ObjectChange
from gridsales.customers import services as customer_services
from gridsales.customers.models import Customer
from gridsales.customers.tests.factories import CustomerFactory
from gridsales.team import services as team_services
from gridsales.team.tests.factories import RepFactory


def changes_of(obj) -> list[ObjectChange]:
    ct = ContentType.objects.get_for_model(type(obj))
    return list(ObjectChange.objects.filter(content_type=ct, object_id=obj.pk).order_by("pk"))


def test_api_create_update_delete_are_each_recorded_with_user_and_request_id(world, api):
    client = api("gridmanager")
    created = client.post(
        "/api/v1/customers/",
        {"code": "CUS-AUD", "name": "审计客户", "current_grid": "R1-A1-G1"},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    updated = client.patch(f"/api/v1/customers/{pk}/", {"tier": "A"}, format="json")
    assert updated.status_code == 200
    deleted = client.delete(f"/api/v1/customers/{pk}/")
    assert deleted.status_code == 204

    records = list(
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), object_id=pk
        ).order_by("pk")
    )
    assert [r.action for r in records] == ["create", "update", "delete"]
    for record, response in zip(records, [created, updated, deleted], strict=True):
        assert record.user == world.users["gridmanager"]
        assert record.user_name == "gridmanager"
        # The API echoes the request id, so a caller can find its own change.
        assert record.request_id == response["X-Request-ID"]
    assert len({r.request_id for r in records}) == 3

    create, update, delete = records
    assert create.before is None and create.after["code"] == "CUS-AUD"
    assert create.after["current_grid"] == world.grids["R1-A1-G1"].pk
    assert (update.before["tier"], update.after["tier"]) == ("C", "A")
    assert [field for field, _old, _new in update.diff()] == ["tier", "updated_at"]
    assert delete.before["code"] == "CUS-AUD" and delete.after is None


def test_a_request_supplied_request_id_is_reused(world, api):
    response = api("admin").patch(
        f"/api/v1/customers/{world.customers['CUS-G2'].pk}/",
        {"name": "改名"},
        format="json",
        HTTP_X_REQUEST_ID="import-batch-42",
    )
    assert response["X-Request-ID"] == "import-batch-42"
    assert changes_of(world.customers["CUS-G2"])[-1].request_id == "import-batch-42"


def test_an_unsafe_request_id_is_replaced(world, api):
    response = api("admin").get("/api/v1/grids/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response["X-Request-ID"]) == 32


def test_token_authenticated_changes_name_the_token_user(world, api):
    token = api(None).post("/api/v1/auth/token/", {"username": "director", "password": PASSWORD})
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    customer = world.customers["CUS-G1"]
    assert (
        client.patch(f"/api/v1/customers/{customer.pk}/", {"industry": "茶叶"}).status_code == 200
    )
    assert changes_of(customer)[-1].user_name == "director"


def test_a_save_that_changes_nothing_writes_nothing(world, api):
    """Not even though `updated_at` moves: a timestamp alone is not a change."""
    before = ObjectChange.objects.count()
    customer = Customer.objects.get(pk=world.customers["CUS-G1"].pk)
    customer.save()
    customer_services.customer_update(customer=customer, name=customer.name, tags=customer.tags)
    response = api("rep").patch(
        f"/api/v1/customers/{customer.pk}/", {"name": customer.name}, format="json"
    )
    assert response.status_code == 200
    assert ObjectChange.objects.count() == before


def test_a_rolled_back_write_leaves_no_record(world, api):
    before = ObjectChange.objects.count()
    response = api("analyst").post(
        "/api/v1/customers/", {"code": "CUS-NO", "name": "不许"}, format="json"
    )
    assert response.status_code == 403
    assert ObjectChange.objects.count() == before


def test_changes_outside_a_request_are_attributed_by_acting_as(db):
    with acting_as(None, request_id="cli-run-1"):
        customer = CustomerFactory()
    record = changes_of(customer)[0]
    assert (record.user, record.user_name, record.request_id) == (None, "system", "cli-run-1")


@pytest.mark.django_db
def test_passwords_never_reach_the_audit_log():
    rep = RepFactory(username="secretive")
    team_services.rep_update(user=rep, display_name="保密")
    rep.set_password("Another-secret-pw-9")
    rep.save()
    for record in changes_of(rep):
        for snapshot in (record.before, record.after):
            assert "password" not in (snapshot or {})
            assert "last_login" not in (snapshot or {})
    assert "pbkdf2" not in str(list(ObjectChange.objects.values("before", "after")))
    assert "md5$" not in str(list(ObjectChange.objects.values("before", "after")))


def test_passwords_set_through_the_api_never_reach_the_audit_log(world, api):
    response = api("admin").post(
        "/api/v1/reps/", {"username": "apirep", "password": "Api-secret-pw-7"}, format="json"
    )
    assert response.status_code == 201
    assert "Api-secret-pw-7" not in str(list(ObjectChange.objects.values("before", "after")))
    assert "md5$" not in str(list(ObjectChange.objects.values("before", "after")))


def test_only_admins_read_the_global_log_and_can_filter_it_by_request_id(world, api):
    client = api("admin")
    response = client.patch(
        f"/api/v1/grids/{world.grids['R1'].pk}/",
        {"description": "华东"},
        format="json",
        HTTP_X_REQUEST_ID="req-1",
    )
    assert response.status_code == 200
    rows = client.get("/api/v1/audit/", {"request_id": "req-1"}).json()["results"]
    assert [(r["action"], r["content_type"], r["user_name"]) for r in rows] == [
        ("update", "grids.grid", "admin")
    ]
    assert rows[0]["after"]["description"] == "华东"
    for persona in ("director", "analyst", "regional", "rep"):
        assert api(persona).get("/api/v1/audit/").json()["count"] == 0
