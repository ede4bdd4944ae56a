"""The simulator: deterministic days on the demo company, and the figures it reports."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from encaisse.collab.models import Activity, Task, TaskKind, TaskStatus
from encaisse.demo.behaviours import Behaviour
from encaisse.demo.generator import customer_histories
from encaisse.demo.history import load_with_history
from encaisse.demo.loader import load_into_database
from encaisse.demo.sim.kpis import dso_countback, ledger_kpis
from encaisse.demo.sim.ledger import task_key
from encaisse.demo.sim.reactions import call_outcome, is_contested
from encaisse.demo.sim.world import behaviour_of
from encaisse.demo.simulator import DayReport, SimulationRefused, simulate
from encaisse.dunning.delivery.prepare import EMAIL_CHANNELS
from encaisse.dunning.models import (
    ActionStatus,
    AttemptOutcome,
    DeliveryAttempt,
    DunningAction,
    DunningMessage,
    DunningRun,
    Hold,
    MessageState,
)
from encaisse.ledger.models import Customer, Invoice, InvoiceSource, Payment
from encaisse.ledger.services import allocation_create, payment_record
from encaisse.resolution.models import DisputeLine, Extension, Promise, PromiseStatus
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db

# Far from the wall clock on purpose: a record stamped with the real time stands out.
SIM_TODAY = dt.date(2026, 3, 31)
ONE_DAY = dt.timedelta(days=1)


def fingerprint(days: list[DayReport]) -> list[tuple[object, ...]]:
    return [
        (
            d.day, d.issued, d.invoiced, d.payments, d.collected, d.credit_notes,
            dict(d.contacts), d.sent, d.staff.approved, d.staff.skipped, d.staff.tasks_done,
            d.staff.promises, d.staff.disputes, d.staff.handovers, d.kpis,
        )
        for d in days
    ]  # fmt: skip


def replayed(seed: int, *, history_days: int = 20) -> list[tuple[object, ...]]:
    """Load and replay inside a savepoint that is rolled back: the next replay starts afresh
    (with other primary keys on PostgreSQL, whose sequences do not roll back)."""
    with transaction.atomic():
        _result, days = load_with_history(
            invoices=300, seed=seed, today=SIM_TODAY, history_days=history_days
        )
        transaction.set_rollback(True)
    return fingerprint(days)


def test_same_seed_same_days_other_seed_other_days() -> None:
    first, again, other = replayed(7), replayed(7), replayed(8)
    assert first == again
    assert first != other
    assert sum(row[7] for row in first) > 0  # messages were sent


def test_replaying_in_two_runs_gives_the_days_of_one_run() -> None:
    with transaction.atomic():
        load_into_database(invoices=200, seed=4, today=SIM_TODAY)
        whole = fingerprint(simulate(days=8))
        transaction.set_rollback(True)
    with transaction.atomic():
        load_into_database(invoices=200, seed=4, today=SIM_TODAY)
        halves = fingerprint(simulate(days=4) + simulate(days=4))
        transaction.set_rollback(True)
    assert whole == halves


def test_the_simulator_re_derives_each_demo_customers_behaviour_from_its_key() -> None:
    load_into_database(invoices=500, seed=9, today=SIM_TODAY)
    generated = {
        h.customer.key: h.customer.behaviour
        for h in customer_histories(invoices=500, seed=9, today=SIM_TODAY)
    }
    derived = {c.external_key: behaviour_of(9, c) for c in Customer.objects.all()}
    assert derived == generated
    assert set(derived.values()) == set(Behaviour)


def test_prompt_payers_pay_about_on_time_and_defaulters_never_pay() -> None:
    start = SIM_TODAY - dt.timedelta(days=29)
    load_with_history(invoices=400, seed=11, today=SIM_TODAY, history_days=30)
    behaviours = {c.pk: behaviour_of(11, c) for c in Customer.objects.all()}
    prompt = [pk for pk, b in behaviours.items() if b is Behaviour.PROMPT]
    defaulters = [pk for pk, b in behaviours.items() if b is Behaviour.DEFAULTER]
    # Due well inside the replay, so that the whole payment window (−10 … +5 days) was replayed.
    due_inside = (
        Invoice.objects.filter(
            customer_id__in=prompt,
            due_date__gte=start + dt.timedelta(days=10),
            due_date__lte=SIM_TODAY - dt.timedelta(days=5),
        )
        .exclude(allocations__credit_note__isnull=False)
        .distinct()
    )
    assert due_inside.count() >= 5
    for invoice in due_inside:
        assert invoice.paid_on is not None, invoice.number
        assert -10 <= (invoice.paid_on - invoice.due_date).days <= 5, invoice.number
    assert defaulters
    assert not Payment.objects.filter(customer_id__in=defaulters, date__gte=start).exists()
    assert Invoice.objects.filter(
        customer_id__in=defaulters, balance__gt=0, due_date__lt=start
    ).exists()


def test_a_kept_promise_is_paid_by_its_day_and_a_dispute_blocks_only_its_invoice() -> None:
    seed = 13  # a seed whose month has kept promises and disputes
    load_with_history(invoices=500, seed=seed, today=SIM_TODAY, history_days=30)
    kept = 0
    calls = Task.objects.filter(
        status=TaskStatus.DONE, kind__in=(TaskKind.CALL_CORDIAL, TaskKind.CALL_FORMAL)
    ).select_related("customer")
    for task in calls:
        assert task.customer is not None and task.completed_at is not None
        behaviour = behaviour_of(seed, task.customer)
        invoices = list(task.invoices.all())
        contested = any(is_contested(seed, i.number, behaviour) for i in invoices)
        outcome = call_outcome(
            seed, task_key(task.customer.external_key, task.due_on, task.kind), behaviour, contested
        )
        called_on = timezone.localdate(task.completed_at)
        if outcome.kind == "promise":
            # A promise to pay recorded (or one was open already), or the due date moved.
            assert (
                Promise.objects.filter(
                    customer=task.customer, made_on__lte=called_on, grace_until__gte=called_on
                ).exists()
                or Extension.objects.filter(invoice__in=invoices).exists()
            )
        if outcome.pays_in is not None and called_on + dt.timedelta(outcome.pays_in) <= SIM_TODAY:
            for invoice in invoices:
                assert invoice.paid_on is not None
                assert invoice.paid_on <= called_on + dt.timedelta(days=outcome.pays_in)
            kept += 1
    assert kept >= 1
    settled = set(Promise.objects.values_list("status", flat=True))
    assert {PromiseStatus.KEPT, PromiseStatus.BROKEN} <= settled
    disputes = Hold.objects.filter(reason="dispute")
    assert disputes.exists()
    for hold in disputes:
        assert hold.invoice is not None
        assert is_contested(seed, hold.invoice.number, behaviour_of(seed, hold.customer))
        # Each one placed by a dispute of the resolution app, with its reason.
        assert DisputeLine.objects.filter(hold=hold, invoice=hold.invoice).exists()


def test_over_thirty_days_each_step_happens_once_per_invoice_and_each_email_goes_once() -> None:
    load_with_history(invoices=400, seed=5, today=SIM_TODAY, history_days=30)
    twice = (
        DunningAction.objects.filter(step__isnull=False)
        .values("invoice_id", "step_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not twice.exists()
    assert DunningAction.objects.values("step_id").distinct().count() >= 5
    keys = list(DunningMessage.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    sent = DunningMessage.objects.filter(state=MessageState.SENT, channel__in=EMAIL_CHANNELS)
    assert sent.count() >= 20
    emailed = [email.extra_headers["Message-ID"] for email in mail.outbox]
    assert sorted(emailed) == sorted(m.message_id_header for m in sent)
    for message in sent:
        outcomes = list(message.deliveries.values_list("outcome", flat=True))
        assert outcomes.count(AttemptOutcome.SENT) == 1
    # A payment of the morning is in the ledger before the run: no reminder chases a paid invoice.
    reminded = DunningAction.objects.filter(
        status=ActionStatus.DONE, message__state=MessageState.SENT
    ).select_related("invoice", "message")
    for action in reminded:
        assert action.message is not None and action.message.sent_at is not None
        sent_on = timezone.localdate(action.message.sent_at)
        assert action.invoice.paid_on is None or action.invoice.paid_on > sent_on


@time_machine.travel(dt.datetime(2031, 1, 1, 12, 0, tzinfo=dt.UTC), tick=False)
def test_the_history_is_dated_on_the_simulated_days() -> None:
    ledger_day = SIM_TODAY - dt.timedelta(days=15)
    load_with_history(invoices=300, seed=3, today=SIM_TODAY, history_days=15)

    def day_of(moment: dt.datetime | None) -> dt.date:
        assert moment is not None
        return timezone.localdate(moment)

    days = {day_of(a.created_at) for a in Activity.objects.all()}
    assert min(days) == ledger_day and max(days) == SIM_TODAY
    assert len(days) >= 10
    for run in DunningRun.objects.all():
        assert day_of(run.started_at) == run.run_on
    attempts = DeliveryAttempt.objects.select_related("message")
    assert attempts.exists()
    for attempt in attempts:
        automatic = attempt.message.reviewed_by_id is None
        lag = (day_of(attempt.at) - attempt.message.decided_on).days
        assert lag == 0 if automatic else lag in (0, 1)
    for task in Task.objects.exclude(source_key=None):
        assert day_of(task.created_at) <= SIM_TODAY
        if task.status == TaskStatus.DONE:
            assert task.due_on <= day_of(task.completed_at) <= SIM_TODAY
    for hold in Hold.objects.all():
        assert day_of(hold.created_at) == hold.starts_on
    issued = Invoice.objects.filter(issue_date__gt=ledger_day)
    assert issued.exists()
    for invoice in issued:
        assert day_of(invoice.created_at) == invoice.issue_date
    for payment in Payment.objects.filter(date__gt=ledger_day):
        assert day_of(payment.created_at) == payment.date


def test_the_simulator_refuses_to_go_back_in_time() -> None:
    load_with_history(invoices=200, seed=1, today=SIM_TODAY, history_days=3)
    for start in (SIM_TODAY, SIM_TODAY - dt.timedelta(days=10)):
        with pytest.raises(SimulationRefused):
            simulate(days=1, start=start)
    assert [r.day for r in simulate(days=2)] == [SIM_TODAY + ONE_DAY, SIM_TODAY + 2 * ONE_DAY]


def test_the_simulator_only_replays_the_demo_company(bobs_customer: Customer) -> None:
    make_invoice(bobs_customer)
    with pytest.raises(SimulationRefused):
        simulate(days=1)
    assert not DunningRun.objects.exists()


@pytest.mark.parametrize(
    ("receivables", "periods", "days"),
    [
        ("1500", [(15, "1000"), (31, "1000")], "30.5"),  # half of the second month
        ("1000", [(30, "1000"), (31, "500")], "30.0"),  # exactly one month
        ("0", [(30, "1000")], "0.0"),
        ("500", [(10, "0"), (31, "1000")], "25.5"),  # a month without sales counts whole
        ("5000", [(30, "1000"), (31, "1000")], "61.0"),  # more owed than ever sold: every day
    ],
)
def test_dso_countback(receivables: str, periods: list[tuple[int, str]], days: str) -> None:
    given = [(length, Decimal(revenue)) for length, revenue in periods]
    assert dso_countback(Decimal(receivables), given) == Decimal(days)


def test_ledger_kpis_on_a_hand_computed_ledger() -> None:
    customer = make_customer(None)
    make_invoice(customer, "1200.00", issue=dt.date(2026, 1, 15), due=dt.date(2026, 2, 14))
    part = make_invoice(customer, "600.00", issue=dt.date(2026, 2, 10), due=dt.date(2026, 3, 12))
    paid = make_invoice(customer, "500.00", issue=dt.date(2026, 2, 20), due=dt.date(2026, 3, 1))
    make_invoice(customer, "300.00", issue=dt.date(2026, 3, 5), due=dt.date(2026, 4, 4))
    make_invoice(customer, "999.00", issue=dt.date(2026, 3, 12), due=dt.date(2026, 4, 11))
    payment = payment_record(
        actor=None,
        customer=customer,
        amount=Decimal("700.00"),
        date=dt.date(2026, 3, 2),
        external_key="P1",
        strategy=None,
    )
    allocation_create(actor=None, invoice=part, amount=Decimal("200.00"), payment=payment)
    allocation_create(actor=None, invoice=paid, amount=Decimal("500.00"), payment=payment)

    kpis = ledger_kpis(dt.date(2026, 3, 10))

    # Open on 10 March: 1200 + (600 − 200) + 300; the invoice of 12 March is not issued yet.
    assert kpis.receivables == Decimal("1900.00")
    assert kpis.overdue == Decimal("1200.00")  # only the one due on 14 February
    # March to date sold 300 (10 days), February 1100 (28 days), January 1200 (31 days):
    # 1900 − 300 − 1100 = 500 left, 500 / 1200 of January's 31 days.
    assert kpis.dso == Decimal("50.9")


def run(command: str, *args: str, language: str = "en") -> str:
    """The command's output in `language` (the product speaks French by default)."""
    out = StringIO()
    call_command(command, *args, "--language", language, stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue()


def test_simulate_prints_weekly_figures_and_writes_each_email_to_the_sink(tmp_path: Path) -> None:
    load_into_database(invoices=300, seed=2, today=SIM_TODAY)
    output = run("simulate", "--days", "10", "--weekly", "--sink", str(tmp_path))
    assert "04-01→04-07" in output and "04-08→04-10" in output
    for header in ("J−5", "J+3", "J+45", "DSO", "Overdue €"):
        assert header in output
    assert "10 days:" in output
    emails = DunningMessage.objects.filter(state=MessageState.SENT, channel__in=EMAIL_CHANNELS)
    assert emails.exists()
    # The file backend may append two emails to one file: count the Message-IDs written.
    written = [
        line.split(":", 1)[1].strip()
        for path in tmp_path.glob("*.log")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("Message-ID: ")
    ]
    assert sorted(written) == sorted(m.message_id_header for m in emails)
    assert DunningRun.objects.count() == 10
    with pytest.raises(CommandError):
        run("simulate", "--days", "1", "--start", SIM_TODAY.isoformat())
    # One more day, in French: the singular, French numbers.
    french = run("simulate", "--days", "1", "--sink", "memory", language="fr")
    assert re.search(r"\n1 jour\u00a0: \d+ factures? émises?, \d+ paiements?, ", french), french
    assert re.search(r"DSO \d+,\d → \d+,\d jours?\.", french), french


def test_demo_if_empty_loads_sixty_days_of_dunning_history() -> None:
    output = run(
        "demo", "--invoices", "200", "--today", SIM_TODAY.isoformat(), "--if-empty", language="fr"
    )
    assert "du 2026-01-31 au 2026-03-31" in output
    runs = list(DunningRun.objects.order_by("run_on").values_list("run_on", flat=True))
    assert len(runs) == 60 and runs[-1] == SIM_TODAY
    assert Invoice.objects.filter(source=InvoiceSource.DEMO).count() > 200
    with pytest.raises(CommandError):
        run("demo", "--history-days", "5", "--csv", "/tmp/unused")
