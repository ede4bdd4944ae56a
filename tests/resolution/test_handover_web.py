"""The handover and agency pages: forms, errors on their fields, the case file download."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.resolution.models.handover import CollectionAgency, Handover, HandoverStatus
from tests.resolution.handover_helpers import agency, dunned_customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_finance_hands_over_from_the_customer_page_and_downloads_the_case_file(
    client: Client, alice: User, bob: User
) -> None:
    customer, (big, _small) = dunned_customer(bob, days=())
    firm = agency(alice)
    client.force_login(alice)
    page = client.get(reverse("customer", args=[customer.pk])).content.decode()
    assert reverse("handover_new", args=[customer.pk]) in page
    partial = client.get(reverse("handover_new", args=[customer.pk]), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="handover-form"' in partial.content
    response = client.post(
        reverse("handover_new", args=[customer.pk]),
        {"kind": "agency", "agency": firm.pk, "invoices": [big.pk], "note": "dossier 42"},
    )
    handover = Handover.objects.get(customer=customer)
    assert response.status_code == 302
    assert response["Location"] == reverse("handover", args=[handover.public_id])
    assert not handover.whole_account and handover.fee_percent == Decimal("12.50")
    detail = client.get(response["Location"]).content.decode()
    assert "Recouvre &amp; Fils" in detail and big.number in detail
    download = client.get(reverse("handover_case_file", args=[handover.public_id]))
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.getvalue()))
    assert "README.txt" in archive.namelist()
    listing = client.get(reverse("handovers")).content.decode()
    assert customer.name in listing
    client.post(reverse("handover_recall", args=[handover.public_id]), {"comment": "payé"})
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.RECALLED and handover.end_note == "payé"


def test_bad_input_shows_errors_on_the_fields_and_writes_nothing(
    client: Client, alice: User, bob: User
) -> None:
    customer, _invoices = dunned_customer(bob, days=())
    firm = agency(alice)
    client.force_login(alice)
    url = reverse("handover_new", args=[customer.pk])
    for data, field in (
        ({"kind": "agency", "agency": firm.pk, "fee_percent": "150", "whole_account": "on"},
         "fee_percent"),
        ({"kind": "agency", "whole_account": "on"}, "agency"),
        ({"kind": "agency", "agency": firm.pk}, "invoices"),
        ({"kind": "agency", "agency": firm.pk, "whole_account": "on", "handed_on": "2099-01-01"},
         "handed_on"),
        ({"kind": "nobody", "whole_account": "on"}, "kind"),
    ):  # fmt: skip
        response = client.post(url, data)
        assert response.status_code == 200, field
        assert field in response.context["form"].errors, (field, response.context["form"].errors)
    assert not Handover.objects.exists()


def test_a_rep_sees_the_handover_but_cannot_act(client: Client, alice: User, bob: User) -> None:
    customer, _invoices = dunned_customer(bob, days=())
    client.force_login(alice)
    client.post(
        reverse("handover_new", args=[customer.pk]), {"kind": "litigation", "whole_account": "on"}
    )
    handover = Handover.objects.get()
    client.force_login(bob)
    page = client.get(reverse("customer", args=[customer.pk])).content.decode()
    assert reverse("handover", args=[handover.public_id]) in page
    assert reverse("handover_new", args=[customer.pk]) not in page
    assert client.post(reverse("handover_close", args=[handover.public_id])).status_code == 403
    assert client.get(reverse("handover_new", args=[customer.pk])).status_code == 403


def test_finance_edits_the_agencies(client: Client, alice: User) -> None:
    client.force_login(alice)
    bad = client.post(reverse("agencies"), {"name": "Cabinet", "fee_percent": "101"})
    assert "fee_percent" in bad.context["form"].errors
    client.post(
        reverse("agencies"),
        {"name": "Cabinet Martin", "fee_percent": "15", "fixed_fee": "50", "active": "on"},
    )
    firm = CollectionAgency.objects.get()
    client.post(reverse("agency", args=[firm.pk]), {"name": "Cabinet Martin & associés"})
    firm.refresh_from_db()
    assert firm.name == "Cabinet Martin & associés" and not firm.active
    assert firm.fee_percent is None  # cleared on the form, cleared here
