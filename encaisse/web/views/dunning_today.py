"""The dunning home, "Relances du jour": today's messages, the review queue, failures,
tasks, the freshness guard, the last runs, and a preview of a future date.

Everyone signed in reads it, scoped to their portfolio; finance and admins
act on it (approve, skip, retry: web/views/dunning_actions.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from encaisse.collab.models import TaskKind
from encaisse.dunning.delivery.freshness import ledger_freshness
from encaisse.dunning.engine.group import Group
from encaisse.dunning.models import DunningSettings, MessageState
from encaisse.dunning.selectors import (
    day_counts,
    day_customers,
    day_groups,
    failures,
    message_rows,
    recent_runs,
    review_queue,
    tasks_created_on,
)
from encaisse.dunning.services.preview import PREVIEW_HORIZON_DAYS
from encaisse.dunning.services.preview_scoped import dunning_preview_for
from encaisse.ledger.models import Customer, Invoice
from encaisse.ledger.selectors import first_customers_by_name
from encaisse.lib import clock
from encaisse.web.forms.dunning_reminders import PreviewDateForm
from encaisse.web.views.listing import is_htmx, paginate, viewer

QUEUE_ROWS = 50  # approving empties the queue: the next ones come up
TASK_ROWS = 8  # the aside lists a few; the counts per kind say the rest
PREVIEW_GROUPS = 100


@login_required
@require_GET
def today_page(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    on = clock.today()
    page = paginate(day_customers(user, on), request)
    context: dict[str, Any] = {
        "today": on,
        "page": page,
        "groups": day_groups(user, on, page.items),
        "can_act": user.can_edit_ledger,
    }
    if is_htmx(request):  # the day's groups, one page further
        response = render(request, "web/dunning/_day_groups.html", context)
        response["Vary"] = "HX-Request"
        return response
    queue = review_queue(user)
    failed = failures(user)
    tasks = tasks_created_on(user, on)
    policy = DunningSettings.current()
    freshness = ledger_freshness(policy)
    counts = day_counts(user, on)
    labels = dict(TaskKind.choices)
    task_kinds = [
        (labels.get(row["kind"], row["kind"]), row["n"])
        for row in tasks.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    ]
    context |= {
        "counts": counts,
        "day_total": sum(counts.values()),
        "sent_today": counts.get(MessageState.SENT, 0),
        "queue": message_rows(list(queue[:QUEUE_ROWS])),
        "queue_total": queue.count(),
        "failed": message_rows(list(failed[:QUEUE_ROWS])),
        "failed_total": failed.count(),
        "tasks": list(tasks[:TASK_ROWS]),
        "tasks_total": sum(n for _label, n in task_kinds),
        "task_kinds": task_kinds,
        "stale": freshness.stale,
        "ledger_age_hours": freshness.age_hours,
        "freshness_max_hours": freshness.max_hours,
        "first_run_confirmed": policy.first_run_confirmed,
        "runs": recent_runs(),
        "preview_form": PreviewDateForm(today=on, initial={"on": on + dt.timedelta(days=7)}),
        "horizon": PREVIEW_HORIZON_DAYS,
    }
    return render(request, "web/dunning/today.html", context)


@dataclass(frozen=True, slots=True)
class PreviewDayRow:
    on: dt.date
    by_step: list[tuple[str, int]]  # a list: templates read a Counter's .items as a key
    messages: int
    tasks: int


@dataclass(frozen=True, slots=True)
class PreviewRow:
    customer: Customer
    group: Group
    invoices: list[Invoice]
    total: Decimal


@login_required
@require_GET
def preview_page(request: HttpRequest) -> HttpResponse:
    """What would go out on a future date if nothing changes (nothing is written)."""
    user = viewer(request)
    today = clock.today()
    form = PreviewDateForm(request.GET or None, today=today)
    context: dict[str, Any] = {"form": form, "horizon": PREVIEW_HORIZON_DAYS}
    if form.is_valid():
        on = form.cleaned_data["on"]
        preview = dunning_preview_for(user, on=on)
        groups = preview.groups
        context |= {
            "on": on,
            "rows": _preview_rows(groups),
            "group_total": len(groups),
            "shown": min(len(groups), PREVIEW_GROUPS),
            "by_channel": sorted(Counter(g.channel for g in groups).items()),
            # Per-day totals cover the whole ledger: finance's view only (the selector's rule).
            "days": [
                PreviewDayRow(d.on, list(d.by_step.items()), d.messages, d.tasks)
                for d in preview.days
            ],
        }
    template = "web/dunning/_preview.html" if is_htmx(request) else "web/dunning/preview.html"
    return render(request, template, context)


def _preview_rows(groups: list[Group]) -> list[PreviewRow]:
    """The first PREVIEW_GROUPS groups by customer name (French order, as the lists)."""
    customers = first_customers_by_name({g.customer_id for g in groups}, PREVIEW_GROUPS)
    rank = {customer.pk: (n, customer) for n, customer in enumerate(customers)}
    chosen = sorted(
        (g for g in groups if g.customer_id in rank),
        key=lambda g: (rank[g.customer_id][0], g.channel),
    )[:PREVIEW_GROUPS]
    invoice_ids = {d.facts.invoice_id for g in chosen for d in g.decisions}
    invoices = Invoice.objects.only("number", "due_date", "currency", "customer_id").in_bulk(
        invoice_ids
    )
    rows = []
    for g in chosen:
        lines = [invoices[d.facts.invoice_id] for d in g.decisions]
        total = sum((d.facts.net for d in g.decisions), Decimal("0"))
        rows.append(PreviewRow(rank[g.customer_id][1], g, lines, total))
    return rows
