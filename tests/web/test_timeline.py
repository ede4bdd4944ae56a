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
            "ledger.allocation.created",
            {
                "amount": "250",
                "source": "payment",
                "source_ref": "VIR 9",
                "balance_after": "0",
                "via": "cash_application",
                "match": {"code": "combination", "numbers": ["F1", "F2"], "count": 2},
            },
            "Affectation de 250,00\u00a0€ du paiement VIR 9\u00a0; solde restant dû\u00a0: "
            "0,00\u00a0€ (rapprochement\u00a0: 2 factures font le montant\u00a0: F1, F2)",
            "€250.00 of payment VIR 9 applied; balance now €0.00 (cash application: 2 invoices "
            "sum to the amount: F1, F2)",
        ),
        (
            "ledger.allocation.created",
            {
                "amount": "40",
                "source": "payment",
                "source_ref": "R1",
                "via": "fec_lettering",
                "lettering": "AB",
            },
            "Lettré en comptabilité (lettrage AB)\u00a0: paiement R1, 40,00\u00a0€ affectés",
            "Lettered in the accounting (lettering AB): €40.00 of payment R1 applied",
        ),
        (
            "ledger.allocation.reversed",
            {
                "amount": "40",
                "source": "payment",
                "source_ref": "R1",
                "invoice": "FA",
                "by": "fec_lettering",
                "lettering": "AB",
                "reason": "x",
                "balance_after": "40",
            },
            "Relettré par la comptabilité (lettrage AB)\u00a0: paiement R1, 40,00\u00a0€ "
            "retirés de la facture FA et de nouveau non affectés",
            "Re-lettered from the accounting (lettering AB): €40.00 of payment R1 taken off "
            "invoice FA and back on account",
        ),
        (
            "ledger.allocation.reversed",
            {
                "amount": "40",
                "source": "credit_note",
                "source_ref": "AV1",
                "invoice": "FA",
                "reason": "erreur",
                "balance_after": "40",
            },
            "Affectation annulée\u00a0: avoir AV1, 40,00\u00a0€ retirés de la facture FA et de "
            "nouveau non affectés (motif\u00a0: «\u00a0erreur\u00a0»)\u00a0; solde restant "
            "dû\u00a0: 40,00\u00a0€",
            "Application undone: €40.00 of credit note AV1 taken off invoice FA and back on "
            "account (reason: “erreur”); balance now €40.00",
        ),
        (
            "ledger.company.updated",
            {"changes": {"cash_auto_apply": True}},
            "Affectation automatique des correspondances sûres après les imports activée",
            "Automatic application of unambiguous matches after imports turned on",
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
