"""`gridsales demo`: rebuild the demo company from scratch and serve it.

Migrates, EMPTIES the database, builds Shanghai's grids, a team, customers and two years
of orders, deals, activities and surveys (gridsales.demo), prints the demo logins and
starts the server. `gridsales` sets DEBUG=1 for this command (gridsales/cli.py), so the
demo runs on the development server over plain HTTP.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gridsales.accounts.choices import Role
from gridsales.core.management.commands.serve import DEFAULT_PORT, check_port, url_for
from gridsales.demo.builder import DemoLogin, DemoSummary, build_demo
from gridsales.demo.plan import (
    DEFAULT_CUSTOMERS,
    DEFAULT_ORDER_LINES_PER_CUSTOMER,
    DEFAULT_SEED,
    DEMO_PASSWORD,
)

HOST = "127.0.0.1"


def database_vendor() -> str:
    """The default database's vendor ("sqlite", "postgresql", ...); tests replace it."""
    return connection.vendor


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # Translated when the parser is built, not at import: argparse needs a str.
        return _(
            "Delete all data, build the demo company (Shanghai grids, team, customers, two years of sales history) and serve it."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=_("Build the demo, then exit instead of starting the server."),
        )
        parser.add_argument(
            "--customers",
            type=int,
            default=DEFAULT_CUSTOMERS,
            help=_("Number of customers to create (default 20000)."),
        )
        parser.add_argument(
            "--lines-per-customer",
            type=float,
            default=DEFAULT_ORDER_LINES_PER_CUSTOMER,
            help=_("Order lines per customer over the two years of history (default 10)."),
        )
        parser.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=_("Port to serve on (default 8000)."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("Random seed; the same seed builds the same data."),
        )
        parser.add_argument(
            "--yes-flush",
            action="store_true",
            help=_(
                "Allow emptying a database that is not SQLite (e.g. PostgreSQL from DATABASE_URL)."
            ),
        )

    def handle(self, *args, **options):
        self.check_database(options["yes_flush"])
        if options["customers"] < 0:
            raise CommandError(
                _("--customers must be 0 or more, not {n}.").format(n=options["customers"]),
                returncode=2,
            )
        if options["lines_per_customer"] < 0:
            raise CommandError(
                _("--lines-per-customer must be 0 or more, not {n}.").format(
                    n=options["lines_per_customer"]
                ),
                returncode=2,
            )
        serve = not options["no_serve"]
        if serve:
            # Before the build, not after it: nobody should wait for the data to learn
            # that the port is taken.
            check_port(HOST, options["port"])

        console = self.console(options)
        console.print(_("Migrating the database…"))
        call_command("migrate", interactive=False, verbosity=0)
        console.print(_("Emptying the database…"))
        call_command("flush", interactive=False, verbosity=0)
        summary = self.build(
            console,
            customers=options["customers"],
            seed=options["seed"],
            lines_per_customer=options["lines_per_customer"],
        )
        console.print(
            _(
                "Built the demo in {seconds:.1f} s: {grids} grids ({leaves} leaf grids), {users} users, {memberships} memberships, {customers} customers, {contacts} contacts."
            ).format(
                seconds=summary.seconds,
                grids=summary.grids,
                leaves=summary.leaves,
                users=summary.users,
                memberships=summary.memberships,
                customers=summary.customers,
                contacts=summary.contacts,
            )
        )
        if summary.crm is not None:
            crm = summary.crm
            console.print(
                _(
                    "Two years of history: {orders} orders ({lines} lines), {opportunities} opportunities, {activities} activities, {surveys} surveys."
                ).format(
                    orders=crm.orders,
                    lines=crm.order_lines,
                    opportunities=crm.opportunities,
                    activities=crm.activities,
                    surveys=crm.surveys,
                )
            )
        console.print(self.logins_table(summary))
        console.print(
            _(
                "Every other demo user (the reps and managers listed under Team) has the same password."
            )
        )
        url = url_for(HOST, options["port"])
        if serve:
            console.print(_("Open {url} and sign in with one of these logins.").format(url=url))
            call_command("serve", host=HOST, port=options["port"])
        else:
            console.print(
                _("Serve it with “DEBUG=1 gridsales serve --port {port}”, then open {url}.").format(
                    port=options["port"], url=url
                )
            )

    def check_database(self, yes_flush: bool) -> None:
        """Refuse to empty anything but SQLite unless told to: DATABASE_URL may point at a
        team's real PostgreSQL database."""
        vendor = database_vendor()
        if vendor == "sqlite" or yes_flush:
            return
        raise CommandError(
            _(
                "The demo deletes ALL data in the database before building. This database is {vendor} (“{name}”), not the local SQLite file, so nothing was changed. To empty it and build the demo, run the command again with --yes-flush."
            ).format(vendor=vendor, name=settings.DATABASES["default"].get("NAME", "")),
            returncode=2,
        )

    def console(self, options) -> Console:
        # Rich writes to the command's own stream (so call_command(stdout=...) captures
        # it); OutputWrapper.write would add a newline to each of rich's chunks.
        stream = getattr(self.stdout, "_out", self.stdout)
        return Console(
            file=stream,
            no_color=options.get("no_color", False),
            force_terminal=True if options.get("force_color") else None,
            highlight=False,
            markup=False,  # translated text may contain [brackets]; it is never markup
        )

    def build(
        self, console: Console, *, customers: int, seed: int, lines_per_customer: float
    ) -> DemoSummary:
        labels = {
            "grids": _("Drawing the grids"),
            "team": _("Hiring the sales team"),
            "customers": _("Placing customers and contacts"),
            "orders": _("Writing two years of orders"),
            "deals": _("Moving deals through the pipelines"),
            "activities": _("Logging visits, calls and follow-ups"),
            "care": _("Collecting satisfaction surveys"),
        }
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as bar:
            tasks = {stage: bar.add_task(label, total=None) for stage, label in labels.items()}

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(tasks[stage], completed=done, total=total)

            return build_demo(
                customers=customers,
                seed=seed,
                progress=progress,
                order_lines_per_customer=lines_per_customer,
            )

    def logins_table(self, summary: DemoSummary) -> Table:
        table = Table(title=_("Demo logins"), show_lines=False)
        table.add_column(_("Username"), style="bold")
        table.add_column(_("Role"))
        table.add_column(_("What they see"), overflow="fold")
        table.add_column(_("Password"))
        for login in summary.logins:
            table.add_row(
                login.username, str(Role(login.role).label), self.sees(login), DEMO_PASSWORD
            )
        return table

    def sees(self, login: DemoLogin) -> str:
        """One line on what the login's scope shows, for the table."""
        grid = {"code": login.grid_code, "name": login.grid_name}
        return {
            "admin": _("Everything, plus users and the audit log"),
            "director": _("Everything, read and write"),
            "regional": _("Region {code} {name} and every grid in it").format(**grid),
            "gridmanager": _("Grid {code} {name}: its team and customers").format(**grid),
            "rep": _("Grid {code} {name}; may change only the customers they own").format(**grid),
            "analyst": _("Everything, read only"),
            "outsider": _("Nothing: a rep who belongs to no grid"),
        }.get(login.username, "")
