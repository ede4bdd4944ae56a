"""Writing one run's decisions: states, actions, messages and tasks, in raw bulk statements."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import ngettext, override

from encaisse.collab.models import Activity, Task, TaskKind, TaskQueue
from encaisse.dunning.engine.group import Group
from encaisse.dunning.engine.types import Decision
from encaisse.dunning.models import (
    ActionStatus,
    CustomerDunning,
    DunningAction,
    DunningMessage,
    DunningRun,
    DunningStep,
    InvoiceDunning,
    MessageState,
    StepAssignee,
)
from encaisse.ledger.models import Company
from encaisse.lib import bulk

DEFAULT_TEMPLATE = {
    "email": "reminder_1",
    "letter": "letter",
    "formal_notice": "formal_notice",
    "agency_notice": "agency_notice",
    "rep_alert": "rep_alert",
}

_STATE_COLUMNS = (
    "last_offset",
    "next_step_id",
    "next_action_on",
    "reason",
    "reason_params",
    "updated_on",
    "last_step_id",
    "last_action_on",
)
_ACTION_COLUMNS = (
    "invoice_id",
    "customer_id",
    "step_id",
    "step_name",
    "action",
    "run_id",
    "message_id",
    "task_id",
    "status",
    "status_reason",
    "decided_on",
    "balance",
    "skipped",
    "created_at",
)


# One decided invoice: (decision, invoice id, customer id, open balance). The
# decision may be shared by every invoice in the same situation
# (engine.batch): only its outcome is read here, never its `facts`.
Decided = tuple[Decision, int, int, Decimal]


@dataclass(slots=True)
class Written:
    messages: int = 0
    to_review: int = 0
    tasks: int = 0
    actions: int = 0


def outcomes_write(
    run: DunningRun,
    decided: Sequence[Decided],
    groups: Sequence[Group],
    languages: dict[int, str],
    *,
    enrolled: Sequence[Decided] = (),
) -> Written:
    """Persist a run: messages and tasks per group, an action per step reached, the states.

    `decided` update existing states; `enrolled` are invoices seen for the
    first time, whose states are created here with their first decision (one
    write per invoice instead of an insert and then an update). Every write
    is a raw bulk statement: the ORM's per-object cost dominated the run.
    """
    on = run.run_on
    written = Written()
    steps = {step.pk: step for step in DunningStep.objects.all()}
    message_groups = [g for g in groups if not g.is_task]
    message_ids, in_review = _messages_write(run, message_groups, steps, languages)
    message_of: dict[int, int] = {}  # invoice id -> message id
    for g, message_id in zip(message_groups, message_ids, strict=True):
        for d in g.decisions:
            message_of[d.facts.invoice_id] = message_id
    written.messages = len(message_ids)
    written.to_review = len(in_review)
    task_of: dict[int, int] = {}  # invoice id -> task id
    managers = _account_managers({g.customer_id for g in groups})
    written.tasks = _tasks_write(run, groups, steps, managers, task_of)
    escalations = [g for g in groups if g.channel == "agency_notice"]
    written.tasks += _tasks_write(run, escalations, steps, managers, task_of, escalation=True)
    outcomes = _Outcomes(on)
    written.actions = _actions_write(
        run, outcomes, (decided, enrolled), message_of, task_of, in_review
    )
    _states_write(outcomes, decided, enrolled)
    contacted = {
        g.customer_id for g in message_groups if g.channel != "rep_alert" and not g.needs_review
    }
    _contacts_write(on, contacted)
    return written


class _Outcomes:
    """What one decision writes, computed once per distinct decision."""

    def __init__(self, on: dt.date) -> None:
        # Dates as the driver stores them, converted once here rather than by
        # the driver's adapter for each row (SQLite: ISO text).
        self.date = connection.ops.adapt_datefield_value
        self.on = self.date(on)
        self._states: dict[int, tuple[Any, ...]] = {}
        self._actions: dict[int, tuple[Any, ...] | None] = {}

    def state(self, d: Decision) -> tuple[Any, ...]:
        """(last offset, next step, next action date, reason, parameters, updated on,
        last step, last action date): the last two NULL (kept) if no step was reached."""
        values = self._states.get(id(d))
        if values is None:
            reached = d.reached
            values = (
                d.last_offset,
                d.next_step.id if d.next_step is not None else None,
                self.date(d.next_action_on),
                d.reason,
                json.dumps(d.params),
                self.on,
                reached.id if reached is not None else None,
                self.on if reached is not None else None,
            )
            self._states[id(d)] = values
        return values

    def action(self, d: Decision) -> tuple[Any, ...] | None:
        """(step, step name, action, performed?, skip reason, skipped steps as JSON), or None."""
        if id(d) in self._actions:
            return self._actions[id(d)]
        step = d.reached
        values: tuple[Any, ...] | None = None
        if step is not None:
            performed = d.perform is not None
            skipped = d.skipped if performed else d.skipped[:-1]
            values = (
                step.id,
                step.name,
                step.action,
                performed,
                "" if performed else d.skipped[-1].reason,
                json.dumps(
                    [{"step": s.step.id, "name": s.step.name, "reason": s.reason} for s in skipped]
                ),
            )
        self._actions[id(d)] = values
        return values


def _messages_write(
    run: DunningRun,
    groups: Sequence[Group],
    steps: dict[int, DunningStep],
    languages: dict[int, str],
) -> tuple[list[int], set[int]]:
    """One outbox message per group; returns their ids (in order) and those to review."""
    on = run.run_on
    company_language = Company.current().language
    native_uuid = connection.features.has_native_uuid_field
    columns, defaults = bulk.model_columns(DunningMessage, _MESSAGE_COLUMNS)
    now = bulk.now_value()
    rows = []
    review = []
    for g in groups:
        step = steps[g.step.id]
        needs_review = g.needs_review
        review.append(needs_review)
        rows.append(
            (
                uuid.uuid4() if native_uuid else uuid.uuid4().hex,  # as UUIDField stores it
                f"{on.isoformat()}:{g.customer_id}:{g.channel}",
                g.customer_id,
                g.channel,
                step.pk,
                step.name,
                step.template_code or DEFAULT_TEMPLATE[g.channel],
                company_language if g.channel == "rep_alert" else languages[g.customer_id],
                step.sender,
                step.sender_user_id,
                step.registered_mail,
                MessageState.TO_REVIEW if needs_review else MessageState.PENDING,
                on,
                run.pk,
                now,
                *defaults,
            )
        )
    ids = bulk.insert_with_ids(DunningMessage._meta.db_table, columns, rows)
    return ids, {pk for pk, to_review in zip(ids, review, strict=True) if to_review}


_MESSAGE_COLUMNS = (
    "public_id",
    "key",
    "customer_id",
    "channel",
    "step_id",
    "step_name",
    "template_code",
    "language",
    "sender",
    "sender_user_id",
    "registered_mail",
    "state",
    "decided_on",
    "run_id",
    "next_attempt_at",
)


def _account_managers(customer_ids: set[int]) -> dict[int, int | None]:
    sql = "SELECT id, account_manager_id FROM ledger_customer WHERE id IN ({marks})"
    return dict(bulk.select_in(sql, sorted(customer_ids)))


def _tasks_write(
    run: DunningRun,
    groups: Sequence[Group],
    steps: dict[int, DunningStep],
    managers: dict[int, int | None],
    task_of: dict[int, int],
    *,
    escalation: bool = False,
) -> int:
    """One task per customer: a call (cordial for the rep, formal for finance) or a handover."""
    on = run.run_on
    selected = [g for g in groups if escalation or g.is_task]
    if not selected:
        return 0
    titles = _TaskTitles()
    columns, defaults = bulk.model_columns(Task, _TASK_COLUMNS)
    rows = []
    for g in selected:
        step = steps[g.step.id]
        count = len(g.decisions)
        if escalation:
            kind, assignee, queue = TaskKind.ESCALATE, None, TaskQueue.FINANCE
        elif step.assignee == StepAssignee.FINANCE or managers.get(g.customer_id) is None:
            kind, assignee, queue = TaskKind.CALL_FORMAL, None, TaskQueue.FINANCE
        else:
            kind, assignee, queue = (
                TaskKind.CALL_CORDIAL,
                managers[g.customer_id],
                TaskQueue.ASSIGNEE,
            )
        rows.append(
            (
                kind,
                f"{step.name} – {titles.of(kind, count)}",
                queue,
                assignee,
                g.customer_id,
                on,
                f"dunning:{on.isoformat()}:{g.customer_id}:{kind}",
                *defaults,
            )
        )
    ids = bulk.insert_with_ids(Task._meta.db_table, columns, rows)
    links = []
    activity_columns, activity_defaults = bulk.model_columns(Activity, _ACTIVITY_COLUMNS)
    activities = []
    for g, task_id, row in zip(selected, ids, rows, strict=True):
        invoice_ids = [d.facts.invoice_id for d in g.decisions]
        for invoice_id in invoice_ids:
            if not escalation:
                task_of[invoice_id] = task_id
            links.append((task_id, invoice_id))
        payload = {"task": task_id, "kind": row[0], "step": g.step.name, "invoices": invoice_ids}
        activities.append(
            ("dunning.task.created", g.customer_id, json.dumps(payload), *activity_defaults)
        )
    bulk.insert(Task.invoices.through._meta.db_table, ("task_id", "invoice_id"), links)
    bulk.insert(Activity._meta.db_table, activity_columns, activities)
    return len(ids)


_TASK_COLUMNS = ("kind", "title", "queue", "assignee_id", "customer_id", "due_on", "source_key")
_ACTIVITY_COLUMNS = ("verb", "customer_id", "payload")


class _TaskTitles:
    """Task titles in the company's language (tasks are shared), made once per kind and count."""

    def __init__(self) -> None:
        self.language = Company.current().language
        self._titles: dict[tuple[str, int], str] = {}

    def of(self, kind: str, count: int) -> str:
        title = self._titles.get((kind, count))
        if title is None:
            with override(self.language):
                if kind == TaskKind.ESCALATE:
                    title = ngettext(
                        "Hand over to collection: %(count)d invoice",
                        "Hand over to collection: %(count)d invoices",
                        count,
                    )
                elif kind == TaskKind.CALL_FORMAL:
                    title = ngettext(
                        "Formal call about %(count)d overdue invoice",
                        "Formal call about %(count)d overdue invoices",
                        count,
                    )
                else:
                    title = ngettext(
                        "Courtesy call about %(count)d overdue invoice",
                        "Courtesy call about %(count)d overdue invoices",
                        count,
                    )
            title = self._titles[(kind, count)] = title % {"count": count}
        return title


def _actions_write(
    run: DunningRun,
    outcomes: _Outcomes,
    parts: tuple[Sequence[Decided], ...],
    message_of: dict[int, int],
    task_of: dict[int, int],
    in_review: set[int],
) -> int:
    """An action per invoice that reached a step: performed (in a message, a task, or
    done) or skipped; the steps a catch-up passed over are listed on it."""
    now = bulk.now_value()
    columns, defaults = bulk.model_columns(DunningAction, _ACTION_COLUMNS)
    run_id, on = run.pk, outcomes.on
    rows = []
    for decided in parts:
        for d, invoice_id, customer_id, balance in decided:
            action = outcomes.action(d)
            if action is None:
                continue
            step_id, step_name, step_action, performed, reason, skipped = action
            if performed:
                message_id = message_of.get(invoice_id)
                task_id = task_of.get(invoice_id)
                if message_id is None:
                    status = ActionStatus.DONE
                elif message_id in in_review:
                    status = ActionStatus.TO_REVIEW
                else:
                    status = ActionStatus.PLANNED
            else:
                message_id = task_id = None
                status = ActionStatus.SKIPPED
            rows.append(
                (
                    invoice_id,
                    customer_id,
                    step_id,
                    step_name,
                    step_action,
                    run_id,
                    message_id,
                    task_id,
                    status,
                    reason,
                    on,
                    balance,
                    skipped,
                    now,
                    *defaults,
                )
            )
    return _actions_insert(columns, rows)


def _actions_insert(columns: Sequence[str], rows: list[tuple[Any, ...]]) -> int:
    """Insert the actions; an (invoice, step) pair that already has one keeps it.

    The engine never decides a step twice for an invoice (`last_offset`), but a
    plan edited back and forth can make an old step look new. Rather than fail
    the whole day's run, such a pair is left out: the step is not performed
    again (and a message left with no action is cancelled at delivery). The
    check costs nothing unless the fast insert hits the unique constraint.
    """
    table = DunningAction._meta.db_table
    try:
        with transaction.atomic():
            bulk.insert(table, columns, rows)
        return len(rows)
    except IntegrityError:
        pass
    invoice_at, step_at = columns.index("invoice_id"), columns.index("step_id")
    existing = set(
        bulk.select_in(
            f"SELECT invoice_id, step_id FROM {table} WHERE invoice_id IN ({{marks}})",
            sorted({row[invoice_at] for row in rows}),
        )
    )
    fresh = [row for row in rows if (row[invoice_at], row[step_at]) not in existing]
    bulk.insert(table, columns, fresh)
    return len(fresh)


def _states_write(
    outcomes: _Outcomes, decided: Sequence[Decided], enrolled: Sequence[Decided]
) -> None:
    """Every decided state, in one statement; a state that reached no step keeps its last step.

    New states are inserted with their decision. Should another transaction
    have given one of them a state meanwhile (a due-date extension), the
    decision is written onto it rather than failing the run.
    """
    state = outcomes.state
    table = InvoiceDunning._meta.db_table
    bulk.update_many(
        table,
        _STATE_COLUMNS,
        [(*state(d), invoice_id) for d, invoice_id, _customer, _balance in decided],
        key="invoice_id",
        keep_if_null=("last_step_id", "last_action_on"),
    )
    if enrolled:
        columns, defaults = bulk.model_columns(InvoiceDunning, ("invoice_id", *_STATE_COLUMNS))
        bulk.upsert(
            table,
            columns,
            [(invoice_id, *state(d), *defaults) for d, invoice_id, _c, _b in enrolled],
            key="invoice_id",
            update=_STATE_COLUMNS,
            rare_conflicts=True,
        )


def _contacts_write(on: dt.date, customer_ids: set[int]) -> None:
    """Automatic messages to customers count as today's contact (minimum gap)."""
    customer_facts_write("last_contact_on", dict.fromkeys(customer_ids, on))


def customer_facts_write(column: str, values: dict[int, Any]) -> None:
    """Set one CustomerDunning column per customer, creating the rows that are missing."""
    columns, defaults = bulk.model_columns(CustomerDunning, ("customer_id", column))
    bulk.upsert(
        CustomerDunning._meta.db_table,
        columns,
        [(pk, values[pk], *defaults) for pk in sorted(values)],
        key="customer_id",
        update=(column,),
    )
