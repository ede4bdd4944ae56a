"""Dunning through the API: an invoice's state and explanation, the preview of a
date, a customer's messages and the timelines, holds and tasks."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from encaisse.api.access import get_visible, require_editor
from encaisse.api.auth import caller
from encaisse.api.pagination import KeysetPagination
from encaisse.api.problems import FieldError, forbidden, invalid
from encaisse.api.schemas.common import Instant
from encaisse.api.schemas.dunning import (
    HoldIn,
    HoldOut,
    MessageOut,
    PreviewOut,
    TaskCompleteIn,
    TaskOut,
    TimelineEntryOut,
    message_out,
)
from encaisse.api.schemas.promises import RowId
from encaisse.collab.models import Task
from encaisse.collab.selectors import tasks_of, tasks_visible_to
from encaisse.collab.services import task_complete
from encaisse.collab.timeline import timeline_of_customer, timeline_of_invoice
from encaisse.dunning.models import Hold
from encaisse.dunning.selectors import holds_visible_to, messages_of_customer
from encaisse.dunning.services.explain_report import DunningReport, dunning_report
from encaisse.dunning.services.holds import hold_place, hold_release
from encaisse.dunning.services.preview import preview_date_error
from encaisse.dunning.services.preview_scoped import dunning_preview_for
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to
from encaisse.lib import clock

invoices = Router(tags=["dunning"])
customers = Router(tags=["dunning"])
preview = Router(tags=["dunning"])
holds = Router(tags=["holds"])
tasks = Router(tags=["tasks"])


class OnDate(Schema):
    on: dt.date | None = Field(None, description="default: today")


class TimelinePage(Schema):
    limit: int = Field(100, ge=1, le=500)
    before: str | None = Field(
        None, description="the `cursor` of the last entry seen, to page back in time"
    )


def _before(page: TimelinePage) -> tuple[dt.datetime, int] | None:
    """An entry's cursor is "<created_at ISO>~<id>" (the id breaks ties within a run)."""
    if not page.before:
        return None
    moment, _sep, pk = page.before.rpartition("~")
    when = parse_datetime(moment) if moment else None
    if when is None or not pk.isdigit():
        message = _("Use the cursor of an entry of this timeline.")
        raise invalid([FieldError(message, parameter="before")])
    return when, int(pk)


@invoices.get("/{int:pk}/dunning", response=DunningReport, summary="An invoice's dunning state")
def invoice_dunning(request: HttpRequest, pk: int, when: Query[OnDate]) -> DunningReport:
    invoice = get_visible(invoices_visible_to(caller(request)).select_related("customer"), pk=pk)
    return dunning_report(invoice, on=when.on)


@invoices.get("/{int:pk}/timeline", response=list[TimelineEntryOut], summary="Invoice timeline")
def invoice_timeline(request: HttpRequest, pk: int, page: Query[TimelinePage]) -> list[Any]:
    user = caller(request)
    get_visible(invoices_visible_to(user), pk=pk)
    return timeline_of_invoice(user, pk, limit=page.limit, before=_before(page))


@customers.get("/{int:pk}/timeline", response=list[TimelineEntryOut], summary="Customer timeline")
def customer_timeline(request: HttpRequest, pk: int, page: Query[TimelinePage]) -> list[Any]:
    user = caller(request)
    get_visible(customers_visible_to(user), pk=pk)
    return timeline_of_customer(user, pk, limit=page.limit, before=_before(page))


@customers.get("/{int:pk}/messages", response=list[MessageOut], summary="A customer's reminders")
def customer_messages(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    user = caller(request)
    customer = get_visible(customers_visible_to(user), pk=pk)
    return [message_out(row) for row in messages_of_customer(user, customer)]


@preview.get("/preview", response=PreviewOut, summary="What dunning would do on a date")
def dunning_preview(request: HttpRequest, when: Query[OnDate]) -> dict[str, Any]:
    on = when.on or clock.today()
    error = preview_date_error(on, clock.today())
    if error:
        raise invalid([FieldError(error, parameter="on")])
    result = dunning_preview_for(caller(request), on=on)
    return {"on": result.on, "messages": result.messages, "days": result.days}


class HoldFilters(Schema):
    customer_id: RowId | None = None
    invoice_id: RowId | None = None
    active: bool | None = Field(None, description="true: not released and not ended")
    reason: str | None = Field(None, description="dispute, promise, customer_hold, other…")
    expiring_before: dt.date | None = Field(
        None, description="with an end date on or before this day (and not released)"
    )
    updated_since: Instant | None = None


@holds.get("", response=list[HoldOut], summary="List holds")
@paginate(KeysetPagination)
def hold_list(request: HttpRequest, filters: Query[HoldFilters]) -> QuerySet[Hold]:
    found = holds_visible_to(caller(request)).select_related("created_by")
    if filters.customer_id is not None:
        found = found.filter(customer_id=filters.customer_id)
    if filters.invoice_id is not None:
        found = found.filter(invoice_id=filters.invoice_id)
    if filters.reason:
        found = found.filter(reason=filters.reason)
    if filters.expiring_before is not None:
        found = found.filter(released_on__isnull=True, ends_on__lte=filters.expiring_before)
    if filters.active:
        today = clock.today()
        found = found.filter(released_on__isnull=True, starts_on__lte=today).exclude(
            ends_on__lt=today
        )
    if filters.updated_since is not None:
        return found.filter(updated_at__gte=filters.updated_since).order_by("updated_at", "id")
    return found.order_by("id")


@holds.get("/{int:pk}", response=HoldOut, summary="Get a hold")
def hold_get(request: HttpRequest, pk: int) -> Hold:
    return get_visible(holds_visible_to(caller(request)).select_related("created_by"), pk=pk)


@holds.post("", response={201: HoldOut}, summary="Hold the dunning of a customer or an invoice")
def hold_create(request: HttpRequest, payload: HoldIn) -> Status[Hold]:
    require_editor(request)
    user = caller(request)
    customer = get_visible(customers_visible_to(user), pk=payload.customer_id)
    invoice = None
    if payload.invoice_id is not None:
        invoice = get_visible(invoices_visible_to(user), pk=payload.invoice_id)
    hold = hold_place(
        actor=user,
        customer=customer,
        invoice=invoice,
        reason=payload.reason,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        note=payload.note,
    )
    return Status(201, hold)


@holds.post("/{int:pk}/release", response=HoldOut, summary="Release a hold")
def hold_end(request: HttpRequest, pk: int) -> Hold:
    require_editor(request)
    hold = get_visible(holds_visible_to(caller(request)), pk=pk)
    return hold_release(actor=caller(request), hold=hold)


class TaskFilters(Schema):
    mine: bool = Field(True, description="true: mine (and finance's queue for finance)")
    status: str | None = Field("open", description="open, done, cancelled; empty: any")
    customer_id: int | None = None


@tasks.get("", response=list[TaskOut], summary="List tasks (mine by default)")
@paginate(KeysetPagination)
def task_list(request: HttpRequest, filters: Query[TaskFilters]) -> QuerySet[Task]:
    user = caller(request)
    found = tasks_of(user, status=None) if filters.mine else tasks_visible_to(user)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.customer_id is not None:
        found = found.filter(customer_id=filters.customer_id)
    return found.prefetch_related("invoices").order_by("id")


@tasks.get("/{int:pk}", response=TaskOut, summary="Get a task")
def task_get(request: HttpRequest, pk: int) -> Task:
    return get_visible(tasks_visible_to(caller(request)).prefetch_related("invoices"), pk=pk)


@tasks.post("/{int:pk}/complete", response=TaskOut, summary="Complete a task with its outcome")
def task_done(request: HttpRequest, pk: int, payload: TaskCompleteIn) -> Task:
    """The assignee completes a task; finance and admins any task they see."""
    user = caller(request)
    task = get_visible(tasks_visible_to(user), pk=pk)
    if not user.can_edit_ledger and task.assignee_id != user.pk:
        raise forbidden()
    task_complete(task=task, actor=user, result=payload.result, outcome=payload.outcome)
    return get_visible(tasks_visible_to(user).prefetch_related("invoices"), pk=pk)
