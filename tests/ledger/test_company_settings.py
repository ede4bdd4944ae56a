"""Company settings services: every bad field at once, only changes written, timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Company
from encaisse.ledger.services.company import (
    company_identity_update,
    company_settings_update,
    company_terms_update,
)
from encaisse.lib.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_identity_is_checked_field_by_field_and_all_bad_fields_are_listed(alice: User) -> None:
    with pytest.raises(ValidationFailed) as failed:
        company_identity_update(
            actor=alice,
            legal_name="  ",
            siren="123456789",
            vat_number="FR00123",
            iban="FR76 0000",
            email="not-an-email",
            currency="euro",
            language="de",
        )
    assert set(failed.value.errors) == {
        "legal_name", "siren", "vat_number", "iban", "email", "currency", "language",
    }  # fmt: skip
    assert "SIREN" in failed.value.errors["siren"][0]
    assert Company.current().legal_name == "Ma Société"
    assert not Activity.objects.filter(verb="ledger.company.updated").exists()


def test_identifiers_are_stored_compact_and_the_timeline_says_old_and_new(alice: User) -> None:
    company = company_identity_update(
        actor=alice,
        legal_name="Encaisse SA",
        siren="552 100 554",
        vat_number="FR 96 552100554",
        email="relances@encaisse.test",
        currency="eur",
    )
    assert (company.siren, company.vat_number, company.currency) == (
        "552100554", "FR96552100554", "EUR",
    )  # fmt: skip
    entry = Activity.objects.get(verb="ledger.company.updated")
    assert entry.actor == alice
    assert entry.payload["group"] == "identity"
    assert entry.payload["changes"]["legal_name"] == {"from": "Ma Société", "to": "Encaisse SA"}
    assert "currency" not in entry.payload["changes"]  # "eur" is EUR: unchanged


def test_only_the_changed_fields_are_written(alice: User) -> None:
    company_identity_update(actor=alice, legal_name="Encaisse SA")
    with CaptureQueriesContext(connection) as queries:
        company_identity_update(actor=alice, legal_name="Encaisse SAS", phone="")
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert '"legal_name"' in updates[0] and '"phone"' not in updates[0]
    assert '"address"' not in updates[0]


def test_nothing_changed_writes_nothing(alice: User) -> None:
    company_terms_update(actor=alice, default_terms_days=30, default_terms_end_of_month=False)
    assert not Activity.objects.filter(verb="ledger.company.updated").exists()


def test_terms_are_bounded(alice: User) -> None:
    with pytest.raises(ValidationFailed) as failed:
        company_terms_update(actor=alice, default_terms_days=400)
    assert list(failed.value.errors) == ["default_terms_days"]
    company = company_terms_update(actor=alice, default_terms_days=45)
    assert Company.current().default_terms_days == company.default_terms_days == 45


def test_cash_settings_keep_their_service(alice: User) -> None:
    with pytest.raises(ValidationFailed):
        company_settings_update(actor=alice, amount_tolerance=Decimal("-1"))
    company_settings_update(actor=alice, cash_auto_apply=True, amount_tolerance=Decimal("0.05"))
    company = Company.current()
    assert company.cash_auto_apply and company.amount_tolerance == Decimal("0.05")
    changes = Activity.objects.get(verb="ledger.company.updated").payload["changes"]
    assert changes["amount_tolerance"] == {"from": "0.00", "to": "0.05"}
