"""The settings page: finance saves each group through its service; errors come back
on the fields, every bad field at once; reps and managers cannot reach it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import DunningSettings
from encaisse.ledger.models import Company

pytestmark = pytest.mark.django_db


def identity(**changes: str) -> dict[str, Any]:
    data = {
        "group": "identity", "identity-legal_name": "Encaisse SA", "identity-siren": "",
        "identity-vat_number": "", "identity-address": "", "identity-iban": "",
        "identity-bic": "", "identity-email": "", "identity-phone": "",
        "identity-currency": "EUR", "identity-language": "fr",
    }  # fmt: skip
    return data | {f"identity-{k}": v for k, v in changes.items()}


def test_finance_saves_the_identity_through_its_service(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert 'id="identity-form"' in client.get("/settings/").content.decode()
    response = client.post("/settings/", identity(siren="552 100 554"))
    assert response["Location"] == "/settings/"
    company = Company.current()
    assert (company.legal_name, company.siren) == ("Encaisse SA", "552100554")
    assert Activity.objects.get(verb="ledger.company.updated").actor == alice


def test_every_bad_field_comes_back_on_its_field(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post("/settings/", identity(siren="123", iban="FR76", legal_name=""))
    page = response.content.decode()
    assert response.status_code == 200
    for field in ("siren", "iban", "legal_name"):
        assert f'id="id_identity-{field}-error"' in page
    assert Company.current().legal_name == "Ma Société"


def test_dunning_settings_are_saved_with_the_gap(client: Client, alice: User) -> None:
    client.force_login(alice)
    data = {
        "group": "dunning", "dunning-run_at": "06:30", "dunning-min_contact_gap_days": "5",
        "dunning-freshness_max_hours": "72", "dunning-promise_grace_days": "3",
        "dunning-notice_deadline_days": "8", "dunning-max_delivery_attempts": "8",
        "dunning-claim_penalties": "on", "dunning-contractual_penalty_rate": "5",
        "dunning-legal_interest_rate": "2.760", "dunning-recovery_indemnity": "40.00",
    }  # fmt: skip
    refused = client.post("/settings/", data)
    assert 'id="id_dunning-contractual_penalty_rate-error"' in refused.content.decode()
    data["dunning-contractual_penalty_rate"] = ""
    assert client.post("/settings/", data).status_code == 302
    assert Company.current().min_contact_gap_days == 5
    assert DunningSettings.current().run_at.strftime("%H:%M") == "06:30"


@pytest.mark.parametrize("name", ["bob", "dave"])
def test_reps_and_managers_cannot_change_settings(
    client: Client, everyone: dict[str, User], name: str
) -> None:
    client.force_login(everyone[name])
    assert client.get("/settings/").status_code == 403
    assert client.post("/settings/", identity(legal_name="Pirate")).status_code == 403
    assert Company.current().legal_name == "Ma Société"
