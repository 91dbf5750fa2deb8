"""The permission matrix: every API route × every persona.

Routes are enumerated from the API router, so a new viewset fails
`test_every_api_route_has_a_matrix_entry` until its row is written here. For each persona
the matrix states exactly which objects it lists, changes and deletes; the tests derive
the expected answer of every detail, PATCH, DELETE and extra action from that:

    not visible → 404    visible, not allowed → 403    allowed → the route's success code

Each write runs in a savepoint that is rolled back, so one check never changes the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.utils import timezone

from gridsales.activities.tests.factories import activity_world
from gridsales.api import router
from gridsales.care.tests.factories import (
    MATRIX_TEMPLATE,
    care_policy_world,
    care_survey_world,
    care_template_world,
)
from gridsales.conftest import PERSONAS, World
from gridsales.core.models import ObjectChange
from gridsales.customers.models import Customer, CustomerGridAssignment
from gridsales.customers.tests.factories import CustomerFactory
from gridsales.feedback.tests.factories import MATRIX_FEEDBACK, feedback_world
from gridsales.incentives.tests.factories import dispute_world, incentive_world
from gridsales.planning.tests.factories import planning_matrix_world
from gridsales.recognition.tests.factories import recognition_world
from gridsales.routes.tests.factories import MATRIX_PLANS, route_world, week_world
from gridsales.sales.tests.factories import order_world, pipeline_world
from gridsales.targets.tests.factories import MATRIX_PLAN, target_world
from gridsales.team.services import membership_end

READ_ALL = ("admin", "director", "analyst", "finance")
EVERYTHING = frozenset({"<every object of the route>"})  # resolved against the world
WRITE_ALL = ("admin", "director")


def visible(everything: set[str], **scoped: set[str]) -> dict[str, set[str]]:
    """Read-all roles see `everything`; the others see what is given (default nothing)."""
    return {p: everything if p in READ_ALL else scoped.get(p, set()) for p in PERSONAS}


def writable(everything: set[str], **scoped: set[str]) -> dict[str, set[str]]:
    """Admins and directors write `everything`; the others what is given (default nothing)."""
    return {p: everything if p in WRITE_ALL else scoped.get(p, set()) for p in PERSONAS}


def INCENTIVE_WRITE(keys: set[str]) -> dict[str, set[str]]:  # noqa: N802
    """Finance runs commissions: it writes incentives besides admins and directors."""
    return {p: keys if p in (*WRITE_ALL, "finance") else set() for p in PERSONAS}


def statuses(default: int, **by_persona: int) -> dict[str, int]:
    return {p: by_persona.get(p, default) for p in PERSONAS}


@dataclass
class Action:
    """An extra (detail) action: POSTed with `payload`, allowed for the `allowed` sets; an
    allowed call answers `ok` (an upload posted without a file: 400, past the checks)."""

    payload: dict
    allowed: dict[str, set[str]]
    ok: int = 200


@dataclass
class ListAction:
    """An extra collection action: POSTed once per persona with `payload`; the personas in
    `allowed` get `ok`, the others 403."""

    payload: dict
    allowed: set[str]
    ok: int = 200


@dataclass
class Route:
    objects: Callable[[World], dict[str, int]]  # key → pk of every object the world has
    key: Callable[[dict], str]  # an API row → its key
    view: dict[str, set[str]]
    change: dict[str, set[str]] = field(default_factory=lambda: writable(set()))
    delete: dict[str, set[str]] = field(default_factory=lambda: writable(set()))
    patch: dict | None = None  # None: a read-only route (writes answer 405)
    create: dict | None = None
    created: dict[str, int] = field(default_factory=lambda: statuses(405))
    deleted: int = 204  # what an allowed DELETE answers
    actions: dict[str, Action] = field(default_factory=dict)
    list_actions: dict[str, ListAction] = field(default_factory=dict)


GRIDS = {"HQ", "R1", "R2", "R1-A1", "R2-A1", "R1-A1-G1", "R1-A1-G2", "R2-A1-G1"}
R1_TREE = {"R1", "R1-A1", "R1-A1-G1", "R1-A1-G2"}
USERS = set(PERSONAS)
CUSTOMERS = {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"}
MEMBERSHIPS = {"regional@R1", "gridmanager@R1-A1-G1", "rep@R1-A1-G1", "rep2@R2-A1-G1"}
G1_MEMBERSHIPS = {"gridmanager@R1-A1-G1", "rep@R1-A1-G1"}


# Targets (issue 4): anyone with a grid sees the plans; reps see only their own rows and
# their grid's row; directors and admins write; managers propose for the grids they manage.
PLAN_VIEW = visible(
    {MATRIX_PLAN},
    regional={MATRIX_PLAN},
    gridmanager={MATRIX_PLAN},
    rep={MATRIX_PLAN},
    rep2={MATRIX_PLAN},
)
TARGET_LINES = GRIDS | {"R1-A1-G1/rep", "R2-A1-G1/rep2"}
PROPOSALS = {"R1-A1-G1", "R2-A1-G1"}


# Pipelines (issue 5): everyone reads pipelines and stages, admins and directors change
# them (the default pipeline and the stages in use are never deleted: 400). A deal is as
# visible as its customer and always to its owner; owners edit their deals of customers
# they see, managers edit and delete the deals of the customers they manage.
PIPELINES = {"standard"}
STAGES = {"线索", "需求确认", "方案报价", "商务谈判", "赢单", "输单"}
DEALS = {"D-G1", "D-G2", "D-R2", "D-NOGRID"}
DEAL_VIEW = visible(
    DEALS, regional={"D-G1", "D-G2"}, gridmanager={"D-G1"}, rep={"D-G1", "D-NOGRID"}, rep2={"D-R2"}
)
DEAL_CHANGE = writable(
    DEALS, regional={"D-G1", "D-G2"}, gridmanager={"D-G1"}, rep={"D-G1", "D-NOGRID"}, rep2={"D-R2"}
)
DEAL_DELETE = writable(DEALS, regional={"D-G1", "D-G2"}, gridmanager={"D-G1"})


# Activities (issue 5): as visible as their customer and always to their owner; owners
# change theirs while they see the customer, managers those of the customers they manage.
# V-OUT is the outsider's visit to CUS-R2, which the outsider does not see.
ACTIVITIES = {"V-G1", "V-G2", "V-R2", "V-NOGRID", "V-OUT"}
ACTIVITY_VIEW = visible(
    ACTIVITIES,
    regional={"V-G1", "V-G2"},
    gridmanager={"V-G1"},
    rep={"V-G1", "V-NOGRID"},
    rep2={"V-R2", "V-OUT"},
    outsider={"V-OUT"},
)
ACTIVITY_CHANGE = writable(
    ACTIVITIES,
    regional={"V-G1", "V-G2"},
    gridmanager={"V-G1"},
    rep={"V-G1", "V-NOGRID"},
    rep2={"V-R2"},
)


# Orders (issue 5): facts of the grid they were recorded in (the customer's grid on the
# order date), also visible to the credited rep and to whoever sees the customer today.
# O-MOVED: CUS-G1's order from when it was in R2-A1-G1, credited to rep2 — rep2 sees it but
# cannot change it (CUS-G1 is not rep2's to change); R1's managers change and delete it.
ORDERS = {"O-G1", "O-G2", "O-R2", "O-NOGRID", "O-MOVED"}
ORDER_VIEW = visible(
    ORDERS,
    regional={"O-G1", "O-G2", "O-MOVED"},
    gridmanager={"O-G1", "O-MOVED"},
    rep={"O-G1", "O-NOGRID", "O-MOVED"},
    rep2={"O-R2", "O-MOVED"},
)
ORDER_CHANGE = writable(
    ORDERS,
    regional={"O-G1", "O-G2", "O-MOVED"},
    gridmanager={"O-G1", "O-MOVED"},
    rep={"O-G1", "O-NOGRID"},
    rep2={"O-R2"},
)
ORDER_DELETE = writable(
    ORDERS, regional={"O-G1", "O-G2", "O-MOVED"}, gridmanager={"O-G1", "O-MOVED"}
)


# Routes (issue 9): a rep plans and sees their own days, managers those of the reps of the
# grids they manage, read-all roles read all; week plans are the managers' (by grid).
ROUTE_VIEW = visible(
    set(MATRIX_PLANS),
    regional={"rep"},
    gridmanager={"rep"},
    rep={"rep"},
    rep2={"rep2"},
    outsider={"outsider"},
)
ROUTE_CHANGE = writable(
    set(MATRIX_PLANS),
    regional={"rep"},
    gridmanager={"rep"},
    rep={"rep"},
    rep2={"rep2"},
    outsider={"outsider"},
)
WEEKS = {"R1-A1-G1", "R2-A1-G1"}

AWARD_TYPES = {"MONTH-CHAMP", "TOP3-ATTAIN", "FIRST-100", "BEST-NEWCOMER"}
AWARD_VIEW = visible(
    {"rep", "rep2"}, regional={"rep"}, gridmanager={"rep"}, rep={"rep"}, rep2={"rep2"}
)
AWARD_CHANGE = writable({"rep", "rep2"}, regional={"rep"}, gridmanager={"rep"})


def contacts_of(codes_by_persona: dict[str, set[str]]) -> dict[str, set[str]]:
    """A contact is as visible and writable as its customer (names are "Contact <code>")."""
    return {p: {f"Contact {c}" for c in codes} for p, codes in codes_by_persona.items()}


CUSTOMER_VIEW = visible(
    CUSTOMERS,
    regional={"CUS-G1", "CUS-G2"},
    gridmanager={"CUS-G1"},
    rep={"CUS-G1", "CUS-NOGRID"},  # its grid's customer + the unassigned one it owns
    rep2={"CUS-R2"},
)
CUSTOMER_CHANGE = writable(
    CUSTOMERS,
    regional={"CUS-G1", "CUS-G2"},
    gridmanager={"CUS-G1"},
    rep={"CUS-G1", "CUS-NOGRID"},
    rep2={"CUS-R2"},
)
# Reps edit what they own but never delete customers.
CUSTOMER_DELETE = writable(CUSTOMERS, regional={"CUS-G1", "CUS-G2"}, gridmanager={"CUS-G1"})
# Create payloads that reference R1-A1-G1 and its people: outside rep2's and the outsider's
# scope those references do not resolve (400, as if they did not exist); read-only roles
# see them but may not write (403).
CREATED_IN_G1 = statuses(201, analyst=403, finance=403, rep2=400, outsider=400)

CADENCE_POLICIES = {"A", "B", "C", "B@R1", "A@R1-A1-G1"}
R1_POLICIES = {"B@R1", "A@R1-A1-G1"}

MATRIX: dict[str, Route] = {
    "grids": Route(
        objects=lambda w: {code: g.pk for code, g in w.grids.items()},
        key=lambda row: row["code"],
        view=visible(
            GRIDS,
            regional=R1_TREE,
            gridmanager={"R1-A1-G1"},
            rep={"R1-A1-G1"},
            rep2={"R2-A1-G1"},
        ),
        # Only regional managers (and HQ) restructure the tree.
        change=writable(GRIDS, regional=R1_TREE),
        delete=writable(GRIDS, regional=R1_TREE),
        # Every fixture grid has sub-grids, customers or members, so the service refuses.
        deleted=400,
        patch={"description": "edited"},
        create={"code": "NEW-SUB", "name": "新子网格", "parent": "R1-A1-G1", "level": "subgrid"},
        created=statuses(
            201,
            analyst=403,
            finance=403,
            gridmanager=403,
            rep=403,
            rep2=400,
            outsider=400,
        ),
    ),
    "reps": Route(
        objects=lambda w: {name: u.pk for name, u in w.users.items()},
        key=lambda row: row["username"],
        view=visible(
            USERS,
            regional={"regional", "gridmanager", "rep"},
            gridmanager={"gridmanager", "rep"},
            rep={"rep", "gridmanager"},
            rep2={"rep2"},
            outsider={"outsider"},
        ),
        # Only an administrator touches an administrator's account (a director could
        # otherwise take it over, or deactivate it).
        change={**writable(USERS), "director": USERS - {"admin"}},
        delete={**writable(USERS), "director": USERS - {"admin"}},  # deactivates
        patch={"title": "edited"},
        create={"username": "newbie", "password": "Newbie-pw-123", "display_name": "新人"},
        created=statuses(403, admin=201, director=201),
    ),
    "memberships": Route(
        objects=lambda w: {key: m.pk for key, m in w.memberships.items()},
        key=lambda row: f"{row['user']}@{row['grid']}",
        view=visible(
            MEMBERSHIPS,
            regional={"regional@R1", *G1_MEMBERSHIPS},
            gridmanager=G1_MEMBERSHIPS,
            rep=G1_MEMBERSHIPS,
            rep2={"rep2@R2-A1-G1"},
        ),
        change=writable(
            MEMBERSHIPS, regional={"regional@R1", *G1_MEMBERSHIPS}, gridmanager=G1_MEMBERSHIPS
        ),
        delete=writable(
            MEMBERSHIPS, regional={"regional@R1", *G1_MEMBERSHIPS}, gridmanager=G1_MEMBERSHIPS
        ),
        # Every fixture membership has started: deleting is refused, ending is the way.
        deleted=400,
        patch={"note": "edited"},
        create={
            "user": "rep",
            "grid": "R1-A1-G2",
            "share_pct": "50.00",
            "valid_from": timezone.localdate().isoformat(),
        },
        created=statuses(
            201,
            analyst=403,
            finance=403,
            gridmanager=400,  # R1-A1-G2 is outside its scope
            rep=400,
            rep2=400,
            outsider=400,
        ),
        actions={
            "end": Action(
                payload={},
                allowed=writable(
                    MEMBERSHIPS,
                    regional={"regional@R1", *G1_MEMBERSHIPS},
                    gridmanager=G1_MEMBERSHIPS,
                ),
            )
        },
    ),
    "customers": Route(
        objects=lambda w: {code: c.pk for code, c in w.customers.items()},
        key=lambda row: row["code"],
        view=CUSTOMER_VIEW,
        change=CUSTOMER_CHANGE,
        delete=CUSTOMER_DELETE,
        patch={"address": "edited"},
        create={"code": "CUS-NEW", "name": "新客户", "current_grid": "R1-A1-G1", "owner": "rep"},
        created=CREATED_IN_G1,
        # Pin in the current grid / unpin (no location: the customer stays where it is).
        actions={
            "pin": Action(payload={}, allowed=CUSTOMER_CHANGE),
            "unpin": Action(payload={}, allowed=CUSTOMER_CHANGE),
        },
    ),
    "planning-scenarios": Route(
        # Scoped by the grid they redesign; read-only (decisions are made on the pages).
        objects=planning_matrix_world,
        key=lambda row: row["name"],
        view=visible(EVERYTHING, regional={"R1 plan"}),
    ),
    "customer-assignments": Route(
        # Every persona customer has one history row: its grid given by hand (or none).
        objects=lambda w: dict(CustomerGridAssignment.objects.values_list("customer__code", "pk")),
        key=lambda row: row["customer"],
        view=CUSTOMER_VIEW,
    ),
    "contacts": Route(
        objects=lambda w: {name: c.pk for name, c in w.contacts.items()},
        key=lambda row: row["name"],
        view=contacts_of(CUSTOMER_VIEW),
        change=contacts_of(CUSTOMER_CHANGE),
        # Contacts are part of the customer's record: whoever edits it manages its contacts.
        delete=contacts_of(CUSTOMER_CHANGE),
        patch={"note": "edited"},
        create={"customer": "CUS-G1", "name": "New contact"},
        created=CREATED_IN_G1,
    ),
    "target-plans": Route(
        objects=lambda w: target_world(w)["plans"],
        key=lambda row: row["code"],
        view=PLAN_VIEW,
        change=writable({MATRIX_PLAN}),
        delete=writable({MATRIX_PLAN}),
        patch={"name": "edited"},
        create={"code": "NEW-2028", "name": "新计划", "year": 2028, "total": "1000.00"},
        created=statuses(403, admin=201, director=201),
        actions={
            "transition": Action({"status": "submitted"}, writable({MATRIX_PLAN})),
            "split": Action({}, writable({MATRIX_PLAN})),
            "replan": Action({"as_of": "2027-07-01"}, writable({MATRIX_PLAN})),
            "export": Action({}, PLAN_VIEW),  # reading: each exports the cells it sees
            # Without a file: 400 for the plan's writers, once past the 404/403 checks.
            "import": Action({}, writable({MATRIX_PLAN}), ok=400),
            # R1-A1-G2 is a leaf grid without reps: its January can be fixed by hand.
            "months": Action(
                {"grid": "R1-A1-G2", "month": "2027-01", "amount": "0.40"},
                writable({MATRIX_PLAN}),
            ),
        },
    ),
    "target-versions": Route(
        objects=lambda w: target_world(w)["versions"],
        key=lambda row: f"v{row['number']}",
        view={p: {"v1"} if keys else set() for p, keys in PLAN_VIEW.items()},
        actions={"diff": Action({}, writable(set()))},  # a GET: read-only routes skip actions
    ),
    "target-lines": Route(
        objects=lambda w: target_world(w)["lines"],
        key=lambda row: row["grid"] + (f"/{row['user']}" if row["user"] else ""),
        view=visible(
            TARGET_LINES,
            regional=R1_TREE | {"R1-A1-G1/rep"},
            gridmanager={"R1-A1-G1", "R1-A1-G1/rep"},
            rep={"R1-A1-G1", "R1-A1-G1/rep"},
            rep2={"R2-A1-G1", "R2-A1-G1/rep2"},
        ),
    ),
    "target-proposals": Route(
        objects=lambda w: target_world(w)["proposals"],
        key=lambda row: row["grid"],
        view=visible(
            PROPOSALS,
            regional={"R1-A1-G1"},
            gridmanager={"R1-A1-G1"},
            rep={"R1-A1-G1"},
            rep2={"R2-A1-G1"},
        ),
        change=writable(PROPOSALS, regional={"R1-A1-G1"}, gridmanager={"R1-A1-G1"}),
        delete=writable(PROPOSALS),
        patch={"note": "edited"},
        create={"plan": MATRIX_PLAN, "grid": "R1-A1-G2", "amount": "5.00"},
        # R1-A1-G2 is in the regional manager's managed scope only.
        created=statuses(400, admin=201, director=201, regional=201, analyst=403, finance=403),
        actions={
            "accept": Action({}, writable(PROPOSALS)),
            "keep": Action({}, writable(PROPOSALS)),
        },
    ),
    "target-inputs": Route(
        objects=lambda w: target_world(w)["inputs"],
        key=lambda row: row["grid"],
        view=visible({"R1-A1-G2"}, regional={"R1-A1-G2"}),
        change=writable({"R1-A1-G2"}),
        delete=writable({"R1-A1-G2"}),
        patch={"weight": "3"},
        create={"plan": MATRIX_PLAN, "grid": "R1-A1-G1", "weight": "1"},
        # Those who see R1-A1-G1 but do not write plans: 403; the others cannot name it.
        created=statuses(403, admin=201, director=201, rep2=400, outsider=400),
    ),
    "actuals": Route(
        objects=lambda w: target_world(w)["actuals"],
        key=lambda row: f"A-{row['grid']}" + (f"/{row['user']}" if row["user"] else ""),
        view=visible(
            {"A-R1-A1-G1", "A-R2-A1-G1/rep2"},
            regional={"A-R1-A1-G1"},
            gridmanager={"A-R1-A1-G1"},
            rep={"A-R1-A1-G1"},
            rep2={"A-R2-A1-G1/rep2"},
        ),
        # Directors and admins import (without a file: 400, past the 403 check).
        list_actions={"import": ListAction({}, set(WRITE_ALL), ok=400)},
    ),
    "pipelines": Route(
        objects=lambda w: pipeline_world(w)["pipelines"],
        key=lambda row: row["code"],
        view={p: PIPELINES for p in PERSONAS},
        change=writable(PIPELINES),
        delete=writable(PIPELINES),
        deleted=400,  # the default pipeline, and deals use it
        patch={"description": "edited"},
        create={"code": "NEW-PIPE", "name": "新流程"},
        created=statuses(403, admin=201, director=201),
        # Without the stage list: 400 for the pipeline's writers, past the 404/403 checks.
        actions={"reorder": Action({}, writable(PIPELINES), ok=400)},
    ),
    "stages": Route(
        objects=lambda w: pipeline_world(w)["stages"],
        key=lambda row: row["name"],
        view={p: STAGES for p in PERSONAS},
        change=writable(STAGES),
        delete=writable(STAGES),
        deleted=400,  # stages 1-4 hold deals; 5 and 6 are the only won and lost stages
        patch={"name": "edited"},
        create={"pipeline": "standard", "name": "新阶段", "probability": 30, "kind": "open"},
        created=statuses(403, admin=201, director=201),
    ),
    "opportunities": Route(
        objects=lambda w: pipeline_world(w)["opportunities"],
        key=lambda row: row["name"],
        view=DEAL_VIEW,
        change=DEAL_CHANGE,
        delete=DEAL_DELETE,
        patch={"description": "edited"},
        create={"name": "新商机", "customer": "CUS-G1", "owner": "rep", "amount": "100.00"},
        created=CREATED_IN_G1,
        # Without a stage: 400 for whoever may move the deal, past the 404/403 checks.
        actions={"move": Action({}, DEAL_CHANGE, ok=400)},
    ),
    "opportunity-stage-changes": Route(
        objects=lambda w: pipeline_world(w)["changes"],
        key=lambda row: row["opportunity_name"],
        view=DEAL_VIEW,
    ),
    # Care (issue 5): policies and rules are read by all; surveys follow their customer.
    "cadence-policies": Route(
        objects=lambda w: care_policy_world(w)["policies"],
        key=lambda row: row["tier"] + (f"@{row['grid']}" if row["grid"] else ""),
        view={p: EVERYTHING for p in PERSONAS},
        change=writable(CADENCE_POLICIES, regional=R1_POLICIES, gridmanager={"A@R1-A1-G1"}),
        delete=writable(CADENCE_POLICIES, regional=R1_POLICIES, gridmanager={"A@R1-A1-G1"}),
        patch={"interval_days": 10},
        create={"tier": "D", "grid": "R1-A1-G1", "interval_days": 30},
        # Reps see R1-A1-G1 but set no cadence (403); the others cannot name it (400).
        created=statuses(201, analyst=403, finance=403, rep=403, rep2=400, outsider=400),
    ),
    "contact-status": Route(
        # Every persona customer is due within the week (tiers A–C every 7 days).
        objects=lambda w: care_policy_world(w) and {c: x.pk for c, x in w.customers.items()},
        key=lambda row: row["code"],
        view=CUSTOMER_VIEW,
    ),
    "follow-up-rules": Route(
        objects=lambda w: care_policy_world(w)["rules"],
        key=lambda row: row["name"],
        view={p: EVERYTHING for p in PERSONAS},
        change=writable({"订单回访", "拜访回访"}),
        delete=writable({"订单回访", "拜访回访"}),
        patch={"delay_days": 5},
        create={"name": "新规则", "trigger": "order", "delay_days": 2, "activity_type": "call"},
        created=statuses(403, admin=201, director=201),
    ),
    "survey-templates": Route(
        objects=care_template_world,
        key=lambda row: row["code"],
        view={p: EVERYTHING for p in PERSONAS},
        change=writable({MATRIX_TEMPLATE}),
        delete=writable({MATRIX_TEMPLATE}),
        patch={"name": "edited"},
        create={
            "code": "NEW-T",
            "name": "新问卷",
            "questions": [{"kind": "csat", "text": "满意吗？"}],
        },
        created=statuses(403, admin=201, director=201),
    ),
    "surveys": Route(
        objects=care_survey_world,
        key=lambda row: row["customer"],
        view=CUSTOMER_VIEW,
        # Withdrawn by whoever sent it (rep: CUS-G1, CUS-NOGRID; rep2: CUS-R2) and the
        # managers of the customer's grid.
        actions={"revoke": Action({}, CUSTOMER_CHANGE)},
        # Without answers: 400 past the check that read-only roles record nothing.
        list_actions={"record": ListAction({}, set(PERSONAS) - {"analyst", "finance"}, ok=400)},
        create={"template": MATRIX_TEMPLATE, "customer": "CUS-G1"},
        created=CREATED_IN_G1,
    ),
    "activities": Route(
        objects=activity_world,
        key=lambda row: row["subject"],
        view=ACTIVITY_VIEW,
        change=ACTIVITY_CHANGE,
        delete=ACTIVITY_CHANGE,
        patch={"notes": "edited"},
        create={
            "customer": "CUS-G1",
            "type": "call",
            "subject": "新电话",
            "planned_at": "2030-01-07T10:00:00+08:00",
        },
        created=CREATED_IN_G1,
        actions={
            "check-in": Action({"lat": 31.2, "lng": 121.4, "accuracy_m": 20}, ACTIVITY_CHANGE),
            # Not checked in yet: the service refuses (400), past the 404/403 checks.
            "check-out": Action({}, ACTIVITY_CHANGE, ok=400),
            "complete": Action({"outcome": "ok"}, ACTIVITY_CHANGE),
            "cancel": Action({}, ACTIVITY_CHANGE),
        },
        # Without customer and position: 400 for all but the read-only roles.
        list_actions={
            "check-in-here": ListAction({}, set(PERSONAS) - {"analyst", "finance"}, ok=400)
        },
    ),
    "product-categories": Route(
        objects=lambda w: order_world(w)["categories"],
        key=lambda row: row["code"],
        view={p: {"CAT-1"} for p in PERSONAS},
        change=writable({"CAT-1"}),
        delete=writable({"CAT-1"}),
        deleted=400,  # P-1 is in it
        patch={"name": "edited"},
        create={"code": "CAT-NEW", "name": "新品类"},
        created=statuses(403, admin=201, director=201),
    ),
    "products": Route(
        objects=lambda w: order_world(w)["products"],
        key=lambda row: row["code"],
        view={p: {"P-1"} for p in PERSONAS},
        change=writable({"P-1"}),
        delete=writable({"P-1"}),  # deactivates
        patch={"unit": "瓶"},
        create={"code": "P-NEW", "name": "新产品", "list_price": "9.90"},
        created=statuses(403, admin=201, director=201),
    ),
    "orders": Route(
        objects=lambda w: order_world(w)["orders"],
        key=lambda row: row["number"],
        view=ORDER_VIEW,
        change=ORDER_CHANGE,
        delete=ORDER_DELETE,
        patch={"note": "edited"},
        create={
            "number": "O-NEW",
            "order_date": "2026-03-02",
            "customer": "CUS-G1",
            "rep": "rep",
            "lines": [{"product": "P-1", "quantity": "2"}],
        },
        created=CREATED_IN_G1,
        actions={
            "cancel-line": Action({"line_no": 1}, ORDER_CHANGE),
            "return-line": Action(
                {"line_no": 1, "amount": "1.00", "on": "2026-03-03"}, ORDER_CHANGE
            ),
        },
    ),
    "order-lines": Route(
        objects=lambda w: order_world(w)["lines"],
        key=lambda row: row["order"],
        view=ORDER_VIEW,
    ),
    "route-plans": Route(
        objects=route_world,
        key=lambda row: row["rep"],
        view=ROUTE_VIEW,
        actions={
            "reorder": Action({"stop_ids": []}, ROUTE_CHANGE),  # nothing planned: empty
            "confirm": Action({}, ROUTE_CHANGE),
            "optimise": Action({"time_limit": 0.05}, ROUTE_CHANGE),
        },
        # Without rep and day: 400 for all but the read-only roles, past the 403 check.
        list_actions={"plan-day": ListAction({}, set(PERSONAS) - {"analyst", "finance"}, ok=400)},
    ),
    # Incentives (issue 7): everyone reads plans and runs; finance, directors and admins
    # write them; a statement (and its adjustments, disputes) is read by its rep, by the
    # managers of the rep's grid and by the HQ roles; only finance roles resolve disputes.
    "incentive-plans": Route(
        objects=lambda w: incentive_world(w)["plans"],
        key=lambda row: row["code"],
        view={p: {"ISSUE-PLAN"} for p in PERSONAS},
        change=INCENTIVE_WRITE({"ISSUE-PLAN"}),
        delete={p: {"ISSUE-PLAN"} for p in PERSONAS},
        deleted=405,  # plans are never deleted
        patch={"name": "edited"},
        create={
            "code": "NEW-PLAN",
            "name": "新方案",
            "definition": {"tiers": [{"from": "0", "rate": "0.01"}]},
            "effective_from": "2026-05",
        },
        created=statuses(403, admin=201, director=201, finance=201),
        actions={
            "versions": Action(
                {
                    "definition": {"tiers": [{"from": "0", "rate": "0.02"}]},
                    "effective_from": "2026-06",
                },
                INCENTIVE_WRITE({"ISSUE-PLAN"}),
                ok=201,
            )
        },
    ),
    "incentive-versions": Route(
        objects=lambda w: incentive_world(w)["versions"],
        key=lambda row: f"v{row['number']}",
        view={p: {"v1"} for p in PERSONAS},
    ),
    "plan-assignments": Route(
        objects=lambda w: incentive_world(w)["assignments"],
        key=lambda row: row["role"] or row["user"] or row["grid"],
        view={p: {"rep"} for p in PERSONAS},
        create={"plan": "ISSUE-PLAN", "role": "grid_manager", "valid_from": "2026-01"},
        created=statuses(403, admin=201, director=201, finance=201),
    ),
    "commission-runs": Route(
        objects=lambda w: incentive_world(w)["runs"],
        key=lambda row: row["period"],
        view={p: {"2026-03"} for p in PERSONAS},
        create={"period": "2026-04"},
        created=statuses(403, admin=201, director=201, finance=201),
        actions={
            "calculate": Action({}, INCENTIVE_WRITE({"2026-03"})),
            "approve": Action({}, INCENTIVE_WRITE({"2026-03"})),
            "pay": Action({}, INCENTIVE_WRITE({"2026-03"}), ok=400),  # not approved yet
        },
    ),
    "statements": Route(
        objects=lambda w: incentive_world(w)["statements"],
        key=lambda row: row["rep"],
        view=visible(
            {"rep", "rep2"}, regional={"rep"}, gridmanager={"rep"}, rep={"rep"}, rep2={"rep2"}
        ),
    ),
    "adjustments": Route(
        objects=lambda w: dispute_world(w)["adjustments"],
        key=lambda row: row["rep"],
        view=visible({"rep"}, regional={"rep"}, gridmanager={"rep"}, rep={"rep"}),
        created=statuses(400),  # without run, rep and amount
    ),
    "disputes": Route(
        objects=lambda w: dispute_world(w)["disputes"],
        key=lambda row: row["rep"],
        view=visible({"rep"}, regional={"rep"}, gridmanager={"rep"}, rep={"rep"}),
        created=statuses(400),  # without line and message
        actions={
            "accept": Action({"amount": "1.00", "resolution": "ok"}, INCENTIVE_WRITE({"rep"})),
            "reject": Action({"resolution": "no"}, INCENTIVE_WRITE({"rep"})),
        },
    ),
    # Recognition (issue 7): everyone reads award types, directors and admins write them
    # (never deleted: 405); an award is seen by its rep and by whoever sees its grid, given,
    # reworded and revoked by directors, admins and the managers of the rep's grid.
    "award-types": Route(
        objects=lambda w: recognition_world(w)["types"],
        key=lambda row: row["code"],
        view={p: set(AWARD_TYPES) for p in PERSONAS},
        change=writable(set(AWARD_TYPES)),
        delete={p: set(AWARD_TYPES) for p in PERSONAS},
        deleted=405,
        patch={"name": "edited"},
        create={"code": "NEW-AWARD", "name": "新奖", "rule": "manual"},
        created=statuses(403, admin=201, director=201),
    ),
    "awards": Route(
        objects=lambda w: recognition_world(w)["awards"],
        key=lambda row: row["rep"],
        view=AWARD_VIEW,
        change=AWARD_CHANGE,
        delete=AWARD_CHANGE,
        patch={"citation": "edited"},
        create={"award_type": "MONTH-CHAMP", "rep": "rep", "period": "2026-01", "citation": "x"},
        # rep2 and the outsider do not see rep: 400 (no such rep), past the scope check.
        created=statuses(
            403, admin=201, director=201, regional=201, gridmanager=201, rep2=400, outsider=400
        ),
        list_actions={"run-rules": ListAction({"period": "2026-03"}, {"admin", "director"})},
    ),
    "week-plans": Route(
        objects=week_world,
        key=lambda row: row["grid"],
        view=visible(WEEKS, regional={"R1-A1-G1"}, gridmanager={"R1-A1-G1"}),
        # Without grid and week: 400 for those who manage some grid, past the 403 check.
        list_actions={
            "plan-week": ListAction({}, {"admin", "director", "regional", "gridmanager"}, ok=400)
        },
    ),
    # Feedback (issue 6): authors see theirs, managers those of the grids they manage;
    # authors edit and withdraw while new; managers of the grid triage (no grid: HQ).
    "feedback": Route(
        objects=feedback_world,
        key=lambda row: row["text"],
        view=visible(
            set(MATRIX_FEEDBACK),
            regional={"F-rep-G1", "F-gm-G2"},
            gridmanager={"F-rep-G1", "F-gm-G2"},
            rep={"F-rep-G1"},
            rep2={"F-rep2-R2"},
            outsider={"F-outsider"},
        ),
        change=writable(
            set(MATRIX_FEEDBACK),
            gridmanager={"F-gm-G2"},
            rep={"F-rep-G1"},
            rep2={"F-rep2-R2"},
            outsider={"F-outsider"},
        ),
        delete=writable(
            set(MATRIX_FEEDBACK),
            gridmanager={"F-gm-G2"},
            rep={"F-rep-G1"},
            rep2={"F-rep2-R2"},
            outsider={"F-outsider"},
        ),
        patch={"text": "edited"},
        create={"category": "price", "text": "价格太高", "grid": "R1-A1-G1"},
        created=CREATED_IN_G1,
        actions={
            "triage": Action(
                {"status": "in_progress"},
                writable(
                    set(MATRIX_FEEDBACK),
                    regional={"F-rep-G1", "F-gm-G2"},
                    gridmanager={"F-rep-G1"},
                ),
            )
        },
    ),
    "audit": Route(
        objects=lambda w: {str(pk): pk for pk in ObjectChange.objects.values_list("pk", flat=True)},
        key=lambda row: str(row["id"]),
        # The global log: the admin reads all of it, nobody else any of it.
        view={p: EVERYTHING if p == "admin" else set() for p in PERSONAS},
    ),
}


def isolated(call, *args, **kwargs):
    """Make one request inside a savepoint that is rolled back afterwards."""
    with transaction.atomic():
        response = call(*args, **kwargs)
        transaction.set_rollback(True)
    return response


def url(prefix: str, pk: int | None = None, action: str | None = None) -> str:
    path = f"/api/v1/{prefix}/"
    if pk is not None:
        path += f"{pk}/"
    if action is not None:
        path += f"{action}/"
    return path


def expected_view(prefix: str, persona: str, objects: dict[str, int]) -> set[str]:
    keys = MATRIX[prefix].view[persona]
    return set(objects) if keys is EVERYTHING else keys


def _extra_action_names(viewset) -> set[str]:
    return {a.url_path for a in viewset.get_extra_actions()}


def test_every_api_route_has_a_matrix_entry():
    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    assert prefixes == set(MATRIX), "add the new route's row to MATRIX"
    for prefix, viewset, _basename in router.registry:
        route = MATRIX[prefix]
        assert _extra_action_names(viewset) == set(route.actions) | set(route.list_actions), prefix


def test_the_matrix_is_consistent_with_the_world(world):
    for prefix, route in MATRIX.items():
        objects = route.objects(world)
        for persona in PERSONAS:
            can_view = expected_view(prefix, persona, objects)
            assert can_view <= set(objects), (prefix, persona)
            allowed = [route.change[persona], route.delete[persona]]
            allowed += [a.allowed[persona] for a in route.actions.values()]
            for keys in allowed:
                assert keys <= can_view, f"{prefix}: {persona} may write what it cannot see"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("prefix", list(MATRIX))
def test_persona_reaches_exactly_its_scope(prefix, persona, world, api):
    route = MATRIX[prefix]
    client = api(persona)
    objects = route.objects(world)
    can_view = expected_view(prefix, persona, objects)
    problems: list[str] = []

    def check(what: str, got: int, want: int) -> None:
        if got != want:
            problems.append(f"{what}: answered {got}, expected {want}")

    response = client.get(url(prefix), {"page_size": 1000})
    check("GET list", response.status_code, 200)
    listed = {route.key(row) for row in response.json()["results"]}
    if listed != can_view:
        problems.append(
            f"GET list: shows {sorted(listed - can_view)} too many, "
            f"{sorted(can_view - listed)} missing"
        )

    for key, pk in sorted(objects.items()):
        seen = key in can_view
        check(f"GET {key}", client.get(url(prefix, pk)).status_code, 200 if seen else 404)

        if route.patch is None:
            check(f"PATCH {key}", isolated(client.patch, url(prefix, pk), {}).status_code, 405)
            check(f"DELETE {key}", isolated(client.delete, url(prefix, pk)).status_code, 405)
            continue
        want = (200 if key in route.change[persona] else 403) if seen else 404
        got = isolated(client.patch, url(prefix, pk), route.patch, format="json").status_code
        check(f"PATCH {key}", got, want)
        want = (route.deleted if key in route.delete[persona] else 403) if seen else 404
        check(f"DELETE {key}", isolated(client.delete, url(prefix, pk)).status_code, want)

        for name, action in route.actions.items():
            want = (action.ok if key in action.allowed[persona] else 403) if seen else 404
            path = url(prefix, pk, name)
            got = isolated(client.post, path, action.payload, format="json").status_code
            check(f"POST {name} {key}", got, want)

    for name, list_action in route.list_actions.items():
        want = list_action.ok if persona in list_action.allowed else 403
        got = isolated(client.post, url(prefix, action=name), list_action.payload, format="json")
        check(f"POST {name}", got.status_code, want)

    payload = route.create or {}
    got = isolated(client.post, url(prefix), payload, format="json")
    check(f"POST create ({got.content[:200]!r})", got.status_code, route.created[persona])

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("prefix", list(MATRIX))
def test_anonymous_callers_are_turned_away_from_every_route(prefix, world, api):
    client = api(None)
    pk = next(iter(MATRIX[prefix].objects(world).values()))
    for response in (
        client.get(url(prefix)),
        client.get(url(prefix, pk)),
        client.post(url(prefix), {}, format="json"),
        client.delete(url(prefix, pk)),
    ):
        assert response.status_code in (401, 403)
        assert "results" not in response.json()


def test_analyst_create_is_rolled_back_with_403(world, api):
    response = api("analyst").post(
        "/api/v1/customers/", {"code": "CUS-NEW", "name": "新客户"}, format="json"
    )
    assert response.status_code == 403
    assert not Customer.objects.filter(code="CUS-NEW").exists()


def test_rep_cannot_give_its_customer_away(world, api):
    """Changing the owner would put the customer outside the rep's scope: rolled back."""
    response = api("rep").patch(
        f"/api/v1/customers/{world.customers['CUS-G1'].pk}/",
        {"owner": "gridmanager", "address": "moved"},
        format="json",
    )
    assert response.status_code == 403
    customer = world.customers["CUS-G1"]
    customer.refresh_from_db()
    assert (customer.owner.username, customer.address) == ("rep", "")


def test_grid_manager_cannot_create_a_customer_outside_its_grids(world, api):
    # No grid and someone else as owner: neither in the manager's grids nor their own.
    response = api("gridmanager").post(
        "/api/v1/customers/",
        {"code": "CUS-LOOSE", "name": "无网格客户", "owner": "rep"},
        format="json",
    )
    assert response.status_code == 403
    assert not Customer.objects.filter(code="CUS-LOOSE").exists()


def test_regional_manager_cannot_move_a_grid_out_of_its_region(world, api):
    g2 = world.grids["R1-A1-G2"]
    response = api("regional").patch(f"/api/v1/grids/{g2.pk}/", {"parent": None}, format="json")
    assert response.status_code == 403
    g2.refresh_from_db()
    assert g2.parent == world.grids["R1-A1"]


def test_rep_sees_a_customer_it_owns_in_another_grid_but_cannot_edit_it(world, api):
    customer = world.customers["CUS-R2"]
    customer.owner = world.users["rep"]
    customer.save()
    client = api("rep")
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    response = client.patch(f"/api/v1/customers/{customer.pk}/", {"address": "x"}, format="json")
    assert response.status_code == 403


def test_outsider_sees_only_itself_and_the_customers_it_owns(world, api):
    CustomerFactory(code="CUS-OUT", owner=world.users["outsider"])
    client = api("outsider")
    customers = client.get("/api/v1/customers/").json()["results"]
    assert [c["code"] for c in customers] == ["CUS-OUT"]
    reps = client.get("/api/v1/reps/").json()["results"]
    assert [r["username"] for r in reps] == ["outsider"]
    assert client.get("/api/v1/grids/").json()["count"] == 0


def test_an_ended_membership_no_longer_grants_scope(world, api):
    membership_end(membership=world.memberships["rep@R1-A1-G1"])  # ends today: still in force
    client = api("rep")
    assert client.get("/api/v1/grids/").json()["count"] == 1
    m = world.memberships["rep@R1-A1-G1"]
    m.valid_to = m.valid_from
    m.save()
    codes = {c["code"] for c in client.get("/api/v1/customers/").json()["results"]}
    # Only the customers it owns remain, CUS-G1 included, but not the grid itself.
    assert codes == {"CUS-G1", "CUS-NOGRID"}
    assert client.get("/api/v1/grids/").json()["count"] == 0


def test_a_deactivated_user_is_locked_out(world, api):
    client = api("rep")
    user = world.users["rep"]
    user.is_active = False
    user.save()
    assert client.get("/api/v1/customers/").status_code in (401, 403)


@pytest.mark.parametrize("persona", ["analyst", "finance"])
def test_read_only_roles_write_nothing_even_what_they_own(persona, world, api):
    customer = world.customers["CUS-NOGRID"]
    customer.owner = world.users[persona]
    customer.save()
    client = api(persona)
    url_ = f"/api/v1/customers/{customer.pk}/"
    assert client.patch(url_, {"address": "x"}, format="json").status_code == 403
    assert client.delete(url_).status_code == 403
    contact = world.contacts["Contact CUS-NOGRID"]
    assert client.delete(f"/api/v1/contacts/{contact.pk}/").status_code == 403
