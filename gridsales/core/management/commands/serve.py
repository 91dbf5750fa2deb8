"""`gridsales serve`: run GridSales over HTTP, with a background worker beside it.

With DEBUG on it is Django's development server (one process, threaded, readable errors);
with DEBUG off it is gunicorn (two worker processes of four threads) after collecting the
static files, which is how a team server runs behind a TLS proxy. Either way a
`gridsales db_worker` process runs the background tasks (planning runs, scheduled
redesigns) unless `--no-worker` is given; it ends with the server.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def check_port(host: str, port: int) -> None:
    """Fail with a clear message (exit code 2) unless the server could listen on host:port.

    Binding once up front turns "port in use" and "permission denied" into a message
    that says what to change, instead of a traceback or a terse server error.
    """
    if not 1 <= port <= 65535:
        raise CommandError(
            _("The port must be a number from 1 to 65535, not {port}.").format(port=port),
            returncode=2,
        )
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
    except socket.gaierror as exc:
        raise CommandError(
            _(
                "Unknown host “{host}”: use an IP address such as 127.0.0.1 (this computer only) or 0.0.0.0 (all networks)."
            ).format(host=host),
            returncode=2,
        ) from exc
    with socket.socket(family, kind, proto) as sock:
        # Servers set SO_REUSEADDR too, so a port left in TIME_WAIT counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                message = _(
                    "Port {port} on {host} is already in use. Stop the other server or choose another port with --port."
                )
            elif exc.errno in (errno.EACCES, errno.EPERM):
                message = _(
                    "No permission to listen on port {port}: ports below 1024 need administrator rights. Choose another port with --port."
                )
            elif exc.errno == errno.EADDRNOTAVAIL:
                message = _(
                    "{host} is not an address of this computer. Use 127.0.0.1 (this computer only) or 0.0.0.0 (all networks)."
                )
            else:
                message = _("Cannot listen on {host}:{port}: {error}")
            raise CommandError(
                message.format(host=host, port=port, error=exc.strerror), returncode=2
            ) from exc


def url_for(host: str, port: int) -> str:
    """The address to open in a browser for a server bound to host:port."""
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def _die_with_parent() -> None:
    """Linux: the worker gets SIGTERM when the server process ends (gunicorn replaces
    this process, so the worker's parent is gunicorn itself)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_worker() -> subprocess.Popen | None:
    """Start `gridsales db_worker` beside the web server when background tasks are queued
    in the database (django-tasks-db); None with any other backend (tests run tasks
    immediately). Planning runs and scheduled redesigns need it."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    if not isinstance(task_backends["default"], DatabaseBackend):
        return None
    command = [sys.executable, "-m", "django", "db_worker", "--queue-name", "*", "--no-reload"]
    command += ["--verbosity", "0"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gridsales.settings"}
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    return subprocess.Popen(command, env=env, preexec_fn=preexec)  # noqa: PLW1509


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # Translated when the parser is built, not at import: argparse needs a str.
        return _(
            "Serve GridSales: Django's development server when DEBUG is on, gunicorn when it is off."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=DEFAULT_HOST,
            help=_("Address to listen on (default 127.0.0.1; 0.0.0.0 for all networks)."),
        )
        parser.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=_("Port to listen on (default 8000)."),
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=_("Do not start the background worker (run “gridsales db_worker” yourself)."),
        )

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        check_port(host, port)
        worker = None if options.get("no_worker") else start_worker()
        if worker is not None:
            self.stdout.write(
                _("Background worker started (process {pid}).").format(pid=worker.pid)
            )
        if settings.DEBUG:
            try:
                self.run_development_server(host, port)
            finally:
                if worker is not None:
                    worker.terminate()
                    try:
                        worker.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        worker.kill()
        else:
            self.run_gunicorn(host, port)

    def run_development_server(self, host: str, port: int) -> None:
        ipv6 = ":" in host
        addrport = f"[{host}]:{port}" if ipv6 else f"{host}:{port}"
        self.stdout.write(
            _("Serving GridSales at {url} with the development server (Ctrl+C to stop).").format(
                url=url_for(host, port)
            )
        )
        # No autoreloader: it would re-run the command in a child process, and `demo`
        # would rebuild the data on every restart.
        call_command("runserver", addrport, use_reloader=False, use_threading=True, use_ipv6=ipv6)

    def run_gunicorn(self, host: str, port: int) -> None:
        if importlib.util.find_spec("gunicorn") is None:
            raise CommandError(
                _(
                    "gunicorn is not installed (it does not run on Windows). Set DEBUG=1 to use the development server instead."
                ),
                returncode=2,
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        if settings.SECURE_SSL_REDIRECT:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "HTTPS is on (GRIDSALES_HTTPS): plain http:// requests are redirected to https://. Serve behind a TLS proxy, or set GRIDSALES_HTTPS=0 to try it over plain HTTP."
                    )
                )
            )
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.stdout.write(
            _("Serving GridSales at {url} with gunicorn (Ctrl+C to stop).").format(
                url=url_for(host, port)
            )
        )
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "gridsales.wsgi",
            "-b",
            bind,
            "--workers",
            "2",
            "--threads",
            "4",
        ]
        # gunicorn replaces this process rather than running under it: Ctrl+C, `kill`
        # and service managers then signal gunicorn itself (TERM = finish open requests),
        # and no parent is left waiting on, or orphaning, a child.
        self.stdout.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        connections.close_all()
        os.execv(sys.executable, command)
