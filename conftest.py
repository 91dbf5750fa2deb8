"""Root conftest: guard that the test settings are in force.

GRIDSALES_TESTING=1 is set by pytest-env from pyproject.toml, because pytest-django imports
the settings before any conftest runs. Setting it here as well covers subprocesses that
tests start; the check below fails fast when an old virtualenv lacks pytest-env, instead of
running every test with the slow password hasher and an HTTPS redirect on each request.
"""

import os

os.environ.setdefault("GRIDSALES_TESTING", "1")


def pytest_configure(config):
    from django.conf import settings

    if not settings.TESTING:
        raise RuntimeError(
            "The settings were loaded without GRIDSALES_TESTING=1: install the test extras "
            "(python3 dev.py setup, or pip install -e '.[test]') so pytest-env sets it."
        )
