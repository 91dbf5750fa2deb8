"""The customers and contacts API: filters, search, ordering and validation errors."""

import pytest

from gridsales.customers.models import Contact, Customer
from gridsales.customers.tests.factories import CustomerFactory

CUSTOMERS = "/api/v1/customers/"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def english_post(client, url, data):
    """Post with English negotiated, so error messages can be asserted as text."""
    return client.post(url, data, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_search_matches_code_name_and_address_word_by_word(world, api):
    CustomerFactory(code="HZ-001", name="杭州西湖茶叶", address="杭州市西湖区龙井路 1 号")
    CustomerFactory(code="HZ-002", name="杭州钱塘物流", address="杭州市钱塘区")
    client = api("admin")
    assert codes(client.get(CUSTOMERS, {"q": "杭州"})) == ["HZ-001", "HZ-002"]
    assert codes(client.get(CUSTOMERS, {"q": "杭州 龙井"})) == ["HZ-001"]
    assert codes(client.get(CUSTOMERS, {"q": "hz-002"})) == ["HZ-002"]
    assert codes(client.get(CUSTOMERS, {"q": "nowhere"})) == []


def test_grid_filter_includes_the_subtree(world, api):
    client = api("admin")
    assert codes(client.get(CUSTOMERS, {"grid": "R1"})) == ["CUS-G1", "CUS-G2"]
    assert codes(client.get(CUSTOMERS, {"grid": "R1-A1-G1"})) == ["CUS-G1"]
    assert codes(client.get(CUSTOMERS, {"grid": "HQ"})) == ["CUS-G1", "CUS-G2", "CUS-R2"]


def test_grid_filter_with_a_code_outside_the_scope_yields_nothing(world, api):
    client = api("rep")
    assert codes(client.get(CUSTOMERS, {"grid": "R2"})) == []
    assert codes(client.get(CUSTOMERS, {"grid": "NO-SUCH-GRID"})) == []
    # Even R1, an ancestor of the rep's own grid, is outside its scope.
    assert codes(client.get(CUSTOMERS, {"grid": "R1"})) == []
    assert codes(client.get(CUSTOMERS, {"grid": "R1-A1-G1"})) == ["CUS-G1"]


def test_tier_status_owner_and_unassigned_filters(world, api):
    client = api("admin")
    assert codes(client.get(CUSTOMERS, {"tier": "A"})) == ["CUS-G1", "CUS-R2"]
    assert codes(client.get(CUSTOMERS, {"tier": ["B", "C"]})) == ["CUS-G2", "CUS-NOGRID"]
    assert codes(client.get(CUSTOMERS, {"status": "lead"})) == ["CUS-G2", "CUS-NOGRID"]
    assert codes(client.get(CUSTOMERS, {"owner": "rep"})) == ["CUS-G1", "CUS-NOGRID"]
    assert codes(client.get(CUSTOMERS, {"unassigned": "true"})) == ["CUS-NOGRID"]
    assert codes(client.get(CUSTOMERS, {"tier": "A", "status": "active", "grid": "R2"})) == [
        "CUS-R2"
    ]


def test_an_invalid_choice_filter_answers_400(world, api):
    response = api("admin").get(CUSTOMERS, {"tier": "Z"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "tier" in response.json()


@pytest.mark.parametrize("tag", ["重点客户", "VIP"])
def test_tag_filter_matches_whole_tags(world, api, tag):
    """Tags are a JSON list, stored differently by SQLite and PostgreSQL; both must match."""
    client = api("admin")
    expected = ["CUS-G1", "CUS-R2"] if tag == "重点客户" else ["CUS-G1"]
    assert codes(client.get(CUSTOMERS, {"tag": tag})) == expected


def test_tag_filter_does_not_match_part_of_a_tag(world, api):
    assert codes(api("admin").get(CUSTOMERS, {"tag": "重点"})) == []


def test_tag_filter_stays_inside_the_scope(world, api):
    assert codes(api("rep").get(CUSTOMERS, {"tag": "重点客户"})) == ["CUS-G1"]


def test_ordering(world, api):
    client = api("admin")
    assert codes(client.get(CUSTOMERS)) == ["CUS-G1", "CUS-G2", "CUS-NOGRID", "CUS-R2"]
    assert codes(client.get(CUSTOMERS, {"ordering": "-code"})) == [
        "CUS-R2",
        "CUS-NOGRID",
        "CUS-G2",
        "CUS-G1",
    ]
    assert codes(client.get(CUSTOMERS, {"ordering": "tier,-code"})) == [
        "CUS-R2",
        "CUS-G1",
        "CUS-G2",
        "CUS-NOGRID",
    ]


def test_list_shows_references_by_code_and_counts_contacts(world, api):
    row = api("admin").get(CUSTOMERS, {"q": "CUS-G1"}).json()["results"][0]
    assert row["owner"] == "rep"
    assert row["current_grid"] == "R1-A1-G1"
    assert row["tags"] == ["重点客户", "VIP"]
    assert row["contacts_count"] == 1


def test_create_customer_cleans_tags(world, api):
    response = api("rep").post(
        CUSTOMERS,
        {
            "code": "CUS-NEW",
            "name": "新客户",
            "current_grid": "R1-A1-G1",
            "owner": "rep",
            "tags": [" VIP ", "VIP", "重点客户", "VIP"],
            "lat": 30.25,
            "lng": 120.16,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["tags"] == ["VIP", "重点客户"]
    assert Customer.objects.get(code="CUS-NEW").tags == ["VIP", "重点客户"]


def test_create_customer_names_the_missing_fields(world, api):
    response = english_post(api("admin"), CUSTOMERS, {})
    assert response.status_code == 400
    assert response.json() == {
        "code": ["This field is required."],
        "name": ["This field is required."],
    }


def test_latitude_out_of_range_is_refused_naming_lat(world, api):
    response = english_post(api("admin"), CUSTOMERS, {"code": "CUS-N", "name": "N", "lat": 91})
    assert response.status_code == 400
    assert list(response.json()) == ["lat"]
    assert "90" in response.json()["lat"][0]


def test_duplicate_customer_code_is_refused(world, api):
    response = english_post(api("admin"), CUSTOMERS, {"code": "CUS-G1", "name": "重复"})
    assert response.status_code == 400
    assert list(response.json()) == ["code"]
    assert "already exists" in response.json()["code"][0]


def test_invalid_customer_code_is_refused(world, api):
    response = english_post(api("admin"), CUSTOMERS, {"code": "有 空格", "name": "x"})
    assert response.status_code == 400
    assert list(response.json()) == ["code"]


def test_a_grid_outside_the_scope_is_refused_as_unknown(world, api):
    response = english_post(
        api("rep"),
        CUSTOMERS,
        {"code": "CUS-N", "name": "N", "current_grid": "R2-A1-G1", "owner": "rep"},
    )
    assert response.status_code == 400
    assert "does not exist" in response.json()["current_grid"][0]


def test_errors_default_to_simplified_chinese(world, api):
    response = api("admin").post(CUSTOMERS, {}, format="json")
    assert response.status_code == 400
    assert response["Content-Language"] == "zh-hans"


def test_contacts_filter_by_customer_and_grid(world, api):
    client = api("admin")
    names = lambda r: [row["name"] for row in r.json()["results"]]  # noqa: E731
    assert names(client.get("/api/v1/contacts/", {"customer": "CUS-R2"})) == ["Contact CUS-R2"]
    assert names(client.get("/api/v1/contacts/", {"grid": "R1"})) == [
        "Contact CUS-G1",
        "Contact CUS-G2",
    ]


def test_a_new_primary_contact_demotes_the_old_one(world, api):
    customer = world.customers["CUS-G1"]
    response = api("rep").post(
        "/api/v1/contacts/",
        {"customer": "CUS-G1", "name": "新主联系人", "is_primary": True},
        format="json",
    )
    assert response.status_code == 201
    primary = Contact.objects.filter(customer=customer, is_primary=True)
    assert [c.name for c in primary] == ["新主联系人"]


def test_a_rep_who_leaves_out_the_owner_becomes_the_owner(api, world):
    response = api("rep").post(
        "/api/v1/customers/",
        {"code": "MINE-1", "name": "我的新客户", "current_grid": "R1-A1-G1"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["owner"] == "rep"


def test_a_rep_records_its_customers_needs_through_the_api(world, api):
    customer = world.customers["CUS-G1"]
    response = api("rep").patch(
        f"{CUSTOMERS}{customer.pk}/", {"needs": "需要千兆专线,预算 20 万"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["needs"] == "需要千兆专线,预算 20 万"
    customer.refresh_from_db()
    assert customer.needs == "需要千兆专线,预算 20 万"
