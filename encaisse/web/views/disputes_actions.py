"""What is done to a dispute: assign, put in progress, resolve, reject, attach.

Closing and assigning are finance's (403 for everyone else who sees the
dispute); the account manager and the owner may put it in progress and attach.
An invalid form shows the dispute's page again with the errors on their fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from encaisse.accounts.models import User
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models import Dispute
from encaisse.resolution.services.dispute_files import dispute_attachment_add
from encaisse.resolution.services.disputes import (
    default_owner_choices,
    dispute_assign,
    dispute_progress,
    dispute_reject,
    dispute_resolve,
)
from encaisse.web.forms.disputes import AssignForm, AttachmentForm, RejectForm
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.views.disputes import (
    detail_context,
    may_work,
    resolve_form,
    visible_dispute,
)
from encaisse.web.views.listing import viewer


def _back(dispute: Dispute) -> HttpResponse:
    return redirect("dispute", public_id=dispute.public_id)


def _page_again(
    request: HttpRequest, user: User, dispute: Dispute, **forms: object
) -> HttpResponse:
    context = detail_context(user, dispute, **forms)
    return render(request, "web/resolution/dispute_detail.html", context)


def _act(
    request: HttpRequest,
    public_id: uuid.UUID,
    allowed: Callable[[User, Dispute], bool],
) -> tuple[User, Dispute]:
    user = viewer(request)
    dispute = visible_dispute(user, public_id)
    if not allowed(user, dispute):
        raise PermissionDenied
    return user, dispute


def _finance(user: User, dispute: Dispute) -> bool:
    return user.can_edit_ledger


@login_required
@require_POST
def assign(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, dispute = _act(request, public_id, _finance)
    people = default_owner_choices(dispute.customer)
    form = AssignForm(request.POST, people=people)
    if form.is_valid():
        owner = {str(p.pk): p for p in people}.get(form.cleaned_data["owner"] or "")
        try:
            dispute_assign(actor=user, dispute=dispute, owner=owner)
        except Conflict as conflict:
            messages.error(request, conflict.message)
        except ValidationFailed as failed:
            form_errors_add(form, failed)
            return _page_again(request, user, dispute, assign=form)
        else:
            messages.success(request, _("Owner changed."))
        return _back(dispute)
    return _page_again(request, user, dispute, assign=form)


@login_required
@require_POST
def progress(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, dispute = _act(request, public_id, may_work)
    try:
        dispute_progress(actor=user, dispute=dispute)
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("The dispute is in progress."))
    return _back(dispute)


@login_required
@require_POST
def resolve(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, dispute = _act(request, public_id, _finance)
    form = resolve_form(user, dispute, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            dispute_resolve(
                actor=user,
                dispute=dispute,
                resolution=data["resolution"],
                credit_note=data["credit_note"],
                corrected_invoice=data["corrected_invoice"],
                note=data["note"],
            )
        except Conflict as conflict:
            messages.error(request, conflict.message)
        except ValidationFailed as failed:
            form_errors_add(form, failed)
            return _page_again(request, user, dispute, resolve=form)
        else:
            messages.success(request, _("Dispute resolved: dunning of its invoices resumes."))
        return _back(dispute)
    return _page_again(request, user, dispute, resolve=form)


@login_required
@require_POST
def reject(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, dispute = _act(request, public_id, _finance)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            dispute_reject(
                actor=user, dispute=dispute, explanation=form.cleaned_data["explanation"]
            )
        except Conflict as conflict:
            messages.error(request, conflict.message)
        except ValidationFailed as failed:
            form_errors_add(form, failed)
            return _page_again(request, user, dispute, reject=form)
        else:
            messages.success(request, _("Dispute rejected: dunning of its invoices resumes."))
        return _back(dispute)
    return _page_again(request, user, dispute, reject=form)


@login_required
@require_POST
def attach(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user, dispute = _act(request, public_id, may_work)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dispute_attachment_add(actor=user, dispute=dispute, upload=form.cleaned_data["file"])
        except ValidationFailed as failed:
            form_errors_add(form, failed)
            return _page_again(request, user, dispute, attachment=form)
        messages.success(request, _("Attachment added."))
        return _back(dispute)
    return _page_again(request, user, dispute, attachment=form)
