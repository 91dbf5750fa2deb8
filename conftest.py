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
    _serial_live_server_on_sqlite(settings)


def _serial_live_server_on_sqlite(settings):
    """On in-memory SQLite the live server's request threads all use the test's one
    connection; two requests at once (a page fetching two JSON files) then interleave
    their transactions' savepoints ("no such savepoint"). Serve one request at a time
    there: Django's single-threaded server closes every connection after its response,
    so the browser's other requests wait their turn instead of blocking."""
    if "sqlite" not in settings.DATABASES["default"]["ENGINE"]:
        return
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # The connection is already this thread's (LiveServerThread.run sets it).
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = SerialWSGIServer
