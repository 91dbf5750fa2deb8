"""Product import (CSV/XLSX) and export: `gridsales import|export products`.

Contract columns: `code,name,category,unit,list_price` (or their Chinese titles
产品编码/产品名称/品类/单位/目录价). Products are matched by code (created, updated or
unchanged); a category is found by code or name, and an unknown one is created with the
value as code and name (a warning says so). Every row is checked first; nothing is written
when a row is wrong (unless skip_invalid). See docs/orders.md.
"""

from __future__ import annotations

import types

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridsales.core.io.report import FileRejected, ImportReport
from gridsales.core.io.tabular import read_table
from gridsales.core.io.writers import write_csv, write_xlsx
from gridsales.core.scope import scope_for
from gridsales.sales.import_values import header_map, key, parse_decimal
from gridsales.sales.models import Product, ProductCategory

COLUMNS = ("code", "name", "category", "unit", "list_price")
REQUIRED = ("code", "name")
# The contract's Chinese titles (kept here, not only in the catalogue: a re-translated
# label must not break files people already have).
ALIASES = {
    "产品编码": "code",
    "产品名称": "name",
    "品类": "category",
    "产品品类": "category",
    "单位": "unit",
    "目录价": "list_price",
    "标价": "list_price",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
BATCH = 1000
LOOKUP_CHUNK = 500


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_columns(headers: list[str], names: dict[str, str], report: ImportReport) -> dict:
    """Column → index from the header row; unknown headers are warned about, a column given
    twice rejects the file. Returns ({column: index}, {column: header as written})."""
    columns: dict[str, int] = {}
    written: dict[str, str] = {}
    for index, header in enumerate(headers):
        column = names.get(key(header))
        if column is None:
            if header:
                report.warn(1, header, "", _("Unknown column, ignored."))
            continue
        if column in columns:
            raise FileRejected(
                _("Column “{column}” appears twice (as “{a}” and “{b}”).").format(
                    column=column, a=written[column], b=header
                )
            )
        columns[column] = index
        written[column] = header
    return columns, written


class ProductImporter:
    help = gettext_lazy("Products from CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX")
    title = gettext_lazy("Products")
    section = "sales"
    suffixes = (".csv", ".xlsx")

    def list_url(self) -> str:
        return reverse("sales:product-list")

    def form_fields(self) -> dict:
        return {}

    def add_arguments(self, parser):
        pass

    def check_user(self, user) -> None:
        """The catalogue is HQ's: administrators and directors import products."""
        if user is not None and not scope_for(user).write_all:
            raise PermissionDenied(_("You are not allowed to import products."))

    def run(self, *, user, data, file_name, options, dry_run=False, skip_invalid=False):
        self.check_user(user)
        table = read_table(data, file_name)
        report = ImportReport(
            kind="products", file_name=file_name, encoding=table.encoding, dry_run=dry_run
        )
        names = header_map({c: (Product, c) for c in COLUMNS}, ALIASES)
        columns, written = read_columns(table.headers, names, report)
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise FileRejected(
                _(
                    "Required columns are missing: {missing}. The first row must name the columns code, name, category, unit, list_price."
                ).format(missing=", ".join(missing))
            )
        report.rows = len(table.rows)
        plan = _Plan()
        self._validate(table, columns, written, plan, report)
        report.skipped = len(report.invalid_rows)
        if report.errors and not skip_invalid:
            report.created = report.updated = report.unchanged = 0
            return report
        if not dry_run:
            plan.write(report)
        return report

    def _validate(self, table, columns, written, plan, report) -> None:
        categories = list(ProductCategory.objects.order_by().values_list("id", "code", "name"))
        by_code = {code: pk for pk, code, _name in categories}
        by_name = {key(name): pk for pk, _code, name in categories}
        codes = list({v[columns["code"]] for _n, v in table.rows if len(v) > columns["code"]})
        existing: dict[str, Product] = {}
        for chunk in _chunks(codes, LOOKUP_CHUNK):
            existing.update((p.code, p) for p in Product.objects.filter(code__in=chunk))
        seen: dict[str, int] = {}
        for number, values in table.rows:
            row = {c: (values[i] if i < len(values) else "") for c, i in columns.items()}

            def error(column, reason, row=row, number=number):
                report.error(number, written.get(column, column), row.get(column, ""), reason)

            code = row["code"]
            if code in seen:
                error(
                    "code",
                    _("The code appears twice in the file (first in row {row}).").format(
                        row=seen[code]
                    ),
                )
                continue
            seen[code] = number
            before = len(report.errors)
            old = existing.get(code)
            product = (
                Product(**{f.attname: getattr(old, f.attname) for f in Product._meta.fields})
                if old
                else Product()
            )
            product.code, product.name = code, row["name"]
            if "unit" in row:
                product.unit = row["unit"]
            if "list_price" in row:
                price, problem = parse_decimal(row["list_price"], 2)
                if problem:
                    error("list_price", problem)
                elif price < 0:
                    error("list_price", _("The list price cannot be negative."))
                else:
                    product.list_price = price
            if "category" in row:
                product.category_id = None
                value = row["category"]
                if value:
                    found = by_code.get(value) or by_name.get(key(value))
                    if found is None:
                        found = plan.new_category(value, number, written["category"], report)
                    if found is None:
                        error(
                            "category",
                            _(
                                "No category with this code or name. A new category takes the value as its code, which may hold only letters, digits, dots, hyphens and underscores: create it on the categories page first, or use its code."
                            ),
                        )
                    else:
                        product.category_id = found if isinstance(found, int) else None
                        product._new_category = found if isinstance(found, str) else None
            try:
                product.clean_fields(exclude=["category", "list_price"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        error(field if field in columns else "code", message)
            if len(report.errors) > before:
                continue
            if old is None:
                report.created += 1
                plan.new.append(product)
            elif _changed(old, product):
                report.updated += 1
                plan.changed.append(product)
            else:
                report.unchanged += 1


def _changed(old: Product, new: Product) -> bool:
    if getattr(new, "_new_category", None):
        return True
    fields = ("name", "category_id", "unit", "list_price")
    return any(getattr(old, f) != getattr(new, f) for f in fields)


class _Plan:
    """What a valid file writes: new categories, new and changed products."""

    def __init__(self):
        self.categories: dict[str, ProductCategory] = {}
        self.new: list[Product] = []
        self.changed: list[Product] = []

    def new_category(self, value: str, number: int, column: str, report) -> str | None:
        """The code of the category this row creates (None: the value cannot be a code)."""
        if value in self.categories:
            return value
        category = ProductCategory(code=value, name=value)
        try:
            category.clean_fields()
        except ValidationError:
            return None
        self.categories[value] = category
        report.warn(
            number, column, value, _("Unknown category: it is created with this code and name.")
        )
        return value

    def write(self, report: ImportReport) -> None:
        now = timezone.now()
        with transaction.atomic():
            ProductCategory.objects.bulk_create(list(self.categories.values()))
            created = dict(
                ProductCategory.objects.filter(code__in=list(self.categories)).values_list(
                    "code", "id"
                )
            )
            for product in self.new + self.changed:
                new_category = getattr(product, "_new_category", None)
                if new_category:
                    product.category_id = created[new_category]
            for batch in _chunks(self.new, BATCH):
                Product.objects.bulk_create(batch)
            for product in self.changed:
                product.updated_at = now
            fields = ["name", "category", "unit", "list_price"]
            for batch in _chunks(self.changed, BATCH):
                Product.objects.bulk_update(batch, fields)
        report.written = True


EXPORT_COLUMNS = [
    ("code", lambda p: p.code),
    ("name", lambda p: p.name),
    ("category", lambda p: p.category.code if p.category else ""),
    ("unit", lambda p: p.unit),
    ("list_price", lambda p: p.list_price),
]


class ProductExporter:
    help = gettext_lazy(
        "Products as CSV (UTF-8 with BOM) or XLSX: code,name,category,unit,list_price"
    )
    formats = ("csv", "xlsx")
    content_types = CONTENT_TYPES

    def queryset(self, *, user, params=None):
        from gridsales.sales.order_filtersets import ProductFilterSet

        qs = Product.objects.all() if user is None else Product.objects.restrict(user, "view")
        if params:
            request = types.SimpleNamespace(user=user) if user is not None else None
            filterset = ProductFilterSet(params, queryset=qs, request=request)
            if filterset.is_valid():
                qs = filterset.qs
        return qs.select_related("category").order_by("code", "pk")

    def write(self, *, user, fmt, stream, params=None) -> None:
        headers = [header for header, _value in EXPORT_COLUMNS]
        rows = (
            [value(p) for _h, value in EXPORT_COLUMNS]
            for p in self.queryset(user=user, params=params).iterator(chunk_size=2000)
        )
        if fmt == "xlsx":
            write_xlsx(stream, headers, rows, title="products")
        else:
            write_csv(stream, headers, rows)
