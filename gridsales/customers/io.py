"""Customer import (CSV/XLSX) and export (CSV/XLSX), registered for `gridsales import/export`.

The import validates every row first (like the customer form: the model's field
validation, choices by code or label in either language, owners and grids by name), with
everything it needs prefetched so 100,000 rows need no per-row query; then writes in one
transaction with bulk_create/bulk_update. See docs/import-export.md.
"""

from __future__ import annotations

import datetime as dt
import math
import types

import numpy as np
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridsales.accounts.models import User
from gridsales.core.context import current_user
from gridsales.core.io.report import FileRejected, ImportReport
from gridsales.core.io.tabular import read_table
from gridsales.core.io.writers import write_csv, write_xlsx
from gridsales.core.scope import scope_for
from gridsales.customers.choices import Crs, CustomerStatus, CustomerType, Tier
from gridsales.customers.filtersets import CustomerFilterSet
from gridsales.customers.models import Customer, CustomerStatusChange
from gridsales.customers.services import CUSTOMER_FIELDS, _clean_tags
from gridsales.grids import crs as crs_module
from gridsales.grids.choices import GridStatus
from gridsales.grids.models import Grid

# One column definition for every customer export: the CLI, the pages' CSV/XLSX buttons and
# the API. An export re-imports as it is (`grid_code` is read as the customer's grid).
EXPORT_COLUMNS = [
    ("code", lambda c: c.code),
    ("name", lambda c: c.name),
    ("type", lambda c: c.type),
    ("industry", lambda c: c.industry),
    ("tier", lambda c: c.tier),
    ("status", lambda c: c.status),
    ("tags", lambda c: ",".join(c.tags)),
    ("address", lambda c: c.address),
    ("lat", lambda c: "" if c.lat is None else c.lat),
    ("lng", lambda c: "" if c.lng is None else c.lng),
    ("owner", lambda c: c.owner.username if c.owner else ""),
    ("grid_code", lambda c: c.current_grid.code if c.current_grid else ""),
    # Added after the others so files exported before it existed still line up.
    ("needs", lambda c: c.needs),
    ("opens_at", lambda c: c.opens_at.strftime("%H:%M") if c.opens_at else ""),
    ("closes_at", lambda c: c.closes_at.strftime("%H:%M") if c.closes_at else ""),
]

REQUIRED = ("code", "name", "lat", "lng")
# A file may set any field the customer services write (grid pins excepted).
IMPORT_FIELDS = CUSTOMER_FIELDS
ALIASES = {"grid_code": "current_grid", "grid": "current_grid", "crs": "source_crs"}
CHOICES = {
    "type": CustomerType,
    "tier": Tier,
    "status": CustomerStatus,
    "source_crs": Crs,
}
BATCH = 1000
_FIELD_NAMES = [
    f.name for f in Customer._meta.concrete_fields if f.name not in ("owner", "current_grid")
]
LOOKUP_CHUNK = 500


def _header_map() -> dict[str, str]:
    """Header (lower case) → field: field names, aliases, and the field labels in English
    and Chinese, so a sheet titled 客户编码/客户名称/纬度/经度 imports as well."""
    names = {f: f for f in IMPORT_FIELDS} | ALIASES
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            for field in IMPORT_FIELDS:
                names.setdefault(str(Customer._meta.get_field(field).verbose_name).lower(), field)
    return {k.lower(): v for k, v in names.items()}


def _choice_map(choices) -> dict[str, str]:
    """Code or label (English or Chinese), case-insensitive → code."""
    found = {}
    for value, _label in choices.choices:
        found[_key(value)] = value
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            for value, label in choices.choices:
                found.setdefault(_key(label), value)
    return found


def _key(text) -> str:
    """Lower case without spaces: "A 类", "a类" and "A类" are the same label."""
    return "".join(str(text).lower().split())


def _time(raw: str):
    """ "9:00", "09:00" or "09:00:00" (or an XLSX time cell, read as text) → time; else None."""
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            return dt.datetime.strptime(raw.strip(), fmt).time()
        except ValueError:
            continue
    return None


def can_write(scope, grid_path: str | None, owner_id: int | None) -> bool:
    """The customer rule of CustomerQuerySet.scope_q(..., "change"), on prefetched values."""
    if scope is None or scope.write_all:
        return True
    in_write = grid_path is not None and any(grid_path.startswith(p) for p in scope.write_paths)
    if scope.read_all:
        return in_write
    in_read = grid_path is not None and any(grid_path.startswith(p) for p in scope.read_paths)
    return in_write or (owner_id == scope.user_id and (in_read or grid_path is None))


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CustomerImporter:
    help = gettext_lazy("Customers from CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX")
    title = gettext_lazy("Customers")
    section = "customers"
    suffixes = (".csv", ".xlsx")

    def list_url(self) -> str:
        return reverse("customers:list")

    def form_fields(self) -> dict:
        return {
            "crs": forms.ChoiceField(
                label=gettext_lazy("Coordinate system of lat/lng"),
                choices=Crs.choices,
                initial=Crs.WGS84,
            )
        }

    def add_arguments(self, parser):
        parser.add_argument(
            "--crs",
            choices=crs_module.CRS_CODES,
            default=crs_module.WGS84,
            help=_("Coordinate system of lat/lng in the file (default wgs84)."),
        )

    def check_user(self, user) -> None:
        """Admins, directors and managers (for their managed grids) import customers."""
        if user is None:
            return
        scope = scope_for(user)
        if not (scope.write_all or (scope.is_manager and scope.write_paths)):
            raise PermissionDenied(_("You are not allowed to import customers."))

    def run(self, *, user, data, file_name, options, dry_run=False, skip_invalid=False):
        # A fresh instance per run: the lookups below are per-run state.
        return type(self)()._run(
            user=user,
            data=data,
            file_name=file_name,
            options=options,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )

    def _run(self, *, user, data, file_name, options, dry_run, skip_invalid):
        self.check_user(user)
        table = read_table(data, file_name)
        report = ImportReport(
            kind="customers", file_name=file_name, encoding=table.encoding, dry_run=dry_run
        )
        columns = self._columns(table.headers, report)
        scope = None if user is None else scope_for(user)
        default_crs = options.get("crs") or crs_module.WGS84
        prepared = self._validate(table, columns, scope, user, default_crs, report)
        report.skipped = len(report.invalid_rows)
        if report.errors and not skip_invalid:
            report.created = report.updated = report.unchanged = 0
            return report
        if dry_run:
            return report
        self._write(prepared, columns, report)
        return report

    # -- validation ----------------------------------------------------------------------

    def _columns(self, headers: list[str], report: ImportReport) -> dict[str, int]:
        names = _header_map()
        columns: dict[str, int] = {}
        self.header_names: dict[str, str] = {}
        for index, header in enumerate(headers):
            field = names.get(header.strip().lower())
            if field is None:
                report.warn(1, header, "", _("Unknown column, ignored."))
                continue
            if field in columns:
                raise FileRejected(
                    _("Column “{column}” appears twice (as “{a}” and “{b}”).").format(
                        column=field, a=self.header_names[field], b=header
                    )
                )
            columns[field] = index
            self.header_names[field] = header
        missing = [f for f in REQUIRED if f not in columns]
        if missing:
            raise FileRejected(
                _(
                    "Required columns are missing: {missing}. The first row must name the columns code, name, lat, lng (and any other customer field)."
                ).format(missing=", ".join(missing))
            )
        return columns

    def _lookups(self, user, codes: list[str]):
        grids = Grid.objects.all() if user is None else Grid.objects.restrict(user, "view")
        self.grids = {
            row["code"]: row
            for row in grids.order_by().values("id", "code", "path", "is_leaf", "status")
        }
        users = User.objects.all() if user is None else User.objects.restrict(user, "view")
        self.users = dict(
            users.filter(is_active=True).order_by().values_list("username", "id").iterator()
        )
        fields = [f.attname for f in Customer._meta.concrete_fields]
        self.existing: dict[str, dict] = {}
        for chunk in _chunks(codes, LOOKUP_CHUNK):
            for row in (
                Customer.objects.filter(code__in=chunk)
                .order_by()
                .values(*fields, "current_grid__path")
            ):
                self.existing[row["code"]] = row
        self.choice_maps = {f: _choice_map(c) for f, c in CHOICES.items()}

    def _validate(self, table, columns, scope, user, default_crs, report):
        code_index = columns["code"]
        codes = list(dict.fromkeys(v[code_index] for _n, v in table.rows if len(v) > code_index))
        self._lookups(user, [c for c in codes if c])
        seen: dict[str, int] = {}
        prepared: list[tuple[int, Customer, bool, bool]] = []  # row, obj, is_new, changed
        report.rows = len(table.rows)
        for number, values in table.rows:
            row = {f: (values[i] if i < len(values) else "") for f, i in columns.items()}
            before = len(report.errors)
            obj, is_new, changed = self._row(number, row, seen, scope, default_crs, report)
            if len(report.errors) == before and obj is not None:
                prepared.append((number, obj, is_new, changed))
        self._convert_coordinates(prepared)
        for _number, _obj, is_new, changed in prepared:
            if is_new:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
        return prepared

    def _row(self, number, row, seen, scope, default_crs, report):
        def error(field, reason):
            report.error(number, self.header_names.get(field, field), row.get(field, ""), reason)

        code = row["code"]
        if not code:
            error("code", _("A code is required."))
            return None, False, False
        if code in seen:
            error(
                "code",
                _("The code appears twice in the file (first in row {row}).").format(
                    row=seen[code]
                ),
            )
            return None, False, False
        seen[code] = number
        errors_before = len(report.errors)
        existing = self.existing.get(code)
        values: dict[str, object] = {}
        for field, raw in row.items():
            if field == "code":
                values["code"] = raw
            elif field in ("lat", "lng"):
                if raw == "":
                    values[field] = None
                    continue
                try:
                    number_value = float(raw.replace(",", "."))
                except ValueError:
                    error(field, _("Not a number."))
                    continue
                if not math.isfinite(number_value):
                    error(field, _("Not a number."))
                    continue
                values[field] = number_value
            elif field in CHOICES:
                if raw == "":
                    continue  # keep the current value (or the default for a new customer)
                value = self.choice_maps[field].get(_key(raw))
                if value is None:
                    error(
                        field,
                        _("Unknown value; use one of: {choices}.").format(
                            choices=", ".join(str(v) for v in CHOICES[field].values)
                        ),
                    )
                    continue
                values[field] = value
            elif field in ("opens_at", "closes_at"):
                if raw == "":
                    values[field] = None
                    continue
                parsed = _time(raw)
                if parsed is None:
                    error(field, _("Not a time: write it as HH:MM, for example 09:00."))
                    continue
                values[field] = parsed
            elif field == "tags":
                values["tags"] = _clean_tags(raw.replace(",", ",").split(","))
            elif field == "owner":
                if raw == "":
                    values["owner_id"] = None
                elif raw in self.users:
                    values["owner_id"] = self.users[raw]
                else:
                    error(field, _("No active user with this username."))
            elif field == "current_grid":
                if raw == "":
                    values["current_grid_id"] = None
                    continue
                grid = self.grids.get(raw)
                if grid is None:
                    error(field, _("No grid with this code."))
                elif not grid["is_leaf"]:
                    error(field, _("Customers belong to leaf grids; this grid has sub-grids."))
                elif grid["status"] != GridStatus.ACTIVE:
                    error(field, _("This grid is retired."))
                else:
                    values["current_grid_id"] = grid["id"]
            else:
                values[field] = raw
        if "source_crs" not in values:
            values["source_crs"] = default_crs
        if len(report.errors) > errors_before:
            return None, False, False
        opens = values.get("opens_at", existing["opens_at"] if existing else None)
        closes = values.get("closes_at", existing["closes_at"] if existing else None)
        if opens is not None and closes is not None and closes <= opens:
            error(
                "closes_at",
                _("The closing time must be later than the opening time: correct one of them."),
            )
            return None, False, False
        if (values.get("lat") is None) != (values.get("lng") is None):
            error("lat", _("Give both latitude and longitude, or neither."))
            return None, False, False

        if existing is not None:
            base = {k: v for k, v in existing.items() if k != "current_grid__path"}
            if not can_write(scope, existing["current_grid__path"], existing["owner_id"]):
                error("code", _("A customer with this code exists outside what you may change."))
                return None, False, False
        else:
            base = {}
        obj = Customer(**{**base, **values})
        try:
            # Only what the file sets: stored values and defaults are valid already, and
            # owner/grid were checked against the prefetched lookups (no query per row).
            obj.clean_fields(exclude=[n for n in _FIELD_NAMES if n not in values])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    error(field, message)
            return None, False, False
        grid_path = None
        if obj.current_grid_id is not None:
            grid = self._grid_by_id(obj.current_grid_id)
            # A grid this user cannot see keeps a placeholder path no scope covers.
            grid_path = grid["path"] if grid else "\0"
        if not can_write(scope, grid_path, obj.owner_id):
            error(
                "current_grid" if "current_grid" in row else "code",
                _("The customer would be outside what you are allowed to manage."),
            )
            return None, False, False
        if "current_grid_id" in values and (
            existing is None or values["current_grid_id"] != existing["current_grid_id"]
        ):
            # A grid named in the file that differs from the customer's current one is a
            # placement by a person: pinned, so the assignment keeps it (reason "manual").
            obj.grid_pinned = values["current_grid_id"] is not None
        # Coordinates from this file are converted to WGS-84 (in bulk, below).
        obj._convert_crs = values.get("lat") is not None
        return obj, existing is None, False

    def _grid_by_id(self, grid_id):
        if not hasattr(self, "_grids_by_id"):
            self._grids_by_id = {g["id"]: g for g in self.grids.values()}
        return self._grids_by_id.get(grid_id)

    def _convert_coordinates(self, prepared) -> None:
        """Convert GCJ-02/BD-09 rows to WGS-84 in one vectorised call per CRS, then decide
        whether an existing customer changed (after conversion, field by field)."""
        for code in (crs_module.GCJ02, crs_module.BD09):
            rows = [
                obj
                for _n, obj, _new, _ch in prepared
                if obj.source_crs == code and obj._convert_crs
            ]
            if not rows:
                continue
            lng, lat = crs_module.to_wgs84(
                code, np.array([o.lng for o in rows]), np.array([o.lat for o in rows])
            )
            for obj, x, y in zip(rows, lng.tolist(), lat.tolist(), strict=True):
                obj.lng, obj.lat = x, y
        for index, (number, obj, is_new, _changed) in enumerate(prepared):
            if is_new:
                continue
            old = self.existing[obj.code]
            really = any(
                old[f.attname] != getattr(obj, f.attname)
                for f in Customer._meta.concrete_fields
                if f.attname not in ("updated_at", "created_at")
            )
            prepared[index] = (number, obj, is_new, really)

    # -- writing -------------------------------------------------------------------------

    def _write(self, prepared, columns, report: ImportReport) -> None:
        now = timezone.now()
        new = [obj for _n, obj, is_new, _c in prepared if is_new]
        changed = [obj for _n, obj, is_new, c in prepared if not is_new and c]
        fields = [
            f.name
            for f in Customer._meta.concrete_fields
            if f.name not in ("id", "code", "created_at", "assignment_reason")
        ]
        with transaction.atomic():
            for batch in _chunks(new, BATCH):
                Customer.objects.bulk_create(batch, batch_size=BATCH)
            for obj in changed:
                obj.updated_at = now
            for batch in _chunks(changed, BATCH):
                Customer.objects.bulk_update(batch, fields, batch_size=BATCH)
            codes = [obj.code for obj in new] + [obj.code for obj in changed]
            id_of: dict[str, int] = {}
            for chunk in _chunks(codes, LOOKUP_CHUNK):
                id_of.update(Customer.objects.filter(code__in=chunk).values_list("code", "id"))
            ids = [id_of[code] for code in codes]
            report.object_ids = ids
            _write_status_changes(new, changed, self.existing, id_of, now)
            assign_customers(ids)
        report.written = True


def _write_status_changes(new, changed, existing: dict, ids: dict[str, int], now) -> None:
    """The status history of an import: a creation row for each new customer, a change row
    for each customer whose status the file changed (customers.services does the same one
    by one). `ids`: the written customers' ids by code."""
    user = current_user.get()
    by = user.pk if user is not None and user.pk else None
    rows = [
        CustomerStatusChange(
            customer_id=ids[obj.code], previous="", status=obj.status, changed_at=now, user_id=by
        )
        for obj in new
    ] + [
        CustomerStatusChange(
            customer_id=ids[obj.code],
            previous=existing[obj.code]["status"],
            status=obj.status,
            changed_at=now,
            user_id=by,
        )
        for obj in changed
        if existing[obj.code]["status"] != obj.status
    ]
    CustomerStatusChange.objects.bulk_create(rows, batch_size=BATCH)


def assign_customers(ids: list[int]) -> None:
    """Place the imported customers in their grids with the assignment service, once the
    assignment core exists (issue 3's other half); until then imports keep the file's grid."""
    if not ids:
        return
    try:
        from gridsales.grids.assignment import customers_assign
    except ImportError:
        return
    customers_assign(customer_ids=ids)


class CustomerExporter:
    help = gettext_lazy("Customers as CSV (UTF-8 with BOM) or XLSX, with code and grid_code")
    formats = ("csv", "xlsx")
    content_types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def queryset(self, *, user, params=None):
        qs = Customer.objects.all() if user is None else Customer.objects.restrict(user, "view")
        if params:
            request = types.SimpleNamespace(user=user) if user is not None else None
            filterset = CustomerFilterSet(params, queryset=qs, request=request)
            if filterset.is_valid():
                qs = filterset.qs
        return qs.select_related("owner", "current_grid").order_by("code", "pk")

    def rows(self, queryset):
        for customer in queryset.iterator(chunk_size=2000):
            yield [value(customer) for _header, value in EXPORT_COLUMNS]

    def write(self, *, user, fmt, stream, params=None) -> None:
        headers = [header for header, _value in EXPORT_COLUMNS]
        rows = self.rows(self.queryset(user=user, params=params))
        if fmt == "xlsx":
            write_xlsx(stream, headers, rows, title="customers")
        else:
            write_csv(stream, headers, rows)


IMPORTERS = {"customers": CustomerImporter()}
EXPORTERS = {"customers": CustomerExporter()}
