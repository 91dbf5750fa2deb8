"""Writes for customers and contacts."""

from __future__ import annotations

from django.db import transaction

from gridsales.core.services import model_save
from gridsales.customers.models import Contact, Customer

CUSTOMER_FIELDS = (
    "code",
    "name",
    "type",
    "industry",
    "tier",
    "tags",
    "address",
    "lat",
    "lng",
    "source_crs",
    "status",
    "owner",
    "current_grid",
    "assignment_reason",
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


@transaction.atomic
def customer_create(**fields) -> Customer:
    """Create a customer; coordinates must already be WGS-84."""
    fields["tags"] = _clean_tags(fields.get("tags"))
    return model_save(Customer(), **{k: v for k, v in fields.items() if k in CUSTOMER_FIELDS})


@transaction.atomic
def customer_update(*, customer: Customer, **fields) -> Customer:
    """Update a customer's fields."""
    if "tags" in fields:
        fields["tags"] = _clean_tags(fields["tags"])
    return model_save(customer, **{k: v for k, v in fields.items() if k in CUSTOMER_FIELDS})


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
    """Delete a customer and its contacts (the audit log keeps their last state)."""
    for contact in customer.contacts.all():
        contact.delete()
    customer.delete()


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    """Delete a contact."""
    contact.delete()
