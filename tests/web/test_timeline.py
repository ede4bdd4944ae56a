"""Timeline sentences: one per verb, translated, with a generic fallback."""

from __future__ import annotations

import pytest
from django.utils import translation

from encaisse.collab.models import Activity
from encaisse.web.timeline import sentence


@pytest.mark.parametrize(
    ("verb", "payload", "french", "english"),
    [
        (
            "ledger.payment.recorded",
            {"amount": "1234.5", "currency": "EUR", "date": "2026-02-25", "reference": "VIR 1"},
            "Paiement de 1\u202f234,50\u00a0€ reçu le 25/02/2026 (réf. VIR 1)",
            "Payment of €1,234.50 received on 02/25/2026 (ref. VIR 1)",
        ),
        (
            "ledger.allocation.created",
            {"amount": "10", "source": "credit_note", "source_ref": "AV1", "balance_after": "5"},
            "Affectation de 10,00\u00a0€ de l'avoir AV1\u00a0; solde restant dû\u00a0: 5,00\u00a0€",
            "€10.00 of credit note AV1 applied; balance now €5.00",
        ),
        (
            "dunning.email.sent",
            {"step": 2, "nested": {"ignored": True}},
            "Évènement «\u00a0email sent\u00a0» (step: 2)",
            "Event “email sent” (step: 2)",
        ),
        (
            "ledger.invoice.created",
            {"number": "F1"},  # malformed: no amount nor due date
            "Évènement «\u00a0invoice created\u00a0» (number: F1)",
            "Event “invoice created” (number: F1)",
        ),
    ],
)
def test_sentences(verb: str, payload: dict[str, object], french: str, english: str) -> None:
    activity = Activity(verb=verb, payload=payload)
    with translation.override("fr"):
        assert sentence(activity) == french
    with translation.override("en"):
        assert sentence(activity) == english
