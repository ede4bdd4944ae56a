"""The staff's day in the simulation: finance reviews messages, reps and finance do their tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from encaisse.collab.models import Task, TaskKind, TaskStatus
from encaisse.collab.services import task_complete
from encaisse.demo.sim import handover
from encaisse.demo.sim.disputes import dispute_from_call
from encaisse.demo.sim.ledger import task_key
from encaisse.demo.sim.promises import record_promise
from encaisse.demo.sim.reactions import (
    call_outcome,
    completion_lag,
    is_contested,
    review_decision,
)
from encaisse.demo.sim.world import Account, World
from encaisse.dunning.models import DunningMessage, MessageState
from encaisse.dunning.services.messages import message_approve, message_skip
from encaisse.ledger.models import Company
from encaisse.lib.errors import Conflict

CALLS = (TaskKind.CALL_CORDIAL, TaskKind.CALL_FORMAL)
# The tasks the simulated staff know how to do; others (fix a contact, refresh a
# stale ledger, declare a claim) stay open for a person to see.
DONE_BY_STAFF = (*CALLS, TaskKind.ESCALATE, TaskKind.POST_LETTER)


@dataclass(slots=True)
class StaffDay:
    approved: int = 0
    skipped: int = 0
    tasks_done: int = 0
    promises: int = 0
    disputes: int = 0
    handovers: int = 0

    def add(self, other: StaffDay) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@transaction.atomic
def review(world: World, day: dt.date, staff: StaffDay) -> None:
    """Finance goes through the messages waiting for review: most go out, a few are skipped."""
    if world.finance is None:
        return
    waiting = (
        DunningMessage.objects.filter(state=MessageState.TO_REVIEW, decided_on__lte=day)
        .select_related("customer")
        .order_by("decided_on", "customer__external_key", "channel")
    )
    for message in waiting:
        key = f"{message.customer.external_key}:{message.decided_on.isoformat()}:{message.channel}"
        lag, approve = review_decision(world.seed, key)
        if message.decided_on + dt.timedelta(days=lag) > day:
            continue
        if approve:
            staff.approved += message_approve(actor=world.finance, message=message)
        else:
            staff.skipped += message_skip(actor=world.finance, message=message)


@transaction.atomic
def work_tasks(world: World, day: dt.date, staff: StaffDay) -> None:
    """Reps make their courtesy calls; finance makes formal calls, posts letters, hands over."""
    tasks = (
        Task.objects.filter(status=TaskStatus.OPEN, kind__in=DONE_BY_STAFF, due_on__lte=day)
        .select_related("customer", "assignee")
        .prefetch_related("invoices")
        .order_by("due_on", "customer__external_key", "kind")
    )
    with override(Company.current().language):
        for task in tasks:
            account = world.accounts.get(task.customer_id or 0)
            if account is None:
                continue
            key = task_key(account.key, task.due_on, task.kind)
            by_rep = task.kind == TaskKind.CALL_CORDIAL and task.assignee is not None
            if task.due_on + dt.timedelta(days=completion_lag(world.seed, key, by_rep)) > day:
                continue
            actor = task.assignee if by_rep else world.finance
            if actor is None:
                continue
            if task.kind in CALLS:
                outcome = _call(world, account, task, key, day, staff)
            elif task.kind == TaskKind.ESCALATE:
                outcome = _("File handed over to the collection agency")
                staff.handovers += 1
            else:
                outcome = _("Posted by registered mail with acknowledgement")
            try:
                task_complete(task=task, actor=actor, outcome=outcome)
            except Conflict:
                continue  # closed meanwhile by someone else
            staff.tasks_done += 1
            if task.kind == TaskKind.ESCALATE:
                # The escalated invoices go to the agency; the customer's other and
                # future invoices stay with us (a handover of these invoices only).
                handover.hand_over(world, account, task, actor, day)


def _call(
    world: World, account: Account, task: Task, key: str, day: dt.date, staff: StaffDay
) -> str:
    """Call the customer; record the promise or the dispute it gives; return the outcome."""
    invoices = list(task.invoices.all())
    contested = [i for i in invoices if is_contested(world.seed, i.number, account.behaviour)]
    outcome = call_outcome(world.seed, key, account.behaviour, bool(contested))
    actor = task.assignee or world.finance
    if outcome.kind == "promise":
        promised_on = day + dt.timedelta(days=outcome.promised_in)
        staff.promises += 1
        return record_promise(world, account, actor, invoices, key, day, promised_on)
    if outcome.kind == "dispute":
        numbers = ", ".join(i.number for i in contested)
        note = _("The customer disputes %(invoices)s") % {"invoices": numbers}
        if dispute_from_call(world, account, contested, day) is not None:
            staff.disputes += 1
        return note
    return _("No answer; message left")
