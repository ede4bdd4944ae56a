"""Handovers and write-offs through the REST API: what a client sees and can do."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from encaisse.accounts.models import User
from encaisse.ledger.services.records import payment_record
from encaisse.lib import clock
from encaisse.resolution.models.handover import Handover
from tests.api.conftest import token_client
from tests.dunning.conftest import invoice_due
from tests.resolution.handover_helpers import DUE, agency, dunned_customer

pytestmark = pytest.mark.django_db


def test_hand_over_track_recovery_download_and_recall(
    alice: User, bob: User, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    customer, (big, _small) = dunned_customer(bob, days=())
    firm = agency(alice)
    api = token_client(alice, **{"Idempotency-Key": "handover-1"})
    body = {"customer_id": customer.pk, "agency_id": firm.pk, "invoice_ids": [big.pk]}
    created = api.post("/api/v1/handovers", body, content_type="application/json")
    assert created.status_code == 201, created.content
    again = api.post("/api/v1/handovers", body, content_type="application/json")
    assert again.json() == created.json() and Handover.objects.count() == 1  # done once
    data = created.json()
    assert data["invoice_ids"] == [big.pk] and data["fees"] == "40.00"
    payment_record(
        actor=alice, customer=customer, amount=Decimal("200"), date=clock.today(), external_key="P",
        remittance=big.number,
    )  # fmt: skip
    reader = token_client(bob, "read")
    got = reader.get(f"/api/v1/handovers/{data['id']}").json()
    assert got["recovered"] == "200.00" and got["fees"] == "65.00"
    listed = reader.get("/api/v1/handovers", {"status": "active"}).json()["results"]
    assert [item["id"] for item in listed] == [data["id"]]
    zipped = reader.get(f"/api/v1/handovers/{data['id']}/case-file")
    assert zipped["Content-Type"] == "application/zip"
    assert "README.txt" in zipfile.ZipFile(io.BytesIO(zipped.getvalue())).namelist()
    assert (
        reader.post(
            f"/api/v1/handovers/{data['id']}/recall", {}, content_type="application/json"
        ).status_code
        == 403
    )
    recalled = token_client(alice).post(
        f"/api/v1/handovers/{data['id']}/recall", {"comment": "payé"},
        content_type="application/json",
    )  # fmt: skip
    assert recalled.json()["status"] == "recalled"
    closed = token_client(alice).post(
        f"/api/v1/handovers/{data['id']}/close", {}, content_type="application/json"
    )
    assert closed.status_code == 409


def test_bad_handover_requests_are_422_with_the_field(alice: User, bob: User) -> None:
    customer, _invoices = dunned_customer(bob, days=())
    api = token_client(alice)
    for body, pointer in (
        ({"customer_id": customer.pk, "kind": "agency"}, "agency"),
        ({"customer_id": customer.pk, "agency_id": 999}, "agency_id"),
        ({"customer_id": customer.pk, "kind": "litigation", "invoice_ids": [999]}, "invoice_ids"),
        ({"customer_id": customer.pk, "kind": "litigation", "fee_percent": "101"}, "fee_percent"),
    ):
        answer = api.post("/api/v1/handovers", body, content_type="application/json")
        assert answer.status_code == 422, body
        assert pointer in str(answer.json()["errors"]), answer.json()
    assert not Handover.objects.exists()


def test_write_off_request_and_decision(ada: User, alice: User, bob: User) -> None:
    customer, (big, other) = dunned_customer(bob, days=())
    small = invoice_due(customer, DUE, "30.00")
    api = token_client(alice)
    requested = api.post(
        "/api/v1/write-offs",
        {"customer_id": customer.pk, "invoice_ids": [small.pk], "reason": "too_small"},
        content_type="application/json",
    )
    assert requested.status_code == 201
    public_id = requested.json()["id"]
    assert requested.json()["lines"] == [{"invoice_id": small.pk, "amount": "30.00"}]
    assert (
        api.post(
            f"/api/v1/write-offs/{public_id}/approve", {}, content_type="application/json"
        ).status_code
        == 403
    )  # his own
    assert (
        token_client(bob)
        .post(f"/api/v1/write-offs/{public_id}/approve", {}, content_type="application/json")
        .status_code
        == 403
    )
    approved = token_client(ada).post(
        f"/api/v1/write-offs/{public_id}/approve", {}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    rejected = token_client(ada).post(
        f"/api/v1/write-offs/{public_id}/reject", {}, content_type="application/json"
    )
    assert rejected.status_code == 409
    invoice = token_client(bob, "read").get(f"/api/v1/invoices/{small.pk}").json()
    assert invoice["status"] == "written_off" and invoice["balance"] == "30.00"
    customer_row = token_client(bob, "read").get(f"/api/v1/customers/{customer.pk}").json()
    assert customer_row["open_balance"] == str(big.balance + other.balance)  # 30.00 left out
