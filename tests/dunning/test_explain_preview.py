"""Explaining an invoice's dunning, and previewing a future date without writing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.dunning.models import DunningAction, DunningMessage, DunningRun, InvoiceDunning
from encaisse.dunning.services.explain import dunning_explain
from encaisse.dunning.services.preview import dunning_preview
from encaisse.dunning.services.run import dunning_run
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def test_the_explanation_lists_done_skipped_next_and_upcoming_steps(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(4)):
        run_day(at(4))  # catch-up: préventif skipped, relance 1 sent
        explanation = dunning_explain(invoice)
    statuses = [(line.name, line.status) for line in explanation.steps]
    assert statuses[:3] == [
        ("Rappel préventif", "skipped"),
        ("Relance 1", "done"),
        ("Relance 2", "next"),
    ]
    assert {status for _name, status in statuses[3:]} == {"upcoming"}
    assert explanation.steps[2].on == at(10)
    assert explanation.plan is not None and explanation.plan.name == "Plan standard"
    assert explanation.today.reason == "waiting"


def test_the_preview_writes_nothing_and_matches_what_the_run_then_does(bob: User) -> None:
    for n in range(3):
        customer = remindable_customer(bob, email=f"c{n}@client.test")
        invoice_due(customer, at(-n))
        invoice_due(customer, at(-n - 9))
    with time_machine.travel(at(3)):
        preview = dunning_preview(on=at(3))
        assert not InvoiceDunning.objects.exists() and not DunningRun.objects.exists()
        report = dunning_run(run_on=at(3))
    previewed = {(g.customer_id, g.channel, g.step.name, len(g.decisions)) for g in preview.groups}
    done = {
        (m.customer_id, m.channel, m.step_name, m.actions.count())
        for m in DunningMessage.objects.all()
    }
    assert previewed == done
    assert sum(preview.days[-1].by_step.values()) == report.performed


def test_a_preview_a_week_ahead_replays_the_days_in_between(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, at(0))
    with time_machine.travel(at(-6)):
        preview = dunning_preview(on=at(4))
    by_day = {day.on: dict(day.by_step) for day in preview.days}
    assert by_day[at(-5)] == {"Rappel préventif": 1}
    assert by_day[at(3)] == {"Relance 1": 1}
    assert [g.step.name for g in preview.groups] == []  # nothing on the target date itself
    assert DunningAction.objects.count() == 0
