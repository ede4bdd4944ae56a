"""What a formal notice claims beside the principal (SPEC §4.6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from encaisse.accounts.models import User
from encaisse.dunning.models import DunningSettings, LatePenaltyRate
from encaisse.dunning.rendering.context import lines_for
from tests.dunning.conftest import invoice_due, remindable_customer

pytestmark = pytest.mark.django_db


def test_a_contractual_rate_applies_even_with_an_empty_rate_table(bob: User) -> None:
    LatePenaltyRate.objects.all().delete()
    DunningSettings.objects.update_or_create(
        pk=1, defaults={"contractual_penalty_rate": Decimal("15.000")}
    )
    invoice = invoice_due(remindable_customer(bob), dt.date(2026, 1, 31), "3650.00")
    (line,) = lines_for([invoice], dt.date(2026, 3, 2), claims=True)
    # 3 650.00 × 15 % × 30 days / 365 = 45.00
    assert (line.days_late, line.penalty, line.indemnity) == (
        30,
        Decimal("45.00"),
        Decimal("40.00"),
    )


def test_without_any_rate_the_indemnity_is_still_claimed(bob: User) -> None:
    LatePenaltyRate.objects.all().delete()
    invoice = invoice_due(remindable_customer(bob), dt.date(2026, 1, 31), "3650.00")
    (line,) = lines_for([invoice], dt.date(2026, 3, 2), claims=True)
    assert (line.penalty, line.indemnity) == (Decimal("0.00"), Decimal("40.00"))


def test_claims_can_be_waived_company_wide(bob: User) -> None:
    DunningSettings.objects.update_or_create(pk=1, defaults={"claim_penalties": False})
    invoice = invoice_due(remindable_customer(bob), dt.date(2026, 1, 31), "3650.00")
    (line,) = lines_for([invoice], dt.date(2026, 3, 2), claims=True)
    assert (line.penalty, line.indemnity) == (Decimal("0.00"), Decimal("0.00"))


def test_the_pdf_drops_a_recital_of_the_totals_but_keeps_a_sentence_ending_with_an_amount() -> None:
    from encaisse.dunning.rendering.context import Content
    from encaisse.dunning.rendering.pdf import body_blocks

    table = "Facture  Solde\nF1       1 234,00 €"
    content = Content(
        subject="",
        text=f"Madame,\n\n{table}\n\nTotal dû : 1 234,00 €\n\n"
        "Merci de régler la somme de 1 234,00 €",
        html="",
        lines=[],
        language="fr",
        claims=False,
        values={"invoices_table": table, "total_due": "1 234,00 €"},
    )
    before, after = body_blocks(content)
    assert before == ["Madame,"]
    assert after == ["Merci de régler la somme de 1 234,00 €"]
