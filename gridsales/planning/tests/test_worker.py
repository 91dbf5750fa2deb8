"""`gridsales serve` starts a db_worker beside the server when tasks go to the database."""

import django_tasks
from django_tasks_db import DatabaseBackend

from gridsales.core.management.commands import serve


class FakeProcess:
    pid = 4321

    def __init__(self, command, **kwargs):
        self.command = command
        self.env = kwargs["env"]
        self.terminated = False

    def terminate(self):
        self.terminated = True

    def wait(self, timeout=None):
        return 0


def test_no_worker_with_the_immediate_backend_of_the_tests():
    assert serve.start_worker() is None


def test_a_worker_runs_all_queues_beside_the_server(monkeypatch, settings):
    backend = DatabaseBackend(alias="default", params={"QUEUES": [], "OPTIONS": {}})
    monkeypatch.setattr(django_tasks, "task_backends", {"default": backend})
    monkeypatch.setattr(serve.subprocess, "Popen", FakeProcess)
    worker = serve.start_worker()
    assert worker.command[1:] == [
        "-m",
        "django",
        "db_worker",
        "--queue-name",
        "*",
        "--no-reload",
        "--verbosity",
        "0",
    ]
    assert worker.env["DJANGO_SETTINGS_MODULE"] == "gridsales.settings"


def test_serve_stops_its_worker_with_the_development_server(monkeypatch, settings):
    settings.DEBUG = True
    started = []

    def fake_start():
        started.append(FakeProcess(["db_worker"], env={}))
        return started[-1]

    monkeypatch.setattr(serve, "start_worker", fake_start)
    monkeypatch.setattr(serve, "call_command", lambda *a, **kw: None)
    from django.core.management import call_command

    call_command("serve", "--port", "8797")
    assert started and started[0].terminated
    started.clear()
    call_command("serve", "--port", "8797", "--no-worker")
    assert started == []
