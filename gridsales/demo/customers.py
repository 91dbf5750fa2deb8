"""Demo customers and contacts, bulk-inserted inside the leaf grids' polygons.

Customers are spread over the leaf grids by each grid's weight (area × district density
× closeness to the centre), scattered uniformly inside the grid's stored polygon, and
owned by one of the grid's reps in proportion to their shares. bulk_create skips the
audit signals: that is intended, the demo is seed data, not anyone's edit.
"""

from __future__ import annotations

import random

from gridsales.customers.choices import CustomerStatus, CustomerType
from gridsales.customers.models import Contact, Customer
from gridsales.demo import geo, names
from gridsales.demo.plan import Leaf, Progress, rng

ASSIGNMENT_REASON = "demo: point in polygon"
# Rows built and inserted per round; each round is one progress tick.
CHUNK = 2000
BULK_BATCH = 500

TYPES = [
    (CustomerType.ENTERPRISE, 35),
    (CustomerType.SME, 45),
    (CustomerType.GOVERNMENT, 4),
    (CustomerType.INDIVIDUAL, 16),
]
INDUSTRIES = [
    ("零售", 10),
    ("餐饮", 6),
    ("制造业", 12),
    ("物流", 8),
    ("金融", 6),
    ("教育", 4),
    ("医疗", 5),
    ("房地产", 6),
    ("信息技术", 12),
    ("批发", 10),
    ("酒店", 4),
    ("建筑", 6),
]
# Tier by customer type: A is rare and mostly large organisations, D is the long tail.
TIERS = {
    CustomerType.ENTERPRISE: [("A", 8), ("B", 20), ("C", 37), ("D", 35)],
    CustomerType.SME: [("A", 2), ("B", 10), ("C", 35), ("D", 53)],
    CustomerType.GOVERNMENT: [("A", 15), ("B", 35), ("C", 35), ("D", 15)],
    CustomerType.INDIVIDUAL: [("B", 3), ("C", 27), ("D", 70)],
}
STATUSES = [
    (CustomerStatus.ACTIVE, 60),
    (CustomerStatus.LEAD, 12),
    (CustomerStatus.PROSPECT, 12),
    (CustomerStatus.DORMANT, 10),
    (CustomerStatus.LOST, 6),
]
CONTACT_COUNTS = [(1, 50), (2, 35), (3, 15)]


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def customer_tags(rnd: random.Random, tier: str, status: str, ctype: str) -> list[str]:
    """A few tags a sales team would put on the customer, often none."""
    tags = []
    if (tier == "A" and rnd.random() < 0.6) or (tier == "B" and rnd.random() < 0.15):
        tags.append("重点客户")
    if tier == "A" and rnd.random() < 0.2:
        tags.append("战略合作")
    if status == CustomerStatus.ACTIVE:
        roll = rnd.random()
        if roll < 0.1:
            tags.append("新开户")
        elif roll < 0.3:
            tags.append("续约")
    elif status == CustomerStatus.PROSPECT and rnd.random() < 0.4:
        tags.append("待回访")
    if ctype == CustomerType.ENTERPRISE and rnd.random() < 0.05:
        tags.append("集团客户")
    if ctype == CustomerType.SME and rnd.random() < 0.08:
        tags.append("价格敏感")
    return tags


def customer_name(rnd: random.Random, ctype: str, district: str) -> tuple[str, str]:
    """(name, industry) fitting the customer type."""
    if ctype == CustomerType.GOVERNMENT:
        return names.government_name(rnd, district)
    if ctype == CustomerType.ENTERPRISE:
        industry = names.weighted(rnd, INDUSTRIES)[0]
        return names.company_name(rnd, industry), industry
    if ctype == CustomerType.SME and rnd.random() < 0.4:
        industry = names.weighted(rnd, INDUSTRIES)[0]
        return names.company_name(rnd, industry), industry
    if ctype == CustomerType.INDIVIDUAL and rnd.random() < 0.5:
        return names.person_name(rnd)[0], ""
    return names.shop_name(rnd, district)


def contacts_for(rnd: random.Random, customer: Customer) -> list[Contact]:
    """1–3 contacts; the first is primary. An individual is their own contact."""
    is_person = customer.type == CustomerType.INDIVIDUAL and not customer.industry
    count = 1 if is_person else names.weighted(rnd, CONTACT_COUNTS)[0]
    formal = customer.type in (CustomerType.ENTERPRISE, CustomerType.GOVERNMENT)
    result = []
    for i in range(count):
        name, pinyin = names.person_name(rnd)
        if is_person:
            name = customer.name
        result.append(
            Contact(
                customer=customer,
                name=name,
                title="本人" if is_person else rnd.choice(names.CONTACT_TITLES[customer.type]),
                phone=names.mobile(rnd),
                email=names.email(rnd, pinyin) if rnd.random() < (0.55 if formal else 0.2) else "",
                wechat_id=names.wechat_id(rnd, pinyin) if rnd.random() < 0.5 else "",
                is_primary=i == 0,
            )
        )
    return result


def build_customers(
    *, leaves: list[Leaf], count: int, seed: int, progress: Progress
) -> tuple[int, int]:
    """Create `count` customers with contacts; returns (customers, contacts) created."""
    rnd = rng(seed, "customers")
    per_leaf = allocate(count, [leaf.weight for leaf in leaves])
    placed: list[tuple[Leaf, tuple[float, float]]] = []
    for leaf, n in zip(leaves, per_leaf, strict=True):
        placed += [(leaf, point) for point in geo.sample_points(leaf.geom, n, rnd)]
    # Shuffled so customer codes do not run grid by grid.
    rnd.shuffle(placed)

    seen_names: set[str] = set()
    n_contacts = 0
    progress("customers", 0, count)
    for offset in range(0, len(placed), CHUNK):
        batch = []
        for i, (leaf, (lng, lat)) in enumerate(placed[offset : offset + CHUNK], start=offset + 1):
            ctype = names.weighted(rnd, TYPES)[0]
            district = leaf.district.name
            name, industry = customer_name(rnd, ctype, district)
            # Organisations get a fresh name when one is taken; people may share names.
            for _retry in range(5):
                if name not in seen_names or ctype == CustomerType.INDIVIDUAL:
                    break
                name, industry = customer_name(rnd, ctype, district)
            seen_names.add(name)
            tier = names.weighted(rnd, TIERS[ctype])[0]
            status = names.weighted(rnd, STATUSES)[0]
            owners, shares = zip(*leaf.members, strict=True)
            batch.append(
                Customer(
                    code=f"C{i:06d}",
                    name=name,
                    type=ctype,
                    industry=industry,
                    tier=tier,
                    tags=customer_tags(rnd, tier, status, ctype),
                    address=names.street_address(rnd, district),
                    lat=lat,
                    lng=lng,
                    status=status,
                    owner=rnd.choices(owners, weights=shares)[0],
                    current_grid=leaf.grid,
                    assignment_reason=ASSIGNMENT_REASON,
                )
            )
        created = Customer.objects.bulk_create(batch, batch_size=BULK_BATCH)
        contacts = [c for customer in created for c in contacts_for(rnd, customer)]
        Contact.objects.bulk_create(contacts, batch_size=BULK_BATCH)
        n_contacts += len(contacts)
        progress("customers", offset + len(batch), count)
    return len(placed), n_contacts
