"""The dunning panels of the invoice and customer pages, from real runs of the engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from encaisse.dunning.models import CustomerDunning, DunningMessage, DunningPlan
from encaisse.dunning.selectors import customer_plan
from encaisse.dunning.services.holds import promise_hold
from encaisse.dunning.services.plan_edit import plan_create
from encaisse.dunning.services.plans import plan_book_load
from tests.conftest import make_customer
from tests.dunning.conftest import invoice_due, remindable_customer, run_day
from tests.web.conftest import TODAY, Portfolio
from tests.web.dunning_samples import message_for

pytestmark = pytest.mark.usefixtures("frozen_today")


def section(page: str, ident: str) -> str:
    start = page.index(f'id="{ident}"')
    return page[start : page.index("</section>", start)]


def test_the_invoice_page_explains_each_step_and_what_comes_next(
    client: Client, bob: User, bobs: Portfolio
) -> None:
    run_day(TODAY)  # 34 days late: catch-up to the formal notice, which waits for review
    message = DunningMessage.objects.get(customer=bobs.customer)
    client.force_login(bob)
    panel = section(client.get(f"/invoices/{bobs.invoice.pk}/").content.decode(), "dunning-panel")
    assert "Plan standard" in panel
    steps = panel[panel.index('id="dunning-steps"') :]
    assert steps.count("step-line step-skipped") == 5
    assert steps.count("step-line step-to_review") == 1
    assert "step-line step-next" in steps and "26/03/2026" in steps  # J+45, the handover
    following = panel[panel.index('id="dunning-next"') :]
    assert "Transmission au recouvrement" in following[: following.index("</dd>")]
    assert f"/dunning/messages/{message.pk}/" in panel  # the history links the message


def test_a_promise_shows_as_an_active_hold_and_as_the_reason_after_the_run(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    promise_hold(actor=alice, customer=bobs.customer, promised_on=TODAY + dt.timedelta(days=5))
    run_day(TODAY)
    client.force_login(alice)
    panel = section(client.get(f"/invoices/{bobs.invoice.pk}/").content.decode(), "dunning-panel")
    assert "23/03/2026" in panel  # promised date + 3 grace days
    why = panel[panel.index('id="dunning-why"') :]
    assert "23/03/2026" in why[: why.index("</dd>")]
    assert "badge-warning" in panel
    assert not DunningMessage.objects.exists()


def test_the_customer_page_lists_its_reminders_and_who_overrode_the_gap(
    client: Client, alice: User, bob: User, bobs: Portfolio
) -> None:
    overridden = message_for(bobs.customer, [bobs.invoice], state="pending")
    DunningMessage.objects.filter(pk=overridden.pk).update(
        created_by=alice, gap_overridden_by=alice, gap_override_reason="Appel du client"
    )
    client.force_login(bob)
    history = section(client.get(f"/customers/{bobs.customer.pk}/").content.decode(), "reminders")
    assert f"/dunning/messages/{overridden.pk}/" in history and "BOB-OVERDUE" in history
    assert "Alice" in history and "Appel du client" in history
    assert 'id="remind-now"' in history  # bob is the account manager


def test_a_sent_reminder_reads_as_a_sentence_in_the_customer_timeline(
    client: Client, bob: User
) -> None:
    customer = remindable_customer(bob, "Garage Timeline", email="compta@garage.test")
    invoice_due(customer, TODAY - dt.timedelta(days=3))
    run_day(TODAY)
    client.force_login(bob)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    timeline = page[page.index('class="timeline"') :]
    assert "Relance 1" in timeline and "compta@garage.test" in timeline


def test_finance_gives_a_customer_its_own_plan_from_its_page(
    client: Client, alice: User, dave: User, bobs: Portfolio
) -> None:
    gentle = plan_create(actor=alice, name="Plan doux")
    client.force_login(dave)
    url = f"/customers/{bobs.customer.pk}/dunning-plan/"
    assert client.post(url, {"plan": gentle.pk}).status_code == 403
    client.force_login(alice)
    assert client.post(url, {"plan": gentle.pk})["Location"] == f"/customers/{bobs.customer.pk}/"
    assert CustomerDunning.objects.get(customer=bobs.customer).plan == gentle
    panel = section(
        client.get(f"/customers/{bobs.customer.pk}/").content.decode(), "customer-dunning"
    )
    assert f"/dunning/plans/{gentle.pk}/" in panel and f'value="{gentle.pk}" selected' in panel
    client.post(url, {"plan": ""})
    assert CustomerDunning.objects.get(customer=bobs.customer).plan is None


def test_the_plan_shown_is_the_one_the_runs_apply(alice: User, bob: User) -> None:
    plan_create(actor=alice, name="B risque", risk_classes="C")
    plan_create(actor=alice, name="A risque", risk_classes="c,D")
    own = plan_create(actor=alice, name="Perso")
    customers = [make_customer(bob, risk_class=rc) for rc in ["", "A", "C", "d"]]
    CustomerDunning.objects.create(customer=customers[1], plan=own)
    book = plan_book_load()
    for customer in customers:
        expected = book.plan_for(customer.pk, customer.risk_class)
        shown = customer_plan(customer).plan
        assert expected is not None and shown is not None
        assert shown.pk == expected.id, customer.risk_class
    assert customer_plan(customers[2]).plan == DunningPlan.objects.get(name="A risque")


def test_the_customer_page_costs_the_same_with_more_reminders(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    client.force_login(alice)
    url = f"/customers/{bobs.customer.pk}/"
    message_for(bobs.customer, [bobs.invoice], state="sent", tag=":0")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(1, 6):
        message_for(bobs.customer, [bobs.invoice], state="sent", tag=f":{n}")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_an_invoice_not_yet_enrolled_says_it_waits_for_its_first_step(
    client: Client, bob: User
) -> None:
    """Due in 20 days: the run leaves it alone (the default plan starts at J-5), and
    the panel says it waits for the preventive reminder rather than "not examined"."""
    invoice = invoice_due(remindable_customer(bob), TODAY + dt.timedelta(days=20))
    run_day(TODAY)
    client.force_login(bob)
    panel = section(client.get(f"/invoices/{invoice.pk}/").content.decode(), "dunning-panel")
    why = panel[panel.index('id="dunning-why"') :]
    assert "Rappel préventif" in why[: why.index("</dd>")]
    assert "Pas encore examinée" not in panel
    following = panel[panel.index('id="dunning-next"') :]
    assert "30/03/2026" in following[: following.index("</dd>")]  # J-5


def test_an_invoice_parked_by_its_customer_status_says_until_when(
    client: Client, bob: User
) -> None:
    customer = remindable_customer(bob, status="agency")
    invoice = invoice_due(customer, TODAY - dt.timedelta(days=10))
    run_day(TODAY)
    client.force_login(bob)
    panel = section(client.get(f"/invoices/{invoice.pk}/").content.decode(), "dunning-panel")
    why = panel[panel.index('id="dunning-why"') :]
    assert "au changement de statut du client" in why[: why.index("</dd>")]
    following = panel[panel.index('id="dunning-next"') :]
    assert (
        "Aucune tant que le statut du client n’a pas changé"
        in following[: following.index("</dd>")]
    )
