"""Helpers shared by the list pages and their CSV exports.

Lists run on a million-invoice ledger, so a page never counts more rows than
it needs: the total is capped (`COUNT_CAP`), and the page itself fetches one
extra row to know whether a next page exists.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer
from encaisse.ledger.selectors import customers_visible_to
from encaisse.lib.money import round_money

COUNT_CAP = 10_000
EXPORT_CHUNK = 2_000

M = TypeVar("M", bound=Model)


def viewer(request: HttpRequest) -> User:
    """The signed-in user (views are behind `login_required`)."""
    user = request.user
    assert isinstance(user, User)
    return user


def visible_customer(request: HttpRequest, customer_id: int | None) -> Customer | None:
    """The customer a list is narrowed to; one the viewer may not see is a 404."""
    if customer_id is None:
        return None
    return get_object_or_404(customers_visible_to(viewer(request)), pk=customer_id)


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    number: int
    size: int
    total: int
    total_capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    @property
    def page_count(self) -> int | None:
        if self.total_capped:
            return None
        return max(1, -(-self.total // self.size))


def page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        return 1


def paginate(queryset: QuerySet[M], request: HttpRequest, *, cap: int | None = None) -> Page[M]:
    """One page of `queryset` plus a total counted up to `cap` (COUNT_CAP) rows."""
    cap = COUNT_CAP if cap is None else cap
    size = settings.ENCAISSE_PAGE_SIZE
    number = page_number(request)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    has_next = len(rows) > size
    items = rows[:size]
    if number == 1 and not has_next:
        total, capped = len(items), False
    else:
        total = queryset.order_by().values("pk")[: cap + 1].count()
        capped = total > cap
        total = min(total, cap)
        if not items and total and not capped:
            # A page past the end (an old link, a list that shrank): show the last one.
            number = -(-total // size)
            items = list(queryset[(number - 1) * size : number * size])
            has_next = False
    return Page(
        items=items, number=number, size=size, total=total, total_capped=capped, has_next=has_next
    )


def is_htmx(request: HttpRequest) -> bool:
    """An htmx swap of the results only (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_list(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    response = render(request, partial if is_htmx(request) else template, context)
    response["Vary"] = "HX-Request"
    return response


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (CSV injection).

    Names and references come from imported files; "=HYPERLINK(…)" in a
    customer name must stay text when finance opens the export.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Stream a UTF-8 CSV (with a BOM so spreadsheet programs read the accents).

    In French the file follows what French Excel and LibreOffice expect when
    the file is double-clicked: `;` separator, decimal comma, dd/mm/yyyy; in
    English, `,`, decimal point and ISO dates. Cells stay typed (Decimal, date)
    until here. The language is read now: the rows are written after the view
    has returned.
    """
    french = (get_language() or "").startswith("fr")
    writer = csv.writer(_Echo(), delimiter=";" if french else ",")

    def lines() -> Iterator[str]:
        yield codecs.BOM_UTF8.decode("utf-8")
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_csv_cell(cell, french) for cell in row])

    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


def _csv_cell(cell: Any, french: bool) -> Any:
    if isinstance(cell, Decimal):
        return str(cell).replace(".", ",") if french else str(cell)
    if isinstance(cell, dt.date):
        return cell.strftime("%d/%m/%Y") if french else cell.isoformat()
    return spreadsheet_safe(cell)


def chunks(queryset: QuerySet[M], size: int = EXPORT_CHUNK) -> Iterator[list[M]]:
    """Rows in lists of `size`, streaming from the database."""
    batch: list[M] = []
    for row in queryset.iterator(chunk_size=size):
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def amount(value: Decimal | None, currency: str) -> Decimal:
    """An amount for a CSV cell, always to the currency's minor unit."""
    return round_money(Decimal(value or 0), currency)


def today() -> dt.date:
    return timezone.localdate()


def same_site(request: HttpRequest, target: str) -> str | None:
    """`target` when it is an address on this site (a `next` a form posted), else None:
    an action never redirects a user elsewhere."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
