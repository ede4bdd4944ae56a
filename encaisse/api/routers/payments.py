"""/api/v1/payments: payments a caller may see; recording through the import pipeline."""

import datetime as dt

from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from encaisse.api.access import get_visible
from encaisse.api.auth import caller
from encaisse.api.ledger_routes import add_writes
from encaisse.api.pagination import KeysetPagination
from encaisse.api.routers.customers import ordered_for_sync
from encaisse.api.schemas.common import Instant
from encaisse.api.schemas.ledger import PaymentBulk, PaymentOut, PaymentRecord
from encaisse.ledger.models import Payment
from encaisse.ledger.selectors import payments_visible_to

router = Router(tags=["payments"])


class PaymentFilters(Schema):
    customer_id: int | None = None
    customer_key: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    unallocated: bool | None = Field(None, description="true: with cash still on account")
    updated_since: Instant | None = None


def _payments(request: HttpRequest) -> QuerySet[Payment]:
    return payments_visible_to(caller(request)).select_related("customer")


@router.get("", response=list[PaymentOut], summary="List payments")
@paginate(KeysetPagination)
def payment_list(request: HttpRequest, filters: Query[PaymentFilters]) -> QuerySet[Payment]:
    payments = _payments(request)
    if filters.customer_id is not None:
        payments = payments.filter(customer_id=filters.customer_id)
    if filters.customer_key:
        payments = payments.filter(customer__external_key=filters.customer_key)
    if filters.date_from:
        payments = payments.filter(date__gte=filters.date_from)
    if filters.date_to:
        payments = payments.filter(date__lte=filters.date_to)
    if filters.unallocated:
        payments = payments.filter(allocated__lt=F("amount"))
    return ordered_for_sync(payments, filters.updated_since)


@router.get("/by-key/{key}", response=PaymentOut, summary="Get a payment by external key")
def payment_by_key(request: HttpRequest, key: str) -> Payment:
    return get_visible(_payments(request), external_key=key)


@router.get("/{int:pk}", response=PaymentOut, summary="Get a payment")
def payment_get(request: HttpRequest, pk: int) -> Payment:
    return get_visible(_payments(request), pk=pk)


def _base(payment: Payment) -> dict[str, object]:
    return {
        "customer_key": payment.customer.external_key,
        "date": payment.date,
        "amount": payment.amount,
    }


add_writes(
    router,
    kind="payments",
    noun="a payment",
    record=PaymentRecord,
    bulk=PaymentBulk,
    out=PaymentOut,
    visible=_payments,
    base=_base,
)
