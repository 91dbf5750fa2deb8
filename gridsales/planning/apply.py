"""Applying an approved scenario from a date: successor grids, customers, memberships.

Successor grids are created (never reshaped in place): a grid's boundary has no history,
so redrawing an existing grid would silently move its past orders and visits onto a new
area. Instead, in one transaction on the effective date:

1. one new geographic grid per territory under the parent, its boundary the union of its
   units, its name taken from its predecessor (the grid of today that gives it the most
   workload), its code `<parent code>-<yyyymm>-<n>`;
2. the old child grids are retired (their history stays theirs);
3. every customer of the parent's area moves to the successor holding its unit (its H3
   cell, or its grid of today for child-grid units; a customer without coordinates goes
   where most of its grid's workload goes): the open history row is closed and a new one
   opened at the start of the effective date with reason `redesign`;
4. the memberships of each old grid in force on the date (or starting later) are ended
   the day before and started anew on its successor (same role and share), from the
   date;
5. one audit record sums it up; the scenario is "applied" and lists its successors.

Scheduling: `scenario_schedule` fixes the date (today or later). Today: applied at once.
Later: a background task deferred to that date applies it (`apply_due`; also
`gridsales planning apply-due` for deployments without a deferring worker).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.core.context import current_request_id
from gridsales.core.models import ChangeAction, ObjectChange
from gridsales.core.services import model_save
from gridsales.customers.choices import AssignmentReason
from gridsales.customers.models import Customer, CustomerGridAssignment
from gridsales.grids.choices import GridKind, GridLevel, GridStatus
from gridsales.grids.models import Grid
from gridsales.grids.services import grid_create, grid_update
from gridsales.planning.choices import ScenarioStatus, UnitSource
from gridsales.planning.models import Scenario
from gridsales.planning.services import ensure_may_approve
from gridsales.planning.units import children_of, union_geometry, unit_of_point
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership
from gridsales.team.services import membership_create, membership_end

logger = logging.getLogger(__name__)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@transaction.atomic
def scenario_schedule(*, scenario: Scenario, effective_from: dt.date, user) -> Scenario:
    """Fix the date an approved scenario takes effect (today or later); today applies it
    at once, a later date defers it to a background task on that date."""
    from gridsales.planning.tasks import scenario_apply_task

    ensure_may_approve(user)
    if scenario.status != ScenarioStatus.APPROVED:
        raise ValidationError(_("Only an approved scenario can be applied."))
    today = timezone.localdate()
    if effective_from < today:
        raise ValidationError(
            {
                "effective_from": _(
                    "The date {date} is in the past: a redesign takes effect today or later."
                ).format(date=effective_from.isoformat())
            }
        )
    model_save(scenario, status=ScenarioStatus.SCHEDULED, effective_from=effective_from)
    if effective_from == today:
        return scenario_apply(scenario=scenario, today=today)
    backend = scenario_apply_task.get_backend()
    if backend.supports_defer:
        scenario_apply_task.using(run_after=_start_of(effective_from)).enqueue(scenario.pk)
    return scenario


def apply_due(*, today: dt.date | None = None) -> list[Scenario]:
    """Apply every scheduled scenario whose date has come (each in its own transaction);
    a failure marks that scenario failed with the reason and leaves the others."""
    today = today or timezone.localdate()
    done = []
    due = Scenario.objects.filter(status=ScenarioStatus.SCHEDULED, effective_from__lte=today)
    for scenario in due.order_by("effective_from", "pk"):
        try:
            done.append(scenario_apply(scenario=scenario, today=today))
        except ValidationError as exc:
            Scenario.objects.filter(pk=scenario.pk).update(
                status=ScenarioStatus.FAILED, message=" ".join(exc.messages)[:200]
            )
    return done


def _code(parent: Grid, day: dt.date, n: int, taken: set[str]) -> str:
    base = f"{parent.code}-{day:%Y%m}-{n}"
    if len(base) > 40:
        base = f"G{parent.pk}-{day:%Y%m}-{n}"
    code, k = base, 1
    while code in taken:
        k += 1
        code = f"{base}-{k}"[-40:]
    taken.add(code)
    return code


@transaction.atomic
def scenario_apply(*, scenario: Scenario, today: dt.date | None = None) -> Scenario:
    """Carry out a scheduled scenario whose date has come (see the module docstring)."""
    today = today or timezone.localdate()
    scenario = Scenario.objects.select_for_update().select_related("parent").get(pk=scenario.pk)
    if scenario.status != ScenarioStatus.SCHEDULED or scenario.effective_from is None:
        raise ValidationError(_("Only a scheduled scenario can be applied."))
    day = scenario.effective_from
    if day > today:
        raise ValidationError(
            _("The scenario takes effect on {date}; it cannot be applied before.").format(
                date=day.isoformat()
            )
        )
    parent = Grid.objects.get(pk=scenario.parent_id)
    children = children_of(parent)
    if [c.pk for c in children] != [g["id"] for g in scenario.current_grids]:
        raise ValidationError(
            _(
                "The grids under “{code}” have changed since the scenario ran: run it again before applying."
            ).format(code=parent.code)
        )
    units, assign = scenario.units, np.array(scenario.assignment)
    current = np.array(scenario.current)
    p = scenario.territories
    # Predecessor of each territory / successor of each old grid: by workload shared.
    weight = np.array([u["workload"] + 1e-6 for u in units])
    flow = np.zeros((max(len(children), 1), p))
    for i in np.flatnonzero(current >= 0):
        flow[current[i], assign[i]] += weight[i]
    successor_of = {c: int(np.argmax(flow[c])) for c in range(len(children)) if flow[c].sum() > 0}
    taken = set(
        Grid.objects.filter(code__startswith=parent.code[:30]).values_list("code", flat=True)
    )
    if children:
        level = children[0].level
    else:
        level = GridLevel.SUBGRID if parent.level == GridLevel.GRID else GridLevel.GRID
    for child in children:  # the old grids leave the map before the new ones come
        grid_update(grid=child, status=GridStatus.RETIRED)
    successors: list[Grid] = []
    for t in range(p):
        members = np.flatnonzero(assign == t).tolist()
        pred = int(np.argmax(flow[:, t])) if len(children) and flow[:, t].sum() > 0 else None
        name = (
            children[pred].name
            if pred is not None
            else _("{parent} grid {n}").format(parent=parent.name, n=t + 1)
        )
        if any(g.name == name for g in successors):
            name = f"{name} ({t + 1})"
        successors.append(
            grid_create(
                code=_code(parent, day, t + 1, taken),
                name=name[:100],
                parent=parent,
                level=level,
                kind=GridKind.GEO,
                geometry=union_geometry(units, members),
                description=_("Created by planning scenario “{name}” from {date}.").format(
                    name=scenario.name, date=day.isoformat()
                ),
            )
        )
    moved = _move_customers(scenario, parent, children, successors, successor_of, day)
    if children:
        carried = _carry_memberships(children, successors, successor_of, day)
    else:
        # A leaf grid split in several: its members go to the successor with the most
        # workload (its managers stay: they manage the grid, now an inner one).
        heaviest = int(np.argmax(np.bincount(assign, weights=weight, minlength=p)))
        carried = _carry_memberships(
            [parent], successors, {0: heaviest}, day, roles=(MembershipRole.MEMBER,)
        )
    scenario.successors = [g.pk for g in successors]
    model_save(scenario, status=ScenarioStatus.APPLIED, applied_at=timezone.now())
    _summary(scenario, parent, moved, carried, successors)
    return scenario


def _move_customers(scenario, parent, children, successors, successor_of, day) -> int:
    """Every customer of the parent's area to its successor grid, with history."""
    units = scenario.units
    assign = scenario.assignment
    child_index = {c.pk: i for i, c in enumerate(children)}
    unit_index = {u["id"]: i for i, u in enumerate(units)}
    lng = np.array([u["lng"] or 0.0 for u in units])
    lat = np.array([u["lat"] or 0.0 for u in units])
    customers = list(
        Customer.objects.filter(current_grid__path__startswith=parent.path)
        .select_related("current_grid")
        .order_by("pk")
    )
    moment = _start_of(day)
    now = timezone.now()
    open_rows = {
        row.customer_id: row
        for row in CustomerGridAssignment.objects.filter(
            customer__in=[c.pk for c in customers], valid_to=None
        )
    }
    from gridsales.grids.assignment import _who

    user_id, user_name = _who()
    new_rows, closed = [], []
    for customer in customers:
        old = child_index.get(customer.current_grid_id)
        if scenario.unit_source == UnitSource.CHILDREN:
            unit = unit_index.get(customer.current_grid.code)
        else:
            unit = unit_of_point(
                unit_index, lng, lat, scenario.resolution, customer.lng, customer.lat
            )
        if unit is not None:
            t = assign[unit]
        elif old is not None and old in successor_of:
            t = successor_of[old]
        else:
            t = 0
        target = successors[t]
        row = open_rows.get(customer.pk)
        start = moment
        if row is not None:
            # A stay opened after the date's start (today's edits) ends when the new begins.
            start = max(moment, row.valid_from) if row.valid_from <= now else row.valid_from
            row.valid_to = start
            closed.append(row)
        new_rows.append(
            CustomerGridAssignment(
                customer=customer,
                grid=target,
                valid_from=start,
                reason=AssignmentReason.REDESIGN,
                detail=f"redesign “{scenario.name}”: {customer.current_grid.code} → {target.code}"[
                    :200
                ],
                user_id=user_id,
                user_name=user_name,
            )
        )
        customer.current_grid = target
        customer.assignment_reason = AssignmentReason.REDESIGN
    CustomerGridAssignment.objects.bulk_update(closed, ["valid_to"], batch_size=500)
    CustomerGridAssignment.objects.bulk_create(new_rows, batch_size=500)
    for customer in customers:
        customer.updated_at = now
    Customer.objects.bulk_update(
        customers, ["current_grid", "assignment_reason", "updated_at"], batch_size=500
    )
    return len(customers)


def _carry_memberships(children, successors, successor_of, day, roles=None) -> int:
    """End each old grid's memberships the day before `day`; start them on its successor."""
    carried = 0
    by_grid = defaultdict(list)
    rows = (
        Membership.objects.filter(grid__in=children)
        .overlapping(day, None)
        .select_related("user", "grid")
    )
    if roles is not None:
        rows = rows.filter(role__in=roles)
    for m in rows.order_by("grid_id", "valid_from", "pk"):
        by_grid[m.grid_id].append(m)
    for c, child in enumerate(children):
        if c not in successor_of:
            continue
        target = successors[successor_of[c]]
        for m in by_grid.get(child.pk, []):
            start = max(day, m.valid_from)
            try:
                if m.valid_from < day:
                    membership_end(membership=m, valid_to=day - dt.timedelta(days=1))
                else:
                    # Not begun by the date: it belongs to the successor from the start.
                    m.delete()
                membership_create(
                    user=m.user,
                    grid=target,
                    valid_from=start,
                    valid_to=m.valid_to if m.valid_to and m.valid_to >= start else None,
                    role=m.role,
                    share_pct=m.share_pct,
                    note=_("Carried from {code} (redesign)").format(code=child.code)[:200],
                )
            except ValidationError as exc:
                raise ValidationError(
                    _(
                        "{user}'s membership of “{old}” cannot be carried to “{new}”: {error} Adjust the memberships first."
                    ).format(
                        user=m.user, old=child.code, new=target.code, error=" ".join(exc.messages)
                    )
                ) from exc
            carried += 1
    return carried


def _summary(scenario, parent, moved, carried, successors) -> None:
    from gridsales.grids.assignment import _who

    user_id, user_name = _who()
    ObjectChange.objects.create(
        user_id=user_id,
        user_name=user_name,
        request_id=current_request_id.get(),
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=0,
        object_repr=f"redesign {parent.code}: {moved} customers moved"[:200],
        before=None,
        after={
            "scenario": scenario.pk,
            "effective_from": scenario.effective_from.isoformat(),
            "customers_moved": moved,
            "memberships_carried": carried,
            "successors": [g.code for g in successors],
            "per_successor": dict(
                Counter(
                    Customer.objects.filter(current_grid__in=successors).values_list(
                        "current_grid__code", flat=True
                    )
                )
            ),
        },
    )
