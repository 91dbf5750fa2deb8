"""Writes for customers and contacts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.core.context import current_user
from gridsales.core.services import model_save
from gridsales.customers.models import Contact, Customer, CustomerStatusChange

CUSTOMER_FIELDS = (
    "code",
    "name",
    "type",
    "industry",
    "tier",
    "tags",
    "address",
    "needs",
    "opens_at",
    "closes_at",
    "lat",
    "lng",
    "source_crs",
    "status",
    "owner",
    "current_grid",
)
CONTACT_FIELDS = ("customer", "name", "title", "phone", "email", "wechat_id", "is_primary", "note")


def _clean_tags(tags) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags or []:
        if tag is None:
            continue
        tag = str(tag).strip()
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


def _save_and_assign(customer: Customer, fields: dict, *, creating: bool) -> Customer:
    """Save the customer and place it in its grid (gridsales.grids.assignment).

    A grid given by hand (`current_grid`) pins the customer there; `grid_pinned=False`
    unpins it. An unpinned customer is re-placed when its location or a field the segment
    rules read changes.
    """
    from gridsales.grids import placement

    old_grid_id, old_pinned = customer.current_grid_id, customer.grid_pinned
    old_reason = customer.assignment_reason
    old_status = "" if creating else customer.status
    values = {k: v for k, v in fields.items() if k in CUSTOMER_FIELDS}
    for name, value in values.items():
        setattr(customer, name, value)
    decision, pinned = placement.placement_for_save(
        customer=customer,
        fields={
            **values,
            **({"grid_pinned": fields["grid_pinned"]} if "grid_pinned" in fields else {}),
        },
        old_grid_id=old_grid_id,
        old_pinned=old_pinned,
        creating=creating,
    )
    extra = {"grid_pinned": pinned}
    if decision is not None:
        extra.update(current_grid_id=decision.grid_id, assignment_reason=decision.reason)
    model_save(customer, **extra)
    if decision is not None:
        placement.history_write(
            customer=customer,
            decision=decision,
            previous_grid_id=None if creating else old_grid_id,
            previous_reason="" if creating else old_reason,
        )
    if customer.status != old_status:
        status_change_write(customer=customer, previous=old_status)
    return customer


def status_change_write(*, customer: Customer, previous: str) -> CustomerStatusChange:
    """Record that `customer` went from `previous` ("" when it was just created) to its
    status now, by the acting user."""
    user = current_user.get()
    return CustomerStatusChange.objects.create(
        customer=customer,
        previous=previous,
        status=customer.status,
        changed_at=customer.created_at if not previous else timezone.now(),
        user=user if user is not None and user.pk else None,
    )


@transaction.atomic
def customer_create(**fields) -> Customer:
    """Create a customer (coordinates already WGS-84) and place it in its grid."""
    fields["tags"] = _clean_tags(fields.get("tags"))
    return _save_and_assign(Customer(), fields, creating=True)


@transaction.atomic
def customer_update(*, customer: Customer, **fields) -> Customer:
    """Update a customer's fields; re-place it when where it belongs may have changed."""
    if "tags" in fields:
        fields["tags"] = _clean_tags(fields["tags"])
    return _save_and_assign(customer, fields, creating=False)


@transaction.atomic
def contact_save(*, contact: Contact | None = None, **fields) -> Contact:
    """Create (contact=None) or update a contact. One primary contact per customer."""
    contact = contact or Contact()
    contact = model_save(contact, **{k: v for k, v in fields.items() if k in CONTACT_FIELDS})
    if contact.is_primary:
        for other in contact.customer.contacts.filter(is_primary=True).exclude(pk=contact.pk):
            model_save(other, is_primary=False)
    return contact


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Delete a customer and its contacts (the audit log keeps their last state).

    A customer with history (orders, deals, activities, surveys) is refused: that history
    is the company's record; such a customer is marked lost instead."""
    if (
        customer.orders.exists()
        or customer.opportunities.exists()
        or customer.activities.exists()
        or customer.surveys.exists()
    ):
        raise ValidationError(
            _(
                "Customer “{code}” has orders, deals, activities or surveys and cannot be deleted; set its status to lost instead."
            ).format(code=customer.code)
        )
    for contact in customer.contacts.all():
        contact.delete()
    customer.delete()


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    """Delete a contact."""
    contact.delete()


def status_history_start() -> int:
    """Give every customer without a status history its creation row (its status now, at
    its creation time), set-based: for customers written in bulk past the services, such
    as the demo's. Returns the number of rows written."""
    history = CustomerStatusChange._meta.db_table
    customers = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history} (customer_id, previous, status, changed_at) "
            f"SELECT c.id, '', c.status, c.created_at FROM {customers} c "
            f"WHERE NOT EXISTS (SELECT 1 FROM {history} h WHERE h.customer_id = c.id)"
        )
        return cursor.rowcount
