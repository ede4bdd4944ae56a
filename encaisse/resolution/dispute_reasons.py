"""The dispute reasons a new company starts with (installed by a data migration)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

# (code, French label, English label, SLA days): the reasons of SPEC §6.
DEFAULT_REASONS: tuple[tuple[str, str, str, int], ...] = (
    ("pricing", "Erreur de prix", gettext_noop("Pricing error"), 15),
    ("invoicing", "Erreur de facturation", gettext_noop("Invoicing error"), 15),
    ("missing_po", "Bon de commande manquant", gettext_noop("Missing PO"), 10),
    (
        "delivery",
        "Problème de livraison ou de qualité",
        gettext_noop("Delivery or quality issue"),
        30,
    ),
    ("duplicate", "Facture en double", gettext_noop("Duplicate invoice"), 7),
    ("reminder", "Relance inappropriée", gettext_noop("Inappropriate reminder"), 5),
    ("other", "Autre", gettext_noop("Other"), 30),
)


def reasons_install(apps: Any, schema_editor: Any = None) -> None:
    """Create the default reasons that are missing (never changes an edited one)."""
    reason_model = apps.get_model("resolution", "DisputeReason")
    for position, (code, label_fr, label_en, sla_days) in enumerate(DEFAULT_REASONS, start=1):
        reason_model.objects.get_or_create(
            code=code,
            defaults={
                "label_fr": label_fr,
                "label_en": label_en,
                "sla_days": sla_days,
                "position": position * 10,
            },
        )
