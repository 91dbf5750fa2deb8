"""Customer and contact forms in the web UI: saving through services, scope, messages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridsales.core.models import ObjectChange
from gridsales.customers.models import Customer


def client_for(world, persona: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.users[persona])
    return client


def form_data(world, **overrides) -> dict:
    data = {
        "code": "NEW-1",
        "name": "上海新客户有限公司",
        "type": "enterprise",
        "industry": "零售",
        "tier": "B",
        "status": "prospect",
        "tags": "重点客户, 新开户,重点客户",
        "address": "黄浦区南京东路1号",
        "lat": "31.2304",
        "lng": "121.4737",
        "owner": world.users["rep"].pk,
        "current_grid": world.grids["R1-A1-G1"].pk,
    }
    data.update(overrides)
    return data


def test_rep_creates_a_customer_in_their_grid_and_it_is_audited(world):
    client = client_for(world, "rep")
    response = client.post(
        reverse("customers:create"), form_data(world), HTTP_X_REQUEST_ID="req-42"
    )
    customer = Customer.objects.get(code="NEW-1")
    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()
    assert customer.tags == ["重点客户", "新开户"]
    assert customer.current_grid.code == "R1-A1-G1"
    change = ObjectChange.objects.get(object_id=customer.pk, content_type__model="customer")
    assert (change.action, change.user_name, change.request_id) == ("create", "rep", "req-42")
    assert change.after["code"] == "NEW-1" and change.before is None


def test_rep_cannot_pick_a_grid_outside_their_scope(world):
    client = client_for(world, "rep")
    data = form_data(world, current_grid=world.grids["R2-A1-G1"].pk)
    response = client.post(reverse("customers:create"), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Customer.objects.filter(code="NEW-1").exists()


def test_rep_cannot_give_a_new_customer_to_someone_else_outside_their_grid(world):
    # rep2 is not visible to rep, so the owner choice is refused by the form.
    client = client_for(world, "rep")
    response = client.post(
        reverse("customers:create"), form_data(world, owner=world.users["rep2"].pk)
    )
    assert response.status_code == 400
    assert not Customer.objects.filter(code="NEW-1").exists()


def test_saving_a_customer_out_of_the_editors_scope_is_rolled_back(world):
    # gridmanager may choose rep as owner but not leave the customer unassigned and un-owned
    # by them: the saved customer would be outside what gridmanager manages.
    client = client_for(world, "gridmanager")
    response = client.post(
        reverse("customers:create"), form_data(world, current_grid="", owner=world.users["rep"].pk)
    )
    assert response.status_code == 400
    assert "outside what you are allowed to manage" in response.content.decode()
    assert not Customer.objects.filter(code="NEW-1").exists()
    assert not ObjectChange.objects.filter(object_repr__startswith="NEW-1").exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Customer with this Customer code already exists.",
                "Ensure this value is less than or equal to 90.",
                "A customer code may contain only letters",
            ],
        ),
        (
            "zh-hans",
            [
                "具有 客户编码 的 客户 已存在。",
                "确保该值小于或等于90。",
                "客户编码只能包含字母、数字、点、连字符和下划线",
            ],
        ),
    ],
)
def test_bad_input_is_explained_in_the_users_language(world, language, expected):
    client = client_for(world, "admin", language)
    duplicate = client.post(reverse("customers:create"), form_data(world, code="CUS-G1"))
    bad_lat = client.post(reverse("customers:create"), form_data(world, lat="91"))
    bad_code = client.post(reverse("customers:create"), form_data(world, code="有 空格"))
    for response, message in zip([duplicate, bad_lat, bad_code], expected, strict=True):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Customer.objects.filter(code="NEW-1").exists()


def test_latitude_without_longitude_is_refused(world):
    response = client_for(world, "admin").post(
        reverse("customers:create"), form_data(world, lng="")
    )
    assert response.status_code == 400
    assert "Give both latitude and longitude, or neither." in response.content.decode()


def test_rep_edits_own_customer_and_the_change_shows_in_its_history(world):
    client = client_for(world, "rep")
    customer = world.customers["CUS-G1"]
    data = form_data(world, code="CUS-G1", name="改名后的客户", tags="VIP")
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "改名后的客户"
    history = client.get(reverse("object-history", args=["customers.customer", customer.pk]))
    html = history.content.decode()
    assert "改名后的客户" in html and "客户 CUS-G1" in html


def test_analyst_cannot_post_to_an_edit_page(world):
    customer = world.customers["CUS-G1"]
    response = client_for(world, "analyst").post(
        reverse("customers:edit", args=[customer.pk]), form_data(world, code="CUS-G1", name="x")
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "客户 CUS-G1"


def test_grid_manager_deletes_a_customer_and_its_contacts(world):
    customer = world.customers["CUS-G1"]
    response = client_for(world, "gridmanager").post(
        reverse("customers:delete", args=[customer.pk])
    )
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()
    actions = set(
        ObjectChange.objects.filter(action="delete").values_list("content_type__model", flat=True)
    )
    assert actions == {"customer", "contact"}


def test_rep_adds_a_primary_contact_and_the_old_primary_steps_down(world):
    customer = world.customers["CUS-G1"]
    old = customer.contacts.get()
    response = client_for(world, "rep").post(
        reverse("customers:contact-create", args=[customer.pk]),
        {
            "name": "李经理",
            "title": "采购经理",
            "phone": "13912345678",
            "email": "li@example.com",
            "wechat_id": "li_wx",
            "is_primary": "on",
            "note": "",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert not old.is_primary
    assert customer.contacts.get(is_primary=True).name == "李经理"


def test_contact_with_a_bad_email_is_refused_with_the_field_named(world):
    customer = world.customers["CUS-G1"]
    response = client_for(world, "rep").post(
        reverse("customers:contact-create", args=[customer.pk]),
        {"name": "王", "email": "not-an-email"},
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


def test_customer_list_searches_filters_and_sorts(world):
    client = client_for(world, "admin")
    html = client.get(reverse("customers:list"), {"q": "R2"}).content.decode()
    assert "CUS-R2" in html and "CUS-G1" not in html
    html = client.get(reverse("customers:list"), {"tier": ["A"], "sort": "-code"}).content.decode()
    assert html.index("CUS-R2") < html.index("CUS-G1")
    html = client.get(reverse("customers:list"), {"grid": "R1"}).content.decode()
    assert "CUS-G1" in html and "CUS-G2" in html and "CUS-R2" not in html
    html = client.get(reverse("customers:list"), {"q": "no such thing"}).content.decode()
    assert "Nothing matches these filters." in html


def test_htmx_requests_get_only_the_results_table(world):
    client = client_for(world, "admin")
    response = client.get(reverse("customers:list"), {"q": "CUS"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="customer-table"' in html
    assert "<nav" not in html.split("customer-table")[0]  # no page chrome before the table


def test_pages_render_in_chinese_by_default(world):
    client = Client()
    client.force_login(world.users["rep"])
    html = client.get(reverse("customers:list")).content.decode()
    assert "客户编码" in html and "新建客户" in html and "Customer code" not in html


def test_language_switch_changes_the_interface_language(world):
    client = Client()
    client.force_login(world.users["rep"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/customers/"})
    assert response.status_code == 302
    html = client.get(reverse("customers:list")).content.decode()
    assert "New customer" in html and "新建客户" not in html
