"""Plans chosen per customer, and the steps other than emails (rep alerts)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.dunning.models import (
    CustomerDunning,
    DunningAction,
    DunningPlan,
    DunningStep,
    InvoiceDunning,
    StepAction,
)
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def short_plan(name: str, risk_classes: str = "") -> DunningPlan:
    plan = DunningPlan.objects.create(name=name, risk_classes=risk_classes)
    DunningStep.objects.create(
        plan=plan, name="Alerte commercial", offset_days=1, action=StepAction.ALERT_ACCOUNT_MANAGER
    )
    DunningStep.objects.create(
        plan=plan, name="Relance unique", offset_days=2, action=StepAction.EMAIL,
        template_code="reminder_2",
    )  # fmt: skip
    return plan


def test_the_account_manager_is_alerted_by_email_when_his_customer_pays_late(bob: User) -> None:
    customer = remindable_customer(bob, "Garage Martin")
    CustomerDunning.objects.create(customer=customer, plan=short_plan("Alerte"))
    invoice = invoice_due(customer, DUE, "750.00")
    with time_machine.travel(DUE + dt.timedelta(days=1)):
        run_day(DUE + dt.timedelta(days=1))
    (alert,) = mail.outbox
    assert alert.to == [bob.email]
    assert alert.subject == "Retard de paiement : Garage Martin"
    assert invoice.number in alert.body and "750,00" in alert.body


def test_an_override_beats_the_risk_class_rule_which_beats_the_default(bob: User) -> None:
    by_risk = short_plan("Risque D", risk_classes="C, d")
    overridden = remindable_customer(bob, risk_class="D", email="o@client.test")
    CustomerDunning.objects.create(customer=overridden, plan=short_plan("Perso"))
    risky = remindable_customer(bob, risk_class="D", email="r@client.test")
    ordinary = remindable_customer(bob, risk_class="A", email="a@client.test")
    for customer in (overridden, risky, ordinary):
        invoice_due(customer, DUE)
    with time_machine.travel(DUE + dt.timedelta(days=2)):
        run_day(DUE + dt.timedelta(days=2))
    subjects = {m.to[0]: m.subject for m in mail.outbox if m.to[0].endswith("client.test")}
    assert "second rappel" in subjects["o@client.test"]  # its own plan's J+2 reminder
    assert "second rappel" in subjects["r@client.test"]  # the risk-class plan's
    assert "a@client.test" not in subjects  # the default plan has nothing at J+2
    assert by_risk.risk_class_list == ["C", "D"]


def test_a_step_that_already_happened_is_not_repeated_even_if_progress_was_lost(
    bob: User,
) -> None:
    # A plan edited back and forth can make an invoice's last reached offset
    # point before a step it already had: the run must neither fail nor resend.
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    other = invoice_due(remindable_customer(bob, email="other@client.test"), DUE)
    with time_machine.travel(DUE + dt.timedelta(days=3)):
        run_day(DUE + dt.timedelta(days=3))
    assert len(mail.outbox) == 2
    InvoiceDunning.objects.filter(invoice=invoice).update(
        last_offset=None, next_action_on=DUE + dt.timedelta(days=6)
    )
    InvoiceDunning.objects.filter(invoice=other).update(next_action_on=DUE + dt.timedelta(days=6))
    with time_machine.travel(DUE + dt.timedelta(days=6)):
        report = run_day(DUE + dt.timedelta(days=6))
    assert report.created
    assert len(mail.outbox) == 2  # Relance 1 was not sent a second time
    assert DunningAction.objects.filter(invoice=invoice, step_name="Relance 1").count() == 1
