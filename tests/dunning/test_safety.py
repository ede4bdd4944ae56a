"""SPEC §4.4: the freshness guard, sandboxed templates, and manual sends against the gap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.collab.models import Task, TaskKind
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import DunningMessage, MessageState
from encaisse.dunning.rendering.sandbox import (
    TemplateRefused,
    render_html,
    render_text,
    template_errors,
)
from encaisse.dunning.services.messages import GapNotElapsed, reminder_send_now
from encaisse.ledger.services import payment_record
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

DUE = dt.date(2026, 3, 2)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


@pytest.mark.django_db
def test_a_stale_ledger_holds_automatic_sends_and_alerts_finance(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    with time_machine.travel(at(-10)):  # the last data the ledger received
        payment_record(
            actor=None, customer=customer, amount=Decimal("10.00"), date=at(-10), external_key="P1"
        )
    with time_machine.travel(at(3)):  # 13 days later: older than the 72 h guard
        run_day(at(3))
    assert mail.outbox == []
    message = DunningMessage.objects.get(customer=customer)
    assert message.state == MessageState.PENDING and message.attempts == 0
    assert Task.objects.filter(kind=TaskKind.LEDGER_STALE, due_on=at(3)).count() == 1
    with time_machine.travel(dt.datetime.combine(at(3), dt.time(12))):
        # A manual reminder is a person's decision: it is not held.
        reminder_send_now(actor=alice, customer=customer, override_gap_reason="appel client")
        deliveries_process()
    assert len(mail.outbox) == 1
    with time_machine.travel(dt.datetime.combine(at(4), dt.time(12))):
        payment_record(
            actor=None, customer=customer, amount=Decimal("5.00"), date=at(4), external_key="P2"
        )
        deliveries_process()  # the ledger is fresh again: the held reminder goes out
    assert len(mail.outbox) == 2
    message.refresh_from_db()
    assert message.state == MessageState.SENT


@pytest.mark.django_db
def test_a_manual_reminder_inside_the_gap_needs_an_override_which_is_recorded(
    alice: User, bob: User
) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    with time_machine.travel(at(3)):
        run_day(at(3))
    with time_machine.travel(at(4)):
        with pytest.raises(GapNotElapsed) as refused:
            reminder_send_now(actor=alice, customer=customer)
        assert refused.value.allowed_from == at(6)
        message = reminder_send_now(
            actor=alice, customer=customer, override_gap_reason="Le client l'a demandé"
        )
        deliveries_process()
    assert message.gap_overridden_by == alice
    assert message.gap_override_reason == "Le client l'a demandé"
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    "hostile",
    [
        "{{ customer.__class__ }}",
        "{{ settings.SECRET_KEY }}",
        "{% load static %}",
        "{% include '/etc/passwd' %}",
        "{{ total_due|safe }}",
        "{{ ''.__class__.__mro__ }}",
        "{# hidden #}",
        "{{ unknown_name }}",
        "unbalanced {{ total_due",
    ],
)
def test_hostile_or_unknown_template_syntax_is_refused(hostile: str) -> None:
    assert template_errors(f"Bonjour {hostile}")
    with pytest.raises(TemplateRefused):
        render_text(hostile, {})


def test_only_documented_placeholders_render_and_values_are_escaped_in_html() -> None:
    values = {"customer_name": "<script>alert(1)</script>", "total_due": "12,00 €"}
    assert render_text("{{customer_name}} doit {{ total_due }}", values) == (
        "<script>alert(1)</script> doit 12,00 €"
    )
    html = render_html(
        "À {{ customer_name }}\n\n{{ invoices_table }}",
        values,
        {"invoices_table": "<table></table>"},
    )
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<table></table>" in html


@pytest.mark.django_db
def test_a_message_retried_by_finance_gets_a_fresh_set_of_attempts(alice: User, bob: User) -> None:
    from django.test import override_settings

    from encaisse.dunning.models import DunningSettings
    from encaisse.dunning.services.messages import message_retry

    DunningSettings.objects.update_or_create(pk=1, defaults={"max_delivery_attempts": 2})
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    nobody_listens = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=1,  # connection refused: a transient failure
        EMAIL_TIMEOUT=2,
    )
    with nobody_listens, time_machine.travel(dt.datetime.combine(at(3), dt.time(8))) as clock:
        run_day(at(3))
        clock.shift(dt.timedelta(minutes=2))
        deliveries_process()
        message = DunningMessage.objects.get(customer=customer)
        assert (message.state, message.attempts) == (MessageState.FAILED, 2)
        assert message_retry(actor=alice, message=message)
        deliveries_process()  # one more refusal: not yet at the limit again
        message.refresh_from_db()
        assert (message.state, message.attempts) == (MessageState.PENDING, 3)
        clock.shift(dt.timedelta(minutes=2))
        deliveries_process()
        message.refresh_from_db()
        assert (message.state, message.attempts) == (MessageState.FAILED, 4)
    assert [a.number for a in message.deliveries.all()] == [1, 2, 3, 4]


@pytest.mark.django_db
def test_a_manual_reminder_leaves_out_disputed_invoices_and_refuses_when_none_is_left(
    alice: User, bob: User
) -> None:
    from encaisse.dunning.models import CustomerDunning, HoldReason
    from encaisse.dunning.services.holds import hold_place

    customer = remindable_customer(bob)
    disputed = invoice_due(customer, DUE, "100.00")
    with time_machine.travel(at(5)):
        hold_place(actor=alice, customer=customer, invoice=disputed, reason=HoldReason.DISPUTE)
        with pytest.raises(ValueError):
            reminder_send_now(actor=alice, customer=customer)
        assert not CustomerDunning.objects.filter(
            customer=customer, last_contact_on__isnull=False
        ).exists()  # a refused reminder is not a contact
        chased = invoice_due(customer, DUE, "250.00")
        reminder_send_now(actor=alice, customer=customer)
        deliveries_process()
    (sent,) = mail.outbox
    assert chased.number in sent.body and disputed.number not in sent.body
