"""The cash-application workspace (finance and admins): every payment and credit note on
account with its ranked match suggestions, filters, recent applications, the auto-apply
setting. Actions (apply, split, apply all confident, undo) are in `cash_actions`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from encaisse.accounts.models import User
from encaisse.ledger.matching import Confidence, ItemKind, Suggestion
from encaisse.ledger.models import Allocation, Company
from encaisse.ledger.selectors import allocations_visible_to, cash_on_account_visible_to
from encaisse.ledger.services import company_settings_update
from encaisse.ledger.services.cash_application import confident_items
from encaisse.web.filters import NO_SUGGESTION, CashFilterForm
from encaisse.web.views.access import finance_required
from encaisse.web.views.cash_rows import Key, best_confidence, cash_rows, suggestions_by_key
from encaisse.web.views.listing import (
    COUNT_CAP,
    Page,
    page_number,
    paginate,
    render_list,
    viewer,
    visible_customer,
)

RECENT = 12
# "Apply all confident (N)" counts N on the page only up to this many items on account:
# beyond, matching them all would slow every page view; the confirmation page counts.
COUNT_CONFIDENT_UP_TO = 2_000
SCAN_CHUNK = 500


def workspace_url(customer_id: int | None = None) -> str:
    url = reverse("cash_application")
    return f"{url}?customer={customer_id}" if customer_id else url


def _keys(rows: list[tuple[str, int, Any]]) -> list[Key]:
    return [(ItemKind(kind), pk) for kind, pk, _on in rows]


def _by_confidence(
    rows: Any, wanted: str, request: HttpRequest
) -> tuple[Page[Any], dict[Key, list[Suggestion]]]:
    """One page of the items whose best suggestion has the confidence asked.

    The confidence is known only once matched: items are matched in chunks,
    in list order, until the page (and one more item) is filled.
    """
    size = settings.ENCAISSE_PAGE_SIZE
    number = page_number(request)
    needed = number * size + 1
    kept: list[Key] = []
    found: dict[Key, list[Suggestion]] = {}
    start, exhausted = 0, False
    while len(kept) < needed and start < COUNT_CAP:
        chunk = _keys(list(rows[start : start + SCAN_CHUNK]))
        if not chunk:
            exhausted = True
            break
        start += SCAN_CHUNK
        for key, suggestions in suggestions_by_key(chunk).items():
            best = best_confidence(suggestions)
            code = best.code if best is not None else NO_SUGGESTION
            if code == wanted:
                found[key] = suggestions
        kept.extend(key for key in chunk if key in found)
    items = kept[(number - 1) * size : number * size]
    page: Page[Any] = Page(
        items=items,
        number=number,
        size=size,
        total=len(kept),
        total_capped=not exhausted and len(kept) >= needed,
        has_next=len(kept) > number * size,
    )
    return page, found


def _recent(user: User, customer_id: int | None) -> list[Allocation]:
    """The latest allocations made by the cash application (by hand or after an import),
    from their partial index: the bulk allocations of imports do not crowd them out."""
    allocations = allocations_visible_to(user).filter(
        via_cash_application=True, reverses__isnull=True
    )
    if customer_id is not None:
        allocations = allocations.filter(invoice__customer_id=customer_id)
    return list(
        allocations.select_related(
            "invoice", "invoice__customer", "payment", "credit_note", "created_by", "reversal"
        ).order_by("-id")[:RECENT]
    )


def _confident_count(user: User, customer_id: int | None, kinds: tuple[str, ...]) -> int | None:
    on_account = cash_on_account_visible_to(user, kinds=kinds, customer_id=customer_id)
    if on_account.count() > COUNT_CONFIDENT_UP_TO:
        return None
    return len(
        confident_items(
            customer_ids=[customer_id] if customer_id else None,
            kinds=[ItemKind(kind) for kind in kinds],
        )
    )


@finance_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    form = CashFilterForm(request.GET)
    customer = visible_customer(request, form.value("customer"))
    customer_id = customer.pk if customer is not None else None
    query = request.GET.copy()
    query.pop("part", None)
    back = f"{request.path}?{query.urlencode()}" if query else request.path
    query["part"] = "recent"
    recent = {
        "recent": _recent(user, customer_id),
        "recent_url": f"{request.path}?{query.urlencode()}",
        "back": back,
    }
    if request.GET.get("part") == "recent":  # reloaded after an application (htmx)
        return render(request, "web/cash/_recent.html", recent)
    rows = cash_on_account_visible_to(
        user, kinds=form.kinds, customer_id=customer_id, customer_name=form.value("q") or ""
    )
    confidence = form.value("confidence")
    if confidence:
        page, found = _by_confidence(rows, confidence, request)
        keys: list[Key] = page.items
    else:
        page = paginate(rows, request)
        keys = _keys(page.items)
        found = suggestions_by_key(keys)
    context = {
        "form": form,
        "customer": customer,
        "page": page,
        "rows": cash_rows(user, keys, found),
        "confident_count": _confident_count(user, customer_id, form.kinds),
        "company": Company.current(),
        "certain": Confidence.CERTAIN.code,
        **recent,
    }
    return render_list(request, "web/cash/workspace.html", "web/cash/_results.html", context)


@finance_required
@require_POST
def cash_settings(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("cash_auto_apply") == "1"
    company_settings_update(actor=viewer(request), cash_auto_apply=on)
    if on:
        messages.success(
            request,
            _("After each import, the unambiguous matches of the imported payments and credit "
              "notes are now applied automatically."),
        )  # fmt: skip
    else:
        messages.success(request, _("Imports no longer apply matches automatically."))
    return redirect("cash_application")
