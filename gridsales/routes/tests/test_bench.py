from io import StringIO

from django.core.management import call_command

from gridsales.routes.bench import DATA, best_known


def test_the_benchmark_data_is_in_the_project():
    assert best_known("solomon")["RC101_distance"] == 1643.41
    assert best_known("tsplib")["berlin52"] == 7542
    assert len(list((DATA / "solomon").glob("*.txt"))) == 6
    assert len(list((DATA / "tsplib").glob("*.tsp"))) == 5


def test_the_benchmark_reports_each_instance_and_the_targets():
    out = StringIO()
    call_command("bench", "routes", "--instances", "berlin52", "--tsplib-time", "1", stdout=out)
    lines = out.getvalue().splitlines()
    row = next(line for line in lines if line.startswith("berlin52"))
    assert row.split()[:4] == ["berlin52", "7542.00", "7542.00", "0.00"]
    assert (
        "TSPLIB: 1 instances at 1 s, mean gap 0.000 %, max 0.000 %, infeasible 0" in out.getvalue()
    )
    assert lines[-1] == "All targets met."
