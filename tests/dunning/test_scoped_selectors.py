"""The selectors the REST API reads through, scoped like the web pages: bob sees his
portfolio, dave (leading bob's team) sees bob's too, carol only hers, alice all."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.collab.models import Task, TaskKind, TaskQueue, TaskResult, TaskStatus
from encaisse.collab.selectors import tasks_of, tasks_visible_to
from encaisse.collab.services import task_complete, task_create
from encaisse.collab.timeline import timeline_of_customer, timeline_of_invoice
from encaisse.dunning.models import DeliveryAttempt, Hold, HoldReason
from encaisse.dunning.selectors import holds_visible_to, messages_of_customer
from encaisse.dunning.services.holds import hold_place, hold_release
from encaisse.ledger.models import Customer, Invoice
from encaisse.lib.errors import Conflict, ValidationFailed
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


@pytest.fixture
def world(alice: User, bob: User, carol: User, dave: User) -> dict[str, object]:
    bobs = remindable_customer(bob, "Boulangerie Bob", email="compta@bob.test")
    carols = remindable_customer(carol, "Carrosserie Carol", email="compta@carol.test")
    invoices = {"bob": invoice_due(bobs, DUE), "carol": invoice_due(carols, DUE)}
    with time_machine.travel(dt.date(2026, 3, 5), tick=False):
        run_day(dt.date(2026, 3, 5))  # a reminder each, with its delivery attempt
    holds = {
        "bob": hold_place(actor=bob, customer=bobs, reason=HoldReason.DISPUTE,
                          invoice=invoices["bob"]),
        "carol": hold_place(actor=carol, customer=carols, reason=HoldReason.OTHER),
    }  # fmt: skip
    tasks = {
        "bob": task_create(actor=None, kind=TaskKind.CALL_CORDIAL, title="Appeler",
                           due_on=DUE, customer_id=bobs.pk, assignee=bob),
        "carol": task_create(actor=None, kind=TaskKind.CALL_CORDIAL, title="Appeler",
                             due_on=DUE, customer_id=carols.pk, assignee=carol),
        "finance": task_create(actor=None, kind=TaskKind.LEDGER_STALE, title="Importer",
                               due_on=DUE),
    }  # fmt: skip
    return {"customers": {"bob": bobs, "carol": carols}, "invoices": invoices,
            "holds": holds, "tasks": tasks}  # fmt: skip


SEES = {
    "alice": {"bob", "carol"},
    "bob": {"bob"},
    "carol": {"carol"},
    "dave": {"bob"},
}


@pytest.mark.parametrize("viewer", sorted(SEES))
def test_holds_are_scoped_to_the_portfolio(
    world: dict, everyone: dict[str, User], viewer: str
) -> None:
    seen = set(holds_visible_to(everyone[viewer]).values_list("pk", flat=True))
    assert seen == {world["holds"][owner].pk for owner in SEES[viewer]}


@pytest.mark.parametrize("viewer", sorted(SEES))
def test_tasks_are_scoped_to_the_portfolio(
    world: dict, everyone: dict[str, User], viewer: str
) -> None:
    seen = set(tasks_visible_to(everyone[viewer]).values_list("pk", flat=True))
    expected = {world["tasks"][owner].pk for owner in SEES[viewer]}
    if viewer == "alice":
        expected.add(world["tasks"]["finance"].pk)  # about no customer: finance's
    assert seen == expected


def test_my_tasks_are_mine_or_the_finance_queue(world: dict, alice: User, bob: User,
                                                dave: User) -> None:  # fmt: skip
    assert list(tasks_of(bob)) == [world["tasks"]["bob"]]
    assert list(tasks_of(dave)) == []  # dave sees bob's task, but it is not his
    finance = set(tasks_of(alice))
    assert world["tasks"]["finance"] in finance and world["tasks"]["bob"] not in finance
    assert all(t.queue == TaskQueue.FINANCE for t in finance)


@pytest.mark.parametrize("viewer", sorted(SEES))
def test_messages_of_a_customer_come_with_their_attempts_and_are_scoped(
    world: dict, everyone: dict[str, User], viewer: str
) -> None:
    for owner, customer in world["customers"].items():
        rows = messages_of_customer(everyone[viewer], customer)
        if owner in SEES[viewer]:
            assert len(rows) == 1
            row = rows[0]
            assert [line.number for line in row.invoices] == [world["invoices"][owner].number]
            assert row.attempts == list(DeliveryAttempt.objects.filter(message=row.message))
            assert len(row.attempts) == 1
        else:
            assert rows == []


@pytest.mark.parametrize("viewer", sorted(SEES))
def test_a_timeline_never_shows_another_portfolio(
    world: dict, everyone: dict[str, User], viewer: str
) -> None:
    for owner in ("bob", "carol"):
        customer: Customer = world["customers"][owner]
        invoice: Invoice = world["invoices"][owner]
        by_customer = timeline_of_customer(everyone[viewer], customer.pk)
        by_invoice = timeline_of_invoice(everyone[viewer], invoice.pk)
        if owner in SEES[viewer]:
            assert {e.customer_id for e in by_customer} == {customer.pk}
            assert {e.invoice_id for e in by_invoice} == {invoice.pk}
            verbs = [e.verb for e in by_invoice]
            assert "dunning.hold.placed" in verbs or owner == "carol"
        else:
            assert by_customer == [] and by_invoice == []


def test_timeline_entries_are_latest_first_with_the_actor_named(world: dict, bob: User) -> None:
    entries = timeline_of_customer(bob, world["customers"]["bob"].pk)
    assert entries == sorted(entries, key=lambda e: (e.created_at, e.id), reverse=True)
    placed = next(e for e in entries if e.verb == "dunning.hold.placed")
    assert placed.actor_id == bob.pk and placed.actor_name == str(bob)
    assert placed.invoice_number == world["invoices"]["bob"].number


def test_a_hold_released_twice_is_a_conflict(world: dict, alice: User) -> None:
    hold: Hold = world["holds"]["bob"]
    released = hold_release(actor=alice, hold=hold)
    assert released.released_on is not None and released.updated_at >= hold.created_at
    with pytest.raises(Conflict):
        hold_release(actor=alice, hold=hold)


def test_a_hold_lists_its_bad_fields(world: dict, alice: User) -> None:
    with pytest.raises(ValidationFailed) as failed:
        hold_place(
            actor=alice,
            customer=world["customers"]["carol"],
            invoice=world["invoices"]["bob"],
            reason="holiday",
            starts_on=DUE,
            ends_on=DUE - dt.timedelta(days=1),
        )
    assert set(failed.value.errors) == {"reason", "invoice", "ends_on"}


def test_a_task_is_completed_once_with_a_known_result(world: dict, bob: User) -> None:
    task: Task = world["tasks"]["bob"]
    with pytest.raises(ValidationFailed) as failed:
        task_complete(task=task, actor=bob, result="maybe", outcome="x" * 3000)
    assert set(failed.value.errors) == {"result", "outcome"}
    done = task_complete(task=task, actor=bob, result=TaskResult.REACHED, outcome="Paiera vendredi")
    assert (done.status, done.result, done.completed_by) == (TaskStatus.DONE, "reached", bob)
    assert done.updated_at == done.completed_at
    with pytest.raises(Conflict):
        task_complete(task=task, actor=bob)


def test_a_timeline_pages_back_by_cursor_without_losing_ties(world: dict, bob: User) -> None:
    customer_id = world["customers"]["bob"].pk
    everything = timeline_of_customer(bob, customer_id)
    pages, before = [], None
    while True:
        page = timeline_of_customer(bob, customer_id, limit=2, before=before)
        if not page:
            break
        pages.extend(page)
        before = page[-1].cursor
    assert pages == everything and len(everything) > 2
