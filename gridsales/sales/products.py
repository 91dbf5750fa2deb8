"""Writes for the product catalogue: categories and products.

Who may call them is decided by the callers (pages, API, import): only administrators and
directors change the catalogue (CatalogueQuerySet).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridsales.core.services import model_save
from gridsales.sales.models import Product, ProductCategory

CATEGORY_FIELDS = ("code", "name")
PRODUCT_FIELDS = ("code", "name", "category", "unit", "list_price", "is_active")


@transaction.atomic
def category_save(*, category: ProductCategory | None = None, **fields) -> ProductCategory:
    """Create (category=None) or update a product category (code, name)."""
    category = category or ProductCategory()
    return model_save(category, **{k: v for k, v in fields.items() if k in CATEGORY_FIELDS})


@transaction.atomic
def category_delete(*, category: ProductCategory) -> None:
    """Delete a category nobody uses; a category with products is refused (move them first)."""
    used = category.products.count()
    if used:
        raise ValidationError(
            _(
                "The category {category} still has {n} products; give them another category first."
            ).format(category=category, n=used)
        )
    category.delete()


@transaction.atomic
def product_create(
    *,
    code: str,
    name: str,
    category: ProductCategory | None = None,
    unit: str = "",
    list_price: Decimal = Decimal("0"),
    is_active: bool = True,
) -> Product:
    """Create a product; the list price is per unit, in yuan to the fen."""
    return model_save(
        Product(),
        code=code,
        name=name,
        category=category,
        unit=unit,
        list_price=list_price,
        is_active=is_active,
    )


@transaction.atomic
def product_update(*, product: Product, **fields) -> Product:
    """Change a product's fields (any of PRODUCT_FIELDS). Orders keep their own prices."""
    return model_save(product, **{k: v for k, v in fields.items() if k in PRODUCT_FIELDS})


@transaction.atomic
def product_deactivate(*, product: Product) -> Product:
    """Take a product out of sale: orders keep it, new order forms no longer offer it.
    Products are never deleted (order lines refer to them)."""
    return model_save(product, is_active=False)
