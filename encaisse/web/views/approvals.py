"""The approvals queue (finance) and the decisions on due-date extensions.

The page knows no kind of request: it lists what `resolution.approvals`
registered. Everyone may open it (scoped: a rep sees his customers' requests
waiting); only finance and admins get the buttons and may decide.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.approvals import APPROVAL_KINDS
from encaisse.resolution.selectors.promises import extensions_visible_to
from encaisse.resolution.services.extensions import extension_approve, extension_refuse
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.forms.promises import DecisionForm
from encaisse.web.views.listing import viewer
from encaisse.web.views.promises import refresh_invoice
from encaisse.web.views.promises_panels import errors_text

ROWS = 100


@login_required
@require_GET
def approvals_page(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    sections = []
    for kind in APPROVAL_KINDS.values():
        pending = kind.pending(user)
        rows = list(pending[:ROWS])
        sections.append(
            {
                "kind": kind,
                "rows": [(row, kind.may_decide(user, row)) for row in rows],
                "count": len(rows) if len(rows) < ROWS else pending.count(),
            }
        )
    total = sum(section["count"] for section in sections)  # type: ignore[misc]
    return render(
        request,
        "web/resolution/approvals.html",
        {"sections": sections, "total": total, "decision_form": DecisionForm()},
    )


def _decide(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    user = viewer(request)
    extension = get_object_or_404(extensions_visible_to(user), pk=pk)
    if not user.can_edit_ledger:
        raise PermissionDenied
    form = DecisionForm(request.POST)
    done: str | None = None
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if approve:
                extension_approve(actor=user, extension=extension, comment=comment)
                done = _("Extension approved: the due date moved.")
            else:
                extension_refuse(actor=user, extension=extension, comment=comment)
                done = _("Extension refused.")
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
    if request.POST.get("from") == "invoice":
        if done is None and not request.headers.get("HX-Request"):
            messages.error(request, errors_text(form))
        return refresh_invoice(request, extension.invoice, done or errors_text(form))
    if request.headers.get("HX-Request"):
        extension.refresh_from_db()
        context: dict[str, Any] = {
            "row": extension,
            "kind": APPROVAL_KINDS["extension"],
            "may_decide": True,
            "decision_form": form,
            "done": done,
        }
        return render(request, "web/resolution/_approval_extension.html", context)
    if done:
        messages.success(request, done)
    else:
        messages.error(request, errors_text(form))
    return redirect("resolution_approvals")


@login_required
@require_POST
def extension_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def extension_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
