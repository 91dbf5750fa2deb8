"""Customer and contact services: validation and invariants."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gridsales.core.context import acting_as
from gridsales.customers import services
from gridsales.customers.models import Contact, Customer, CustomerGridAssignment
from gridsales.customers.tests.factories import ContactFactory, CustomerFactory
from gridsales.grids.services import grid_delete
from gridsales.sales.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_only_one_contact_per_customer_is_primary():
    customer = CustomerFactory()
    first = ContactFactory(customer=customer, is_primary=True)
    second = ContactFactory(customer=customer, is_primary=True)
    primary = Contact.objects.filter(customer=customer, is_primary=True)
    assert list(primary) == [second]
    first.refresh_from_db()
    assert not first.is_primary


def test_making_an_existing_contact_primary_demotes_the_other():
    customer = CustomerFactory()
    first = ContactFactory(customer=customer, is_primary=True)
    second = ContactFactory(customer=customer)
    services.contact_save(contact=second, is_primary=True)
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)


def test_primary_contacts_of_other_customers_are_left_alone():
    a = ContactFactory(is_primary=True)
    b = ContactFactory(is_primary=True)
    a.refresh_from_db()
    assert a.is_primary and b.is_primary


def test_tags_are_trimmed_and_deduplicated_in_order():
    customer = CustomerFactory(tags=[" 重点客户 ", "VIP", "重点客户", "", "  "])
    assert customer.tags == ["重点客户", "VIP"]


def test_coordinates_must_be_on_earth():
    with pytest.raises(ValidationError) as caught:
        CustomerFactory(lat=91, lng=181)
    assert set(caught.value.message_dict) == {"lat", "lng"}


def test_customer_codes_are_unique():
    CustomerFactory(code="DUP-1")
    with pytest.raises(ValidationError) as caught:
        CustomerFactory(code="DUP-1")
    assert "code" in caught.value.message_dict


def test_customer_update_only_touches_customer_fields():
    customer = CustomerFactory(name="旧名")
    services.customer_update(customer=customer, name="新名", pk=999, created_at=None)
    customer.refresh_from_db()
    assert customer.name == "新名"
    assert customer.pk != 999


def test_a_customer_with_sales_history_cannot_be_deleted(world):
    customer = world.customers["CUS-G1"]
    OrderFactory(customer=customer)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.customer_delete(customer=customer)

    assert caught.value.messages == [
        "Customer “CUS-G1” has orders, deals, activities or surveys and cannot be deleted; set its status to lost instead."
    ]
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_grid_with_recorded_orders_cannot_be_deleted(world):
    customer = world.customers["CUS-G2"]  # in R1-A1-G2, which has no members
    OrderFactory(customer=customer, rep=world.users["regional"])
    services.customer_update(customer=customer, current_grid=world.grids["R1-A1-G1"])
    grid = world.grids["R1-A1-G2"]
    assert not grid.customers.exists()
    CustomerGridAssignment.objects.filter(grid=grid).delete()  # only the order refers to it now
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        grid_delete(grid=grid)
    assert caught.value.messages == [
        "Grid “R1-A1-G2” has orders, deals, activities or surveys recorded in it and cannot be deleted; retire it instead."
    ]


def test_a_status_history_starts_at_creation_and_records_each_change(world):
    customer = CustomerFactory(code="HIST-1", status="lead")
    services.customer_update(customer=customer, name="改名")  # not a status change
    services.customer_update(customer=customer, status="prospect")
    with acting_as(world.users["rep"]):
        services.customer_update(customer=customer, status="active")
    rows = list(
        customer.status_changes.order_by("changed_at", "pk").values_list(
            "previous", "status", "user__username"
        )
    )
    assert rows == [("", "lead", None), ("lead", "prospect", None), ("prospect", "active", "rep")]
    created = customer.status_changes.get(previous="")
    assert created.changed_at == customer.created_at


def test_status_history_start_fills_in_customers_written_in_bulk(world):
    Customer.objects.bulk_create([Customer(code="BULK-1", name="批量一", status="dormant")])
    # The persona customers have their rows already; only the bulk one is new.
    assert services.status_history_start() == 1
    assert services.status_history_start() == 0
    bulk = Customer.objects.get(code="BULK-1")
    assert list(bulk.status_changes.values_list("previous", "status")) == [("", "dormant")]
