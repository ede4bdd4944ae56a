"""Go-live and the first run (issue 7): nothing goes out before finance has seen
what the first run would do and confirmed it, invoices due before go-live are
chased no further than the chosen policy, and a catch-up never sends a formal
notice or an agency handover without review."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import (
    BacklogMode,
    DunningAction,
    DunningMessage,
    DunningRun,
    DunningSettings,
    DunningStep,
    InvoiceDunning,
    MessageState,
    StepMode,
)
from encaisse.dunning.scheduling import run_due
from encaisse.dunning.services.go_live import FirstRunNotConfirmed, go_live_set
from encaisse.dunning.services.run import dunning_run
from tests.dunning.conftest import invoice_due, messages_to, remindable_customer, run_day

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def not_confirmed() -> None:
    """A fresh deployment: the conftest confirms the first run for every other test."""
    DunningSettings.objects.filter(pk=1).update(first_run_confirmed_at=None)


def test_before_confirmation_nothing_runs(not_confirmed: None, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, days_ago(40))
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0)):
        with pytest.raises(FirstRunNotConfirmed):
            dunning_run(run_on=TODAY)
        assert run_due() is None  # the scheduler does not start it either
        with pytest.raises(CommandError, match="attend une confirmation"):
            call_command("dunning", "run", stdout=StringIO())
    assert not DunningRun.objects.exists()
    assert not DunningMessage.objects.exists()


def test_confirming_records_the_policy_and_lets_the_run_start(
    not_confirmed: None, alice: User, bob: User
) -> None:
    remindable_customer(bob)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0)):
        go_live_set(actor=alice, go_live_on=TODAY, mode=BacklogMode.HOLD, ceiling_offset=None)
        assert run_due() == TODAY
    policy = DunningSettings.current()
    assert policy.first_run_confirmed_by == alice and policy.go_live_on == TODAY
    assert Activity.objects.filter(verb="dunning.first_run.confirmed").count() == 1


def test_hold_policy_leaves_the_backlog_alone_and_chases_new_invoices(
    alice: User, bob: User
) -> None:
    go_live_set(actor=alice, go_live_on=TODAY, mode=BacklogMode.HOLD, ceiling_offset=None)
    customer = remindable_customer(bob)
    old = invoice_due(customer, days_ago(300))
    new = invoice_due(customer, TODAY + dt.timedelta(days=5))  # preventive reminder today
    with time_machine.travel(TODAY):
        run_day(TODAY)
    assert not DunningAction.objects.filter(invoice=old).exists()
    state = InvoiceDunning.objects.get(invoice=old)
    assert (state.reason, state.next_action_on) == ("go_live_held", None)
    assert DunningAction.objects.get(invoice=new).step.offset_days == -5


def test_up_to_a_step_never_goes_beyond_it(alice: User, bob: User) -> None:
    """A 300-day-old invoice gets the first reminder (J+3), not a formal notice or an
    agency handover, and stays there; the earlier steps are recorded as caught up."""
    go_live_set(actor=alice, go_live_on=TODAY, mode=BacklogMode.UP_TO, ceiling_offset=3)
    customer = remindable_customer(bob)
    old = invoice_due(customer, days_ago(300))
    with time_machine.travel(TODAY):
        run_day(TODAY)
    action = DunningAction.objects.get(invoice=old)
    assert action.step.offset_days == 3 and action.status == "done"
    assert InvoiceDunning.objects.get(invoice=old).reason == "go_live_held"
    with time_machine.travel(TODAY + dt.timedelta(days=60)):
        run_day(TODAY + dt.timedelta(days=60))
    assert DunningAction.objects.filter(invoice=old).count() == 1
    assert len(mail.outbox) == 1


def test_a_new_policy_wakes_the_held_backlog(alice: User, bob: User) -> None:
    go_live_set(actor=alice, go_live_on=TODAY, mode=BacklogMode.HOLD, ceiling_offset=None)
    customer = remindable_customer(bob)
    old = invoice_due(customer, days_ago(12))
    with time_machine.travel(TODAY):
        run_day(TODAY)
        go_live_set(actor=alice, go_live_on=TODAY, mode=BacklogMode.UP_TO, ceiling_offset=10)
    tomorrow = TODAY + dt.timedelta(days=1)
    with time_machine.travel(tomorrow):
        run_day(tomorrow)
    assert DunningAction.objects.get(invoice=old).step.offset_days == 10


def test_a_catch_up_never_sends_a_formal_notice_without_review(alice: User, bob: User) -> None:
    """Even when finance made the formal notice automatic, reaching it by a
    catch-up (earlier steps passed over at once) puts it in the review queue."""
    DunningStep.objects.filter(action__in=["formal_notice", "escalate"]).update(
        mode=StepMode.AUTOMATIC
    )
    go_live_set(actor=alice, go_live_on=TODAY, mode=BacklogMode.FULL, ceiling_offset=None)
    customer = remindable_customer(bob)
    invoice_due(customer, days_ago(35), "2000.00")  # J+35: formal notice is the latest step
    with time_machine.travel(TODAY):
        run_day(TODAY)
    (message,) = messages_to(customer)
    assert message.channel == "formal_notice" and message.state == MessageState.TO_REVIEW
    assert mail.outbox == []


def test_a_formal_notice_reached_in_its_turn_follows_its_mode(alice: User, bob: User) -> None:
    """No catch-up, invoice due after go-live: the automatic formal notice goes out."""
    DunningStep.objects.filter(action="formal_notice").update(mode=StepMode.AUTOMATIC)
    go_live_set(actor=alice, go_live_on=TODAY, mode=BacklogMode.FULL, ceiling_offset=None)
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, TODAY + dt.timedelta(days=1), "2000.00")
    InvoiceDunning.objects.create(invoice=invoice, last_offset=25, next_action_on=None)
    notice_day = TODAY + dt.timedelta(days=31)
    InvoiceDunning.objects.filter(invoice=invoice).update(next_action_on=notice_day)
    with time_machine.travel(notice_day):
        run_day(notice_day)
    (message,) = messages_to(customer)
    assert message.channel == "formal_notice" and message.state == MessageState.SENT


def test_the_first_run_screen_shows_the_outline_and_confirms(
    not_confirmed: None, client: Client, alice: User, bob: User
) -> None:
    customer = remindable_customer(bob, "Ancien Client")
    invoice_due(customer, days_ago(400), "1500.00")
    invoice_due(customer, TODAY + dt.timedelta(days=5), "300.00")  # preventive today
    client.force_login(alice)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0)):
        today_page = client.get("/dunning/").content.decode()
        assert 'id="first-run-banner"' in today_page
        page = client.get("/dunning/first-run/").content.decode()
        # Default choice: go-live today, never beyond the first reminder.
        assert "Relance 1" in page and "Ancien Client" in page
        summary = page[page.index('id="outline-summary"') :]
        summary = summary[: summary.index("</p>")]
        assert "2 factures traitées, 1\u202f800,00\u00a0€ relancés" in summary
        held = client.get(
            "/dunning/first-run/",
            {"go_live_on": "2026-03-02", "mode": "hold"},
            HTTP_HX_REQUEST="true",
        ).content.decode()
        assert "1 facture traitée, 300,00\u00a0€ relancés" in held
        assert "1 facture échue avant le démarrage retenue par la règle (1\u202f500,00" in held
        response = client.post(
            "/dunning/first-run/",
            {"go_live_on": "2026-03-02", "mode": "up_to", "ceiling_offset": "3"},
        )
    assert response.status_code == 302
    policy = DunningSettings.current()
    assert policy.first_run_confirmed and policy.backlog_ceiling_offset == 3
    assert not DunningMessage.objects.exists()  # the preview wrote nothing


def test_the_demo_company_needs_no_confirmation(not_confirmed: None) -> None:
    from encaisse.demo.loader import load_into_database

    load_into_database(invoices=100, today=TODAY)
    assert DunningSettings.current().first_run_confirmed
