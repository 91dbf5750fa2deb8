"""Background tasks (django-tasks): a scenario's run and a scheduled apply.

The database backend (django-tasks-db) stores them; `gridsales db_worker` runs them
(`gridsales serve` starts one). Tests use the immediate backend: a task runs when queued.
"""

from __future__ import annotations

from django_tasks import task


@task()
def scenario_run_task(scenario_id: int) -> None:
    """Run the optimiser for a queued scenario (progress on the scenario)."""
    from gridsales.planning.services import scenario_execute

    scenario_execute(scenario_id)


@task()
def scenario_apply_task(scenario_id: int) -> None:
    """Apply the scheduled scenarios that are due (deferred to the effective date)."""
    from gridsales.planning.apply import apply_due

    apply_due()
