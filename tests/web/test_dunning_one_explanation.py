"""One explanation (issue 7): the invoice panel, the customer page, the preview and
"send a reminder now" read the same decision, so they never contradict each other."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from encaisse.accounts.models import User
from encaisse.dunning.models import DunningMessage, InvoiceDunning
from encaisse.dunning.services.holds import hold_place
from encaisse.dunning.services.preview import dunning_preview
from encaisse.ledger.services import payment_record
from tests.dunning.conftest import invoice_due, remindable_customer, run_day
from tests.web.conftest import TODAY

pytestmark = pytest.mark.usefixtures("frozen_today")


def section(page: str, ident: str) -> str:
    start = page.index(f'id="{ident}"')
    return page[start : page.index("</section>", start)]


def field(panel: str, ident: str) -> str:
    start = panel.index(f'id="{ident}"')
    return panel[start : panel.index("</dd>", start)]


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_a_disputed_invoice_shows_no_dated_next_step(client: Client, bob: User) -> None:
    """The run put the formal call next (J+25); a dispute with an end date came
    since. The panel says what the hold waits for, like the preview, which leaves
    the invoice out; it used to show "Appel formel (finance) le 20/03"."""
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, days(-20))
    run_day(days(-2))  # J+18: the courtesy call (J+15), next the formal call on J+25
    hold_place(actor=None, customer=customer, reason="dispute", invoice=invoice, ends_on=days(30))
    client.force_login(bob)
    panel = section(client.get(f"/invoices/{invoice.pk}/").content.decode(), "dunning-panel")
    following = field(panel, "dunning-next")
    assert "Appel formel" not in following and "20/03/2026" not in following
    assert "Aucune avant la fin du blocage, le 14/04/2026" in following
    assert "step-next" not in panel
    why = field(panel, "dunning-why")
    assert "Bloquée (Litige)" in why and "14/04/2026" in why
    preview = dunning_preview(on=days(5))
    assert all(d.facts.invoice_id != invoice.pk for g in preview.groups for d in g.decisions)


def test_send_now_lists_what_it_leaves_out_before_and_after(client: Client, bob: User) -> None:
    customer = remindable_customer(bob)
    disputed = invoice_due(customer, days(-10))
    chased = invoice_due(customer, days(-8), "250.00")
    hold_place(actor=None, customer=customer, reason="dispute", invoice=disputed)
    client.force_login(bob)
    url = f"/customers/{customer.pk}/remind/"
    page = client.get(url).content.decode()
    row = page[page.index(f'value="{disputed.pk}"') :]
    assert "sera écartée\u00a0: Litige" in row[: row.index("</li>")]
    checked = page[page.index(f'value="{disputed.pk}"') - 80 : page.index(f'value="{disputed.pk}"')]
    assert "checked" not in checked  # only what goes out is ticked
    response = client.post(
        url,
        {"invoices": [disputed.pk, chased.pk], "template_code": "manual"},
        follow=True,
    )
    after = response.content.decode()
    assert f"Écartée de la relance\u00a0: {disputed.number} (Litige)" in after
    message = DunningMessage.objects.get(customer=customer)
    assert [a.invoice_id for a in message.actions.all()] == [chased.pk]


def test_an_invoice_paid_after_its_last_step_reads_settled(client: Client, bob: User) -> None:
    """The escalation is the plan's last step: the run never reads the invoice by
    date again. Once it is paid the panel, from today's decision, says it is
    settled, and the next run marks its stored state settled (it used to keep
    saying "escalated" for good)."""
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, days(-60), "300.00")
    run_day(days(-1))
    payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("300.00"),
        date=TODAY,
        external_key="PAID-LATE",
    )
    client.force_login(bob)
    panel = section(client.get(f"/invoices/{invoice.pk}/").content.decode(), "dunning-panel")
    assert "Soldée" in field(panel, "dunning-why")
    assert InvoiceDunning.objects.get(invoice=invoice).reason == "escalated"
    # The next run, which does not read it by date, marks its stored state settled too.
    report = run_day(days(1))
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert (state.reason, state.next_action_on, report.settled_since) == ("settled", None, 1)


def test_past_steps_of_a_long_overdue_invoice_are_not_upcoming(client: Client, bob: User) -> None:
    """Imported 40 days late, never run: the steps whose date has passed are
    passed over by the catch-up, the latest one is next today; none is "À venir"."""
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, days(-40))
    client.force_login(bob)
    panel = section(client.get(f"/invoices/{invoice.pk}/").content.decode(), "dunning-panel")
    steps = panel[panel.index('id="dunning-steps"') :]
    past_lines = [line for line in steps.split("<li")[1:] if 'step-line step-upcoming"' in line]
    for line in past_lines:  # only the agency handover (J+45) is still in the future
        assert "25/04/2026" in line or "30/04/2026" in line, line
    assert steps.count('class="step-line step-will_skip"') == 5  # J−5 … J+25 passed over
    assert "Mise en demeure" in field(panel, "dunning-why")


def test_the_customer_page_shows_each_invoice_next_step_from_the_same_decision(
    client: Client, bob: User
) -> None:
    customer = remindable_customer(bob)
    disputed = invoice_due(customer, days(-10))
    covered = invoice_due(customer, days(-30), "120.00")
    payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("120.00"),
        date=days(-2),
        external_key="ON-ACCOUNT",
        strategy=None,
    )
    hold_place(actor=None, customer=customer, reason="dispute", invoice=disputed)
    client.force_login(bob)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    rows = {invoice.number: page[page.index(invoice.number) :] for invoice in (disputed, covered)}
    assert "bloquée\u00a0: Litige" in rows[disputed.number][:600]
    assert "couverte par un encaissement non lettré" in rows[covered.number][:600]
