"""`updated_since`: the API's "updated since" keyset pages, scoped like every list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.ledger.models import Invoice
from encaisse.ledger.selectors import invoices_visible_to, updated_since
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def test_pages_follow_the_cursor_and_stay_in_scope(bob: User, carol: User, alice: User) -> None:
    mine, theirs = make_customer(bob), make_customer(carol)
    with time_machine.travel(T0, tick=False):
        same_moment = [make_invoice(mine) for _ in range(3)]  # ties broken by id
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        later = make_invoice(mine)
        make_invoice(theirs)
    pages: list[list[Invoice]] = []
    cursor: tuple[dt.datetime, int] | None = None
    while page := list(updated_since(invoices_visible_to(bob), after=cursor)[:2]):
        pages.append(page)
        cursor = (page[-1].updated_at, page[-1].pk)
    assert [[i.pk for i in page] for page in pages] == [
        [same_moment[0].pk, same_moment[1].pk],
        [same_moment[2].pk, later.pk],
    ]
    recent = updated_since(invoices_visible_to(alice), since=T0 + dt.timedelta(minutes=1))
    assert recent.count() == 2
    assert list(updated_since(invoices_visible_to(bob), since=T0 + dt.timedelta(minutes=1))) == [
        later
    ]
