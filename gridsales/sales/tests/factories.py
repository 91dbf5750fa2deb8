"""Sales objects for tests, made through the services (validation, totals, grid on date).

Products and orders: ProductCategoryFactory, ProductFactory, OrderFactory, order_world
(the matrix objects) and crowd_orders (rows for the list endpoints' N+1 check).
Pipelines and deals: standard_pipeline, stage_at, OpportunityFactory, pipeline_world (the
matrix objects) and crowd_pipeline (rows for the list endpoints' N+1 check).
"""

import datetime
from decimal import Decimal

import factory

from gridsales.sales import opportunities, orders, pipelines, products
from gridsales.sales.models import Opportunity, Order, Pipeline, Product, ProductCategory, Stage

ORDER_DATE = datetime.date(2026, 3, 2)


class ProductCategoryFactory(factory.Factory):
    class Meta:
        model = ProductCategory

    code = factory.Sequence(lambda n: f"CAT{n:03d}")
    name = factory.Sequence(lambda n: f"品类{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return products.category_save(**kwargs)


class ProductFactory(factory.Factory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    category = None
    unit = "箱"
    list_price = Decimal("50.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return products.product_create(**kwargs)


class OrderFactory(factory.Factory):
    """An order of one line (2 × 50.00 of a new product) unless `lines` is given; the rep
    defaults to the customer's owner."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"SO{n:06d}")
    order_date = ORDER_DATE
    rep = factory.LazyAttribute(lambda o: o.customer.owner)
    lines = factory.LazyFunction(
        lambda: [{"product": ProductFactory(), "quantity": Decimal("2"), "unit_price": None}]
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return orders.order_create(**kwargs)


def order_world(world) -> dict[str, dict[str, int]]:
    """Sales objects for the API permission matrix, made once per world.

    A category CAT-1 with product P-1, and one single-line order per persona customer:
    O-G1 (CUS-G1 in R1-A1-G1, rep), O-G2 (CUS-G2 in R1-A1-G2, credited to regional),
    O-R2 (CUS-R2 in R2-A1-G1, rep2), O-NOGRID (CUS-NOGRID, no grid, rep) and O-MOVED: CUS-G1
    when it was still in R2-A1-G1, credited to rep2 (the grid on the order date differs from
    the customer's grid today). Returns {"categories"|"products"|"orders"|"lines": {key: pk}};
    a line's key is its order's number.
    """
    cached = getattr(world, "_orders", None)
    if cached is not None:
        return cached
    c, u = world.customers, world.users
    category = ProductCategoryFactory(code="CAT-1", name="饮料")
    product = ProductFactory(code="P-1", name="矿泉水", category=category)
    made = {}
    for number, customer, rep in (
        ("O-G1", "CUS-G1", "rep"),
        ("O-G2", "CUS-G2", "regional"),
        ("O-R2", "CUS-R2", "rep2"),
        ("O-NOGRID", "CUS-NOGRID", "rep"),
        ("O-MOVED", "CUS-G1", "rep2"),
    ):
        made[number] = OrderFactory(
            number=number,
            customer=c[customer],
            rep=u[rep],
            lines=[{"product": product, "quantity": Decimal("1"), "unit_price": Decimal("10")}],
        )
    # The grid on the order date, as if CUS-G1 had been in R2-A1-G1 back then.
    moved = made["O-MOVED"]
    Order.objects.filter(pk=moved.pk).update(grid=world.grids["R2-A1-G1"])
    moved.lines.update(grid=world.grids["R2-A1-G1"])
    world._orders = {
        "categories": {"CAT-1": category.pk},
        "products": {"P-1": product.pk},
        "orders": {number: order.pk for number, order in made.items()},
        "lines": {number: order.lines.get().pk for number, order in made.items()},
    }
    return world._orders


def crowd_orders(world) -> None:
    """Enough sales rows for the list endpoints' N+1 check (test_api_lists): 11 categories,
    11 products, and 11 orders of 2 lines for CUS-G1 (in R1-A1-G1, credited to rep)."""
    for i in range(11):
        category = ProductCategoryFactory(code=f"CROWD-{i}")
        ProductFactory(code=f"CROWD-P{i}", category=category)
    product = Product.objects.get(code="CROWD-P0")
    for i in range(11):
        OrderFactory(
            number=f"CROWD-{i}",
            customer=world.customers["CUS-G1"],
            rep=world.users["rep"],
            lines=[
                {"product": product, "quantity": Decimal("1")},
                {"product": product, "quantity": Decimal("3"), "discount": Decimal("5")},
            ],
        )


# Pipelines and deals -------------------------------------------------------------------


def standard_pipeline() -> Pipeline:
    """The default pipeline of migration 0002 ("standard", six stages). Made again through
    the service when a transactional test has flushed the database."""
    found = Pipeline.objects.filter(code=pipelines.STANDARD_CODE).first()
    if found is not None:
        return found
    return pipelines.pipeline_create(
        code=pipelines.STANDARD_CODE, name="标准销售流程", is_default=True
    )


def stage_at(position: int, pipeline: Pipeline | None = None) -> Stage:
    """The stage at `position` (1..6 in the standard pipeline)."""
    return (pipeline or standard_pipeline()).stages.get(position=position)


class OpportunityFactory(factory.Factory):
    """A deal of 10,000.00 in the standard pipeline's first stage; the owner defaults to
    the customer's owner. Pass `stage` (and `loss_reason` for a lost one) to start
    elsewhere."""

    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"商机{n}")
    owner = factory.LazyAttribute(lambda o: o.customer.owner)
    amount = Decimal("10000.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("stage") is None and kwargs.get("pipeline") is None:
            kwargs["pipeline"] = standard_pipeline()
        return opportunities.opportunity_create(**kwargs)


def pipeline_world(world) -> dict[str, dict[str, int]]:
    """Pipeline objects for the API permission matrix, made once per world: the standard
    pipeline and one deal per persona customer, each in its own open stage, so that every
    stage is in use (D-G1: CUS-G1, rep, stage 1; D-G2: CUS-G2, regional, 2; D-R2: CUS-R2,
    rep2, 3; D-NOGRID: CUS-NOGRID, rep, 4). Returns {"pipelines"|"stages"|"opportunities"|
    "changes": {key: pk}}; stages by name, a deal's first history row by the deal's name."""
    cached = getattr(world, "_pipeline", None)
    if cached is not None:
        return cached
    pipeline = standard_pipeline()
    deals = {}
    for position, (name, customer, owner) in enumerate(
        (
            ("D-G1", "CUS-G1", "rep"),
            ("D-G2", "CUS-G2", "regional"),
            ("D-R2", "CUS-R2", "rep2"),
            ("D-NOGRID", "CUS-NOGRID", "rep"),
        ),
        start=1,
    ):
        deals[name] = OpportunityFactory(
            name=name,
            customer=world.customers[customer],
            owner=world.users[owner],
            stage=stage_at(position, pipeline),
        )
    world._pipeline = {
        "pipelines": {pipeline.code: pipeline.pk},
        "stages": {s.name: s.pk for s in pipeline.stages.all()},
        "opportunities": {name: deal.pk for name, deal in deals.items()},
        "changes": {name: deal.stage_changes.get().pk for name, deal in deals.items()},
    }
    return world._pipeline


def crowd_pipeline(world) -> None:
    """Enough pipeline rows for the list endpoints' N+1 check (test_api_lists): 11 more
    pipelines (66 stages), and 11 deals of CUS-G1 (owner rep), each moved once."""
    for i in range(11):
        pipelines.pipeline_create(code=f"CROWD-PIPE-{i}", name=f"流程{i}")
    second = stage_at(2)
    for i in range(11):
        deal = OpportunityFactory(
            name=f"CROWD-{i}", customer=world.customers["CUS-G1"], owner=world.users["rep"]
        )
        opportunities.opportunity_move(opportunity=deal, stage=second, user=world.users["rep"])
