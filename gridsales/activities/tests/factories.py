"""Activities, made through activity_create (grid, owner default, validation)."""

import datetime as dt

import factory
from django.utils import timezone

from gridsales.activities import services
from gridsales.activities.choices import ActivityType
from gridsales.activities.models import Activity


def at(day_offset: int = 0, hour: int = 10) -> dt.datetime:
    """Today (± days) at `hour`, local time."""
    day = timezone.localdate() + dt.timedelta(days=day_offset)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class ActivityFactory(factory.Factory):
    class Meta:
        model = Activity

    type = ActivityType.VISIT
    subject = factory.Sequence(lambda n: f"拜访 {n}")
    planned_at = factory.LazyFunction(lambda: at(0, 10))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.setdefault("user", kwargs.get("owner"))
        return services.activity_create(**kwargs)


def activity_world(world) -> dict[str, int]:
    """Planned visits for the API permission matrix, made once per world:

    V-G1 (CUS-G1, rep), V-G2 (CUS-G2, regional), V-R2 (CUS-R2, rep2), V-NOGRID
    (CUS-NOGRID, rep) and V-OUT (CUS-R2, owned by the outsider, who does not see CUS-R2).
    Returns {subject: pk}.
    """
    cached = getattr(world, "_activities", None)
    if cached is not None:
        return cached
    c, u = world.customers, world.users
    made = {}
    for subject, customer, owner in (
        ("V-G1", "CUS-G1", "rep"),
        ("V-G2", "CUS-G2", "regional"),
        ("V-R2", "CUS-R2", "rep2"),
        ("V-NOGRID", "CUS-NOGRID", "rep"),
        ("V-OUT", "CUS-R2", "outsider"),
    ):
        made[subject] = ActivityFactory(subject=subject, customer=c[customer], owner=u[owner]).pk
    world._activities = made
    return made


def crowd_activities(world) -> None:
    """Enough activities inside R1 for the list endpoints' N+1 check (test_api_lists): 12
    visits and calls of R1 customers, with contacts, owned by the rep."""
    from gridsales.customers.models import Customer

    customers = list(Customer.objects.filter(current_grid__path__startswith=world.grids["R1"].path))
    for i in range(12):
        customer = customers[i % len(customers)]
        ActivityFactory(
            subject=f"CROWD-{i}",
            type=ActivityType.CALL if i % 2 else ActivityType.VISIT,
            customer=customer,
            contact=customer.contacts.first(),
            owner=world.users["rep"],
        )
