"""One task for finance per customer whose cash on account stopped a reminder.

The engine does not chase what a customer's cash on account covers
(ledger.net_position), but the cash still has to be applied: until it is,
the customer's statement, the aged balance and the next reminders all depend
on a guess (oldest invoices first). So the run asks finance to apply it: one
open task per customer at a time, whatever the number of runs that see it.
"""

from __future__ import annotations

from django.utils.translation import ngettext, override

from encaisse.collab.models import Task, TaskKind, TaskQueue, TaskStatus
from encaisse.collab.services import task_create
from encaisse.dunning.models import DunningRun
from encaisse.ledger.models import Company, Customer
from encaisse.ledger.net_position import cash_on_account
from encaisse.lib.money import format_money


def cash_tasks_write(run: DunningRun, covered: dict[int, list[int]]) -> int:
    """Create the missing "apply the cash on account" tasks; returns how many."""
    if not covered:
        return 0
    waiting = set(
        Task.objects.filter(
            kind=TaskKind.APPLY_CASH, status=TaskStatus.OPEN, customer_id__in=list(covered)
        ).values_list("customer_id", flat=True)
    )
    todo = sorted(set(covered) - waiting)
    if not todo:
        return 0
    cash = cash_on_account(todo)
    customers = Customer.objects.in_bulk(todo)
    language = Company.current().language  # tasks are shared: the company's language
    created = 0
    for customer_id in todo:
        amounts = [
            (currency, amount) for (pk, currency), amount in cash.items() if pk == customer_id
        ]
        if not amounts:
            continue
        customer = customers[customer_id]
        invoice_ids = covered[customer_id]
        with override(language):
            total = ", ".join(
                format_money(amount, currency, language) for currency, amount in amounts
            )
            title = ngettext(
                "Apply %(amount)s on account of %(customer)s (%(count)d invoice concerned)",
                "Apply %(amount)s on account of %(customer)s (%(count)d invoices concerned)",
                len(invoice_ids),
            ) % {"amount": total, "customer": customer.name, "count": len(invoice_ids)}
            details = ngettext(
                "Payments or credit notes of %(amount)s are on this customer's account, not "
                "applied to any invoice. Dunning reads them as paying the oldest invoices first "
                "and does not chase what they cover (%(count)d invoice today). Apply them in the "
                "cash application workspace.",
                "Payments or credit notes of %(amount)s are on this customer's account, not "
                "applied to any invoice. Dunning reads them as paying the oldest invoices first "
                "and does not chase what they cover (%(count)d invoices today). Apply them in the "
                "cash application workspace.",
                len(invoice_ids),
            ) % {"amount": total, "count": len(invoice_ids)}
        task_create(
            actor=None,
            kind=TaskKind.APPLY_CASH,
            title=title,
            details=details,
            due_on=run.run_on,
            customer_id=customer_id,
            queue=TaskQueue.FINANCE,
            invoice_ids=invoice_ids,
            source_key=f"apply-cash:{customer_id}:{run.run_on.isoformat()}",
        )
        created += 1
    return created
