"""Writing the activity timeline and tasks. Every domain service calls `activity_record`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.models import Activity, Task, TaskQueue, TaskResult, TaskStatus
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, Message, ValidationFailed
from encaisse.webhooks.emit import event_emit


def activity_record(
    *,
    verb: str,
    actor: User | None,
    customer_id: int | None = None,
    invoice_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Activity:
    return Activity.objects.create(
        verb=verb,
        actor=stored_actor(actor),
        customer_id=customer_id,
        invoice_id=invoice_id,
        payload=payload or {},
    )


def activities_record_many(entries: Iterable[Activity], *, batch_size: int = 2000) -> None:
    """Bulk form for imports, which write thousands of entries at once."""
    Activity.objects.bulk_create(list(entries), batch_size=batch_size)


def task_create(
    *,
    actor: User | None,
    kind: str,
    title: str,
    due_on: dt.date,
    customer_id: int | None = None,
    assignee: User | None = None,
    queue: str = TaskQueue.ASSIGNEE,
    invoice_ids: Sequence[int] = (),
    details: str = "",
    source_key: str | None = None,
) -> Task:
    """Create a task, or return the existing one with the same `source_key`.

    With no assignee the task goes to the finance queue, so nothing is left
    without an owner.
    """
    if assignee is None:
        queue = TaskQueue.FINANCE
    if source_key is not None:
        existing = Task.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            task = Task.objects.create(
                kind=kind,
                title=title[:250],
                details=details,
                queue=queue,
                assignee=assignee,
                customer_id=customer_id,
                due_on=due_on,
                source_key=source_key,
                created_by=stored_actor(actor),
            )
    except IntegrityError:
        # A concurrent delivery created it between our lookup and our insert.
        return Task.objects.get(source_key=source_key)
    if invoice_ids:
        task.invoices.add(*invoice_ids)
    activity_record(
        verb="collab.task.created",
        actor=actor,
        customer_id=customer_id,
        payload={"task": task.pk, "kind": kind, "title": task.title},
    )
    event_emit(type="task.created", obj=task)
    return task


OUTCOME_MAX = 2000


@transaction.atomic
def task_complete(
    *, task: Task, actor: User, result: str = TaskResult.DONE, outcome: str = ""
) -> Task:
    """Close an open task with its result and what the person has to say.

    Conflict when it is closed already (by someone else, or cancelled): the
    conditional UPDATE decides, so two people closing it at once record one.
    """
    errors: dict[str, list[Message]] = {}
    if result not in TaskResult.values:
        errors["result"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(TaskResult.values)}
        ]
    if len(outcome) > OUTCOME_MAX:
        errors["outcome"] = [_("The outcome is at most %(max)s characters.") % {"max": OUTCOME_MAX}]
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    done = Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE,
        result=result,
        outcome=outcome,
        completed_at=now,
        completed_by=actor,
        updated_at=now,
    )
    if not done:
        raise Conflict(_("This task is closed already."))
    activity_record(
        verb="collab.task.completed",
        actor=actor,
        customer_id=task.customer_id,
        payload={"task": task.pk, "result": result, "outcome": outcome},
    )
    task.refresh_from_db()
    event_emit(type="task.completed", obj=task)
    return task
