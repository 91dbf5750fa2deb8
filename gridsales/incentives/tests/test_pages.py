"""Every incentive page × every persona: 200 / 302 / 403 / 404 exactly; and the flows:
finance calculates, approves and pays March; a rep reads their statement and disputes a
line; finance resolves it; the payroll file."""

import pytest
from django.test import Client
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.incentives.models import CommissionRun, Dispute, Statement
from gridsales.incentives.tests.factories import PERIOD, incentive_world

FINANCE = {"admin", "director", "finance"}
SEES_REP = {"admin", "director", "analyst", "finance", "regional", "gridmanager", "rep"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_every_page_answers_each_persona_as_its_scope_says(world):
    made = incentive_world(world)
    run, rep_statement = made["runs"][PERIOD], made["statements"]["rep"]
    pages = {
        "/incentives/": {p: 200 for p in PERSONAS},
        f"/incentives/runs/{run}/": {p: 200 for p in PERSONAS},
        f"/incentives/runs/{run}/payroll.csv": {p: 200 if p in FINANCE else 403 for p in PERSONAS},
        f"/incentives/runs/{run}/export.xlsx": {p: 200 for p in PERSONAS},
        f"/incentives/statements/{rep_statement}/": {
            p: 200 if p in SEES_REP else 404 for p in PERSONAS
        },
        f"/incentives/statements/{rep_statement}/export.xlsx": {
            p: 200 if p in SEES_REP else 404 for p in PERSONAS
        },
    }
    problems = []
    for url, expected in pages.items():
        for persona in PERSONAS:
            got = client_for(world, persona).get(url).status_code
            if got != expected[persona]:
                problems.append(f"{url} {persona}: {got}, expected {expected[persona]}")
        anonymous = Client().get(url)
        if anonymous.status_code != 302 or "/login/" not in anonymous["Location"]:
            problems.append(f"{url} anonymous: {anonymous.status_code}")
    assert not problems, "\n".join(problems)


def test_posting_answers_each_persona_as_its_scope_says(world):
    made = incentive_world(world)
    run = made["runs"][PERIOD]
    for persona in PERSONAS:
        response = client_for(world, persona).post(f"/incentives/runs/{run}/do/approve/")
        assert response.status_code == (302 if persona in FINANCE else 403), persona
        CommissionRun.objects.filter(pk=run).update(status="calculated")
    assert client_for(world, "rep").post("/incentives/", {"period": "2026-04"}).status_code == 403


def test_finance_runs_march_and_pays_it(world):
    made = incentive_world(world)
    run = made["runs"][PERIOD]
    finance = client_for(world, "finance")
    page = finance.get(f"/incentives/runs/{run}/").content.decode()
    assert "rep2 has no target for 2026-03" in page
    assert 'data-testid="approve"' in page
    finance.post(f"/incentives/runs/{run}/do/calculate/")
    finance.post(f"/incentives/runs/{run}/do/approve/")
    finance.post(f"/incentives/runs/{run}/do/pay/")
    assert CommissionRun.objects.get(pk=run).status == "paid"
    payroll = finance.get(f"/incentives/runs/{run}/payroll.csv").content.decode("utf-8-sig")
    assert payroll.splitlines()[0] == "period,username,name,employee_no,grid,total,status"
    rows = [line.split(",") for line in payroll.splitlines()[1:]]
    assert [(r[1], r[4], r[5], r[6]) for r in rows] == [
        ("rep", "R1-A1-G1", "7936.00", "paid"),
        ("rep2", "R2-A1-G1", "0.00", "paid"),
    ]


def test_a_new_run_with_a_bad_month_says_so(world):
    response = client_for(world, "finance").post("/incentives/", {"period": "March"}, follow=True)
    assert "March is not a month such as 2026-03." in response.content.decode()


def test_the_rep_reads_every_line_and_disputes_one_and_finance_resolves_it(world):
    made = incentive_world(world)
    statement = Statement.objects.get(pk=made["statements"]["rep"])
    rep = client_for(world, "rep")
    page = rep.get(f"/incentives/statements/{statement.pk}/").content.decode()
    for line in statement.lines.all():
        assert line.explanation.replace("'", "&#x27;") in page
    assert page.count("Dispute this line") == 5
    line = statement.lines.get(position=2)
    rep.post(f"/incentives/lines/{line.pk}/dispute/", {"message": "1.5 for this product?"})
    dispute = Dispute.objects.get()
    assert (dispute.raised_by, dispute.status) == (world.users["rep"], "open")
    # The grid manager reads it but cannot resolve it.
    manager = client_for(world, "gridmanager")
    assert (
        "1.5 for this product?"
        in manager.get(f"/incentives/statements/{statement.pk}/").content.decode()
    )
    assert (
        manager.post(f"/incentives/disputes/{dispute.pk}/reject/", {"resolution": "no"}).status_code
        == 403
    )
    finance = client_for(world, "finance")
    finance.post(
        f"/incentives/disputes/{dispute.pk}/accept/",
        {"amount": "12.50", "resolution": "Promotion price"},
    )
    dispute.refresh_from_db()
    assert dispute.status == "accepted"
    statement.refresh_from_db()
    assert str(statement.total) == "7948.50"
    page = rep.get(f"/incentives/statements/{statement.pk}/").content.decode()
    assert "Adjustment by finance: Promotion price (12.50)." in page


def test_another_rep_cannot_dispute_a_line_it_cannot_see(world):
    made = incentive_world(world)
    line = Statement.objects.get(pk=made["statements"]["rep"]).lines.first()
    response = client_for(world, "rep2").post(
        f"/incentives/lines/{line.pk}/dispute/", {"message": "x"}
    )
    assert response.status_code == 404
    assert not Dispute.objects.exists()


def test_the_run_export_holds_only_the_statements_the_user_sees(world):
    import io

    from openpyxl import load_workbook

    made = incentive_world(world)
    run = made["runs"][PERIOD]
    for persona, reps in (("finance", ["rep", "rep2"]), ("rep", ["rep"]), ("outsider", [])):
        content = client_for(world, persona).get(f"/incentives/runs/{run}/export.xlsx").content
        sheet = load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert [r[0] for r in rows[1:]] == reps, persona
    content = (
        client_for(world, "rep")
        .get(f"/incentives/statements/{made['statements']['rep']}/export.xlsx")
        .content
    )
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "Explanation"
    assert [r[6] for r in rows[1:]] == [1344.0, 1008.0, 784.0, 5000.0, -200.0]
