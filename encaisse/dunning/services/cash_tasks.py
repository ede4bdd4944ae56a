"""One task for finance per customer whose cash on account stopped a reminder.

The engine does not chase what a customer's cash on account covers
(ledger.net_position), but the cash still has to be applied: until it is,
the customer's statement, the aged balance and the next reminders all depend
on a guess (oldest invoices first). So the run asks finance to apply it: one
open task per customer at a time, whatever the number of runs that see it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import ngettext, override

from encaisse.collab.models import Activity, Task, TaskKind, TaskQueue, TaskStatus
from encaisse.dunning.models import DunningRun
from encaisse.ledger.models import Company, Customer
from encaisse.ledger.net_position import cash_on_account
from encaisse.lib import bulk
from encaisse.lib.money import format_money

_TASK_COLUMNS = ("kind", "title", "details", "queue", "customer_id", "due_on", "source_key")
_ACTIVITY_COLUMNS = ("verb", "customer_id", "payload")


def cash_tasks_write(run: DunningRun, covered: dict[int, list[int]]) -> int:
    """Create the missing "apply the cash on account" tasks; returns how many."""
    if not covered:
        return 0
    # A customer already has its task when one is open, or when one was made
    # (and perhaps done already) on this run's date: its key is taken.
    made_today = Q(source_key__startswith="apply-cash:", source_key__endswith=f":{run.run_on}")
    waiting = set(
        Task.objects.filter(kind=TaskKind.APPLY_CASH, customer_id__in=list(covered))
        .filter(Q(status=TaskStatus.OPEN) | made_today)
        .values_list("customer_id", flat=True)
    )
    todo = sorted(set(covered) - waiting)
    if not todo:
        return 0
    # Written in bulk like the run's other tasks: a first run on imported books
    # can find thousands of customers with cash on account.
    by_customer: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for (customer_id, currency), amount in sorted(cash_on_account(todo).items()):
        by_customer[customer_id].append((currency, amount))
    names = dict(Customer.objects.filter(pk__in=todo).values_list("pk", "name"))
    language = Company.current().language  # tasks are shared: the company's language
    columns, defaults = bulk.model_columns(Task, _TASK_COLUMNS)
    selected: list[int] = []
    rows = []
    with override(language):
        for customer_id in todo:
            amounts = by_customer.get(customer_id)
            if not amounts:
                continue
            count = len(covered[customer_id])
            total = ", ".join(
                format_money(amount, currency, language) for currency, amount in amounts
            )
            title = ngettext(
                "Apply %(amount)s on account of %(customer)s (%(count)d invoice concerned)",
                "Apply %(amount)s on account of %(customer)s (%(count)d invoices concerned)",
                count,
            ) % {"amount": total, "customer": names[customer_id], "count": count}
            details = ngettext(
                "Payments or credit notes of %(amount)s are on this customer's account, not "
                "applied to any invoice. Dunning reads them as paying the oldest invoices first "
                "and does not chase what they cover (%(count)d invoice today). Apply them in the "
                "cash application workspace.",
                "Payments or credit notes of %(amount)s are on this customer's account, not "
                "applied to any invoice. Dunning reads them as paying the oldest invoices first "
                "and does not chase what they cover (%(count)d invoices today). Apply them in the "
                "cash application workspace.",
                count,
            ) % {"amount": total, "count": count}
            selected.append(customer_id)
            rows.append(
                (
                    TaskKind.APPLY_CASH,
                    title[:250],
                    details,
                    TaskQueue.FINANCE,
                    customer_id,
                    run.run_on,
                    f"apply-cash:{customer_id}:{run.run_on.isoformat()}",
                    *defaults,
                )
            )
    if not rows:
        return 0
    ids = bulk.insert_with_ids(Task._meta.db_table, columns, rows)
    links: list[tuple[int, int]] = []
    activity_columns, activity_defaults = bulk.model_columns(Activity, _ACTIVITY_COLUMNS)
    activities: list[tuple[object, ...]] = []
    for customer_id, task_id, row in zip(selected, ids, rows, strict=True):
        links.extend((task_id, invoice_id) for invoice_id in covered[customer_id])
        payload = {"task": task_id, "kind": TaskKind.APPLY_CASH.value, "title": row[1]}
        activities.append(
            ("collab.task.created", customer_id, json.dumps(payload), *activity_defaults)
        )
    bulk.insert(Task.invoices.through._meta.db_table, ("task_id", "invoice_id"), links)
    bulk.insert(Activity._meta.db_table, activity_columns, activities)
    return len(ids)
