"""Payment list and payment export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from encaisse.ledger.services import payment_record
from tests.web.conftest import Portfolio
from tests.web.test_ledger_customers import export_rows


@pytest.fixture
def on_account(bobs: Portfolio) -> None:
    payment_record(
        actor=None,
        customer=bobs.customer,
        amount=Decimal("80.00"),
        date=dt.date(2026, 3, 10),
        external_key="BOB-ADVANCE",
        bank_reference="ACOMPTE",
        method="cheque",
        strategy=None,
    )


def test_the_list_shows_allocated_and_on_account(
    client: Client, alice: User, bobs: Portfolio, carols: Portfolio, on_account: None
) -> None:
    client.force_login(alice)
    page = client.get("/payments/").content.decode()
    assert "VIR BOB-PAID" in page and "VIR CAROL-PAID" in page
    assert "ACOMPTE" in page and "80,00\u00a0€" in page
    assert page.index("ACOMPTE") < page.index("VIR BOB-PAID")  # latest first


def test_filters(
    client: Client, bob: User, bobs: Portfolio, carols: Portfolio, on_account: None
) -> None:
    client.force_login(bob)
    page = client.get("/payments/").content.decode()
    assert "VIR CAROL-PAID" not in page
    only = client.get("/payments/", {"on_account": "on"}).content.decode()
    assert "ACOMPTE" in only and "VIR BOB-PAID" not in only
    cheques = client.get("/payments/", {"method": "cheque"}).content.decode()
    assert "ACOMPTE" in cheques and "VIR BOB-PAID" not in cheques
    march = client.get("/payments/", {"since": "2026-03-01"}).content.decode()
    assert "ACOMPTE" in march and "VIR BOB-PAID" not in march
    february = client.get("/payments/", {"until": "2026-02-28"}).content.decode()
    assert "ACOMPTE" not in february and "VIR BOB-PAID" in february
    search = client.get("/payments/", {"q": "acompte"}).content.decode()
    assert "ACOMPTE" in search and "VIR BOB-PAID" not in search
    assert client.get("/payments/", {"customer": carols.customer.pk}).status_code == 404


def test_the_list_runs_a_bounded_number_of_queries(
    client: Client, bob: User, bobs: Portfolio, settings: Any
) -> None:
    settings.ENCAISSE_PAGE_SIZE = 50
    client.force_login(bob)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/payments/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(15):
        payment_record(
            actor=None,
            customer=bobs.customer,
            amount=Decimal("5.00"),
            date=dt.date(2026, 3, 1),
            external_key=f"P{n}",
            strategy=None,
        )
    assert queries() == few <= 8


def test_export(
    client: Client, dave: User, bobs: Portfolio, carols: Portfolio, on_account: None
) -> None:
    client.force_login(dave)
    rows = export_rows(client.get("/payments/export.csv"))
    assert rows[0][0] == "Date"
    by_key = {row[3]: row for row in rows[1:]}
    assert set(by_key) == {"BOB-PAY", "BOB-ADVANCE"}
    # French spreadsheet conventions: decimal comma, dd/mm/yyyy (and `;`, read above).
    assert by_key["BOB-ADVANCE"][-3:] == ["80,00", "0,00", "80,00"]
    assert by_key["BOB-PAY"][-3:] == ["450,00", "450,00", "0,00"]
    assert by_key["BOB-PAY"][0] == "25/02/2026"


def test_export_in_english_uses_commas_points_and_iso_dates(
    client: Client, dave: User, bobs: Portfolio
) -> None:
    dave.language = "en"
    dave.save()
    client.force_login(dave)
    content = b"".join(client.get("/payments/export.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    by_key = {row[3]: row for row in rows[1:]}
    assert by_key["BOB-PAY"][0] == "2026-02-25"
    assert by_key["BOB-PAY"][-3:] == ["450.00", "450.00", "0.00"]
