"""The `demo` and `serve` commands: rebuild, refuse to wipe a real database, serve."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from gridsales.accounts.models import User
from gridsales.core.management.commands import demo as demo_command
from gridsales.core.management.commands import serve as serve_command
from gridsales.customers.models import Customer
from gridsales.demo.plan import DEMO_PASSWORD
from gridsales.demo.tests.conftest import settle_constraints

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_rebuilds_the_database_without_serving(forget_content_types):
    User.objects.create_user(username="leftover")
    settle_constraints()
    # The CI also runs the suite on a PostgreSQL test database, which is fine to empty.
    yes = [] if connection.vendor == "sqlite" else ["--yes-flush"]
    output = run("demo", "--no-serve", "--customers", "300", *yes)
    assert Customer.objects.count() == 300
    assert not User.objects.filter(username="leftover").exists()
    for username in ("admin", "regional", "gridmanager", "rep", "outsider"):
        assert username in output
    assert DEMO_PASSWORD in output
    assert "http://127.0.0.1:8000/" in output


def test_demo_refuses_to_empty_a_database_that_is_not_sqlite(monkeypatch):
    monkeypatch.setattr(demo_command, "database_vendor", lambda: "postgresql")
    User.objects.create_user(username="precious")
    with pytest.raises(CommandError, match="--yes-flush") as error:
        run("demo", "--no-serve", "--customers", "10")
    assert error.value.returncode == 2
    assert User.objects.filter(username="precious").exists()


def test_demo_empties_any_database_with_yes_flush(monkeypatch, forget_content_types):
    monkeypatch.setattr(demo_command, "database_vendor", lambda: "postgresql")
    User.objects.create_user(username="precious")
    settle_constraints()
    run("demo", "--no-serve", "--customers", "20", "--yes-flush")
    assert not User.objects.filter(username="precious").exists()
    assert Customer.objects.count() == 20


def test_demo_rejects_a_negative_customer_count():
    with pytest.raises(CommandError) as error:
        run("demo", "--no-serve", "--customers", "-1")
    assert error.value.returncode == 2


def test_demo_checks_the_port_before_building():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=str(port)) as error:
            run("demo", "--port", str(port), "--customers", "10", "--yes-flush")
    assert error.value.returncode == 2
    assert not Customer.objects.exists()


def test_serve_refuses_a_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # Commands speak the active language; pin it, whatever earlier tests activated.
        with (
            translation.override("en"),
            pytest.raises(CommandError, match="already in use") as error,
        ):
            run("serve", "--port", str(port))
    assert error.value.returncode == 2


@pytest.mark.parametrize("port", ["0", "70000"])
def test_serve_refuses_a_port_out_of_range(port):
    with pytest.raises(CommandError, match="65535") as error:
        run("serve", "--port", port)
    assert error.value.returncode == 2


def test_serve_refuses_an_unknown_host():
    with pytest.raises(CommandError) as error:
        run("serve", "--host", "no-such-host.invalid")
    assert error.value.returncode == 2


def test_serve_runs_the_development_server_when_debug_is_on(settings, monkeypatch):
    settings.DEBUG = True
    calls = []
    monkeypatch.setattr(serve_command, "call_command", lambda *a, **kw: calls.append((a, kw)))
    run("serve", "--port", "8765")
    assert calls == [
        (
            ("runserver", "127.0.0.1:8765"),
            {"use_reloader": False, "use_threading": True, "use_ipv6": False},
        )
    ]


def test_serve_runs_gunicorn_when_debug_is_off(settings, monkeypatch):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False
    commands, started = [], []
    monkeypatch.setattr(serve_command, "call_command", lambda *a, **kw: commands.append(a))
    monkeypatch.setattr(serve_command.os, "execv", lambda path, argv: started.append(argv))
    output = run("serve", "--host", "0.0.0.0", "--port", "8766")
    assert commands == [("collectstatic",)]
    [command] = started
    assert command[1:] == [
        "-m",
        "gunicorn",
        "gridsales.wsgi",
        "-b",
        "0.0.0.0:8766",
        "--workers",
        "2",
        "--threads",
        "4",
    ]
    assert "http://127.0.0.1:8766/" in output
