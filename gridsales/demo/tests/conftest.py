"""Fixtures for the demo tests: one demo build shared by a whole test module.

Building takes a couple of seconds, so each module builds once inside an outer
transaction; every test then runs in a savepoint within it (pytest-django nests its own
atomic blocks), and the whole build is rolled back when the module ends.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from gridsales.conftest import module_transaction
from gridsales.demo.builder import build_demo

DEMO_CUSTOMERS = 600


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The summary of a demo built with DEMO_CUSTOMERS customers and the default seed."""
    try:
        with module_transaction(django_db_blocker):
            yield build_demo(customers=DEMO_CUSTOMERS)
    finally:
        ContentType.objects.clear_cache()


def settle_constraints() -> None:
    """Run the deferred foreign-key checks now. On PostgreSQL, `flush` (TRUNCATE) inside
    a test's transaction refuses while such checks are pending from earlier inserts."""
    connection.check_constraints()


def flush_database() -> None:
    """`flush` from inside a test (the test's transaction rolls it back)."""
    settle_constraints()
    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def forget_content_types():
    """For tests that flush: `flush` recreates the content types under new ids, and the
    rollback brings back the old rows, so the cache must not outlive the test."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()
