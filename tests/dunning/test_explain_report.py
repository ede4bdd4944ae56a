"""The invoice's dunning report (typed data shared by the panel and the API), and the
preview scoped to a viewer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.dunning.models import HoldReason
from encaisse.dunning.services.explain_report import DunningReport, dunning_report
from encaisse.dunning.services.holds import hold_place
from encaisse.dunning.services.preview_scoped import dunning_preview_for
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def test_the_report_says_where_the_invoice_is_why_and_what_comes_next(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(4)):
        run_day(at(4))  # catch-up: préventif skipped, relance 1 sent
        report = dunning_report(invoice)
    assert isinstance(report, DunningReport)
    assert report.plan is not None and report.plan.name == "Plan standard"
    assert report.reason == "waiting" and report.performs_today == ""
    assert report.current_step is not None and report.current_step.name == "Relance 1"
    assert report.next_step is not None
    assert (report.next_step.name, report.next_step.on) == ("Relance 2", at(10))
    assert report.last_message is not None and report.last_message.step_name == "Relance 1"
    assert report.last_message.channel == "email"
    assert [a.step_name for a in report.actions] == ["Relance 1"]
    assert report.actions[0].skipped_steps == 1
    assert report.net == report.balance == Decimal("1000.00") and not report.extended


def test_an_active_hold_is_in_the_report_and_no_step_has_a_date(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    with time_machine.travel(at(4)):
        hold_place(actor=bob, customer=customer, reason=HoldReason.DISPUTE, invoice=invoice,
                   note="Livraison incomplète")  # fmt: skip
        report = dunning_report(invoice)
    assert [(h.reason, h.note, h.created_by_name) for h in report.holds] == [
        ("dispute", "Livraison incomplète", str(bob))
    ]
    assert report.reason == "blocked" and report.waiting_for == "blocked"
    assert report.next_step is None


def test_the_report_holds_values_only(bob: User) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(at(4)):
        report = dunning_report(invoice)
    allowed = (int, str, bool, Decimal, dt.date, type(None), list, dict)

    def plain(value: object) -> bool:
        if dataclasses.is_dataclass(value):
            return all(plain(getattr(value, f.name)) for f in dataclasses.fields(value))
        if isinstance(value, list):
            return all(plain(item) for item in value)
        return isinstance(value, allowed)

    assert plain(report)


def test_the_preview_shows_a_rep_his_customers_only_and_no_ledger_totals(
    alice: User, bob: User, carol: User
) -> None:
    mine = remindable_customer(bob, email="a@bob.test")
    theirs = remindable_customer(carol, email="a@carol.test")
    invoice_due(mine, DUE)
    invoice_due(theirs, DUE)
    with time_machine.travel(at(1)):
        for_bob = dunning_preview_for(bob, on=at(3))
        for_alice = dunning_preview_for(alice, on=at(3))
    assert {m.customer_id for m in for_bob.messages} == {mine.pk}
    assert for_bob.days == []
    assert {m.customer_id for m in for_alice.messages} == {mine.pk, theirs.pk}
    assert for_alice.days and for_alice.days[-1].on == at(3)
    message = for_bob.messages[0]
    assert message.step_name == "Relance 1" and message.total == Decimal("1000.00")
    assert [line.net for line in message.invoices] == [Decimal("1000.00")]
