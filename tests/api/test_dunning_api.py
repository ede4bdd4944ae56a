"""Dunning through the API: the invoice's report, preview, holds, tasks, timelines."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.collab.models import TaskKind
from encaisse.collab.services import task_create
from encaisse.dunning.services.explain_report import dunning_report
from tests.api.conftest import ApiAs
from tests.web.conftest import TODAY, Portfolio

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
JSON = "application/json"


def test_the_dunning_state_is_the_panels_report(api_as: ApiAs, bob: User, bobs: Portfolio) -> None:
    answer = api_as(bob).get(f"/api/v1/invoices/{bobs.invoice.pk}/dunning").json()
    report = dunning_report(bobs.invoice)
    assert answer["reason"] == report.reason and answer["on"] == TODAY.isoformat()
    assert answer["balance"] == f"{report.balance:.2f}" or answer["balance"] == str(report.balance)
    assert [step["name"] for step in answer["steps"]] == [step.name for step in report.steps]


def test_a_hold_is_placed_released_once_and_shown(
    api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    client = api_as(alice)
    placed = client.post(
        "/api/v1/holds",
        {"customer_id": bobs.customer.pk, "invoice_id": bobs.invoice.pk, "reason": "dispute"},
        content_type=JSON,
    )
    assert placed.status_code == 201, placed.content
    hold = placed.json()
    report = client.get(f"/api/v1/invoices/{bobs.invoice.pk}/dunning").json()
    assert [h["id"] for h in report["holds"]] == [hold["id"]]
    assert client.post(f"/api/v1/holds/{hold['id']}/release").status_code == 200
    again = client.post(f"/api/v1/holds/{hold['id']}/release")
    assert again.status_code == 409 and again.json()["type"].endswith("/conflict")


def test_a_hold_with_a_bad_reason_points_at_it(api_as: ApiAs, alice: User, bobs: Portfolio) -> None:
    response = api_as(alice).post(
        "/api/v1/holds", {"customer_id": bobs.customer.pk, "reason": "whim"}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/reason"


def test_a_rep_completes_his_task_once(api_as: ApiAs, bob: User, bobs: Portfolio) -> None:
    task = task_create(
        actor=None, kind=TaskKind.CALL_CORDIAL, title="Call", due_on=TODAY,
        customer_id=bobs.customer.pk, assignee=bob,
    )  # fmt: skip
    client = api_as(bob)
    assert [t["id"] for t in client.get("/api/v1/tasks").json()["results"]] == [task.pk]
    done = client.post(
        f"/api/v1/tasks/{task.pk}/complete",
        {"result": "reached", "outcome": "Paiement promis vendredi"},
        content_type=JSON,
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert done.json()["result"] == "reached"
    assert (
        client.post(f"/api/v1/tasks/{task.pk}/complete", {}, content_type=JSON).status_code == 409
    )
    assert client.get("/api/v1/tasks").json()["results"] == []
    timeline = client.get(f"/api/v1/customers/{bobs.customer.pk}/timeline").json()
    assert timeline[0]["verb"] == "collab.task.completed"


def test_a_rep_may_not_complete_someone_elses_task(
    api_as: ApiAs, bob: User, dave: User, bobs: Portfolio
) -> None:
    task = task_create(
        actor=None,
        kind=TaskKind.CALL_FORMAL,
        title="Call",
        due_on=TODAY,
        customer_id=bobs.customer.pk,
    )  # fmt: skip  (finance's queue)
    response = api_as(bob).post(f"/api/v1/tasks/{task.pk}/complete", {}, content_type=JSON)
    assert response.status_code == 403


def test_the_timeline_pages_back_with_the_cursor(
    api_as: ApiAs, alice: User, bobs: Portfolio
) -> None:
    client = api_as(alice)
    url = f"/api/v1/customers/{bobs.customer.pk}/timeline"
    everything = client.get(url, {"limit": 500}).json()
    assert len(everything) >= 3
    first = client.get(url, {"limit": 2}).json()
    rest = client.get(url, {"limit": 500, "before": first[-1]["cursor"]}).json()
    assert [e["id"] for e in first + rest] == [e["id"] for e in everything]
    assert client.get(url, {"before": "nonsense"}).status_code == 422


def test_the_preview_shows_a_rep_only_his_customers_and_no_totals(
    api_as: ApiAs, bob: User, alice: User, bobs: Portfolio, carols: Portfolio
) -> None:
    on = (TODAY + dt.timedelta(days=7)).isoformat()
    with time_machine.travel(TODAY, tick=False):
        mine = api_as(bob).get("/api/v1/dunning/preview", {"on": on}).json()
        everyone = api_as(alice).get("/api/v1/dunning/preview", {"on": on}).json()
    assert {m["customer_id"] for m in mine["messages"]} <= {bobs.customer.pk}
    assert mine["days"] == []
    assert {m["customer_id"] for m in everyone["messages"]} >= {
        m["customer_id"] for m in mine["messages"]
    }


@pytest.mark.parametrize("days", [-1, 61, 2_900_000])
def test_the_preview_refuses_the_past_and_beyond_the_uis_horizon(
    api_as: ApiAs, alice: User, days: int
) -> None:
    # Found by the fuzz test: the replay runs a day per day ahead, and
    # ?on=9999-12-31 kept a worker busy for hours.
    on = (TODAY + dt.timedelta(days=days)).isoformat()
    with time_machine.travel(TODAY, tick=False):
        response = api_as(alice).get("/api/v1/dunning/preview", {"on": on})
    assert response.status_code == 422
    assert [e["parameter"] for e in response.json()["errors"]] == ["on"]


def test_a_customers_messages_with_attempts(
    api_as: ApiAs, bob: User, bob_messages: object, bobs: Portfolio
) -> None:
    messages = api_as(bob).get(f"/api/v1/customers/{bobs.customer.pk}/messages").json()
    assert messages and {"attempts", "invoices", "state", "channel"} <= set(messages[0])
