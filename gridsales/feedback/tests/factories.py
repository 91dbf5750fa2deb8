"""Feedback test helpers: items per persona for the permission matrix, and a crowd for
the N+1 check of the list endpoint."""

from __future__ import annotations

from gridsales.feedback.models import Feedback
from gridsales.feedback.services import feedback_create

# key (= the text) → author, grid code, customer code
MATRIX_FEEDBACK = {
    "F-rep-G1": ("rep", "R1-A1-G1", "CUS-G1"),
    "F-gm-G2": ("gridmanager", "R1-A1-G2", None),
    "F-rep2-R2": ("rep2", "R2-A1-G1", None),
    "F-outsider": ("outsider", None, None),
    "F-director": ("director", None, None),
}


def feedback_world(world) -> dict[str, int]:
    """One new item per entry of MATRIX_FEEDBACK (made once per world); key: its text."""
    cached = getattr(world, "_feedback", None)
    if cached is not None:
        return cached
    world._feedback = {
        text: feedback_create(
            author=world.users[author],
            category="price",
            text=text,
            grid=world.grids.get(grid),
            customer=world.customers.get(customer),
        ).pk
        for text, (author, grid, customer) in MATRIX_FEEDBACK.items()
    }
    return world._feedback


def crowd_feedback(world) -> None:
    """Twelve items about grids of R1 by rep, with customers."""
    for i in range(12):
        feedback_create(
            author=world.users["rep"],
            category="product",
            text=f"crowd {i}",
            grid=world.grids["R1-A1-G1"],
            customer=world.customers["CUS-G1"] if i % 2 else None,
        )


def make(world, author="rep", grid="R1-A1-G1", **extra) -> Feedback:
    fields = {"category": "price", "text": "价格比竞品高 5%", **extra}
    return feedback_create(author=world.users[author], grid=world.grids.get(grid), **fields)
