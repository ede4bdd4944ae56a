"""What a new deployment starts with: the default plan, templates and rate table.

Plain data, installed by migration 0002 (and reinstallable through
`install_defaults`); finance edits them afterwards in the UI.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_PLAN_NAME = "Plan standard"
DEFAULT_STEPS: tuple[dict[str, Any], ...] = (
    {
        "name": "Rappel préventif",
        "offset_days": -5,
        "action": "email",
        "template_code": "preventive",
        "sender": "account_manager",
    },
    {
        "name": "Relance 1",
        "offset_days": 3,
        "action": "email",
        "template_code": "reminder_1",
        "sender": "account_manager",
    },
    {
        "name": "Relance 2",
        "offset_days": 10,
        "action": "email",
        "template_code": "reminder_2",
        "sender": "company",
    },
    {
        "name": "Appel du commercial",
        "offset_days": 15,
        "action": "call_task",
        "assignee": "account_manager",
    },
    {
        "name": "Appel formel (finance)",
        "offset_days": 25,
        "action": "call_task",
        "assignee": "finance",
    },
    {
        "name": "Mise en demeure",
        "offset_days": 30,
        "action": "formal_notice",
        "template_code": "formal_notice",
        "sender": "company",
        "mode": "review",
        "registered_mail": True,
        "min_balance": Decimal("50.00"),
    },
    {
        "name": "Transmission au recouvrement",
        "offset_days": 45,
        "action": "escalate",
        "template_code": "agency_notice",
        "sender": "company",
        "mode": "review",
        "min_balance": Decimal("200.00"),
    },
)

# ECB main refinancing rate in force on 1 January / 1 July (Banque de France
# publications); penalty rate = ECB + 10 points. A semester missing from the
# table uses the latest earlier one: add each new semester when published.
PENALTY_RATES: tuple[tuple[dt.date, Decimal], ...] = (
    (dt.date(2022, 1, 1), Decimal("0.00")),
    (dt.date(2022, 7, 1), Decimal("0.00")),
    (dt.date(2023, 1, 1), Decimal("2.50")),
    (dt.date(2023, 7, 1), Decimal("4.00")),
    (dt.date(2024, 1, 1), Decimal("4.50")),
    (dt.date(2024, 7, 1), Decimal("4.25")),
    (dt.date(2025, 1, 1), Decimal("3.15")),
    (dt.date(2025, 7, 1), Decimal("2.15")),
    (dt.date(2026, 1, 1), Decimal("2.15")),
)

TEMPLATE_DIR = Path(__file__).parent / "default_templates"


def default_templates() -> dict[tuple[str, str], tuple[str, str, str]]:
    """(code, language) -> (name, subject, body), read from `default_templates/<code>.<lang>.txt`.

    Each file: a "Name:" line, a "Subject:" line, a blank line, the body.
    """
    templates = {}
    for path in sorted(TEMPLATE_DIR.glob("*.txt")):
        code, language = path.stem.split(".")
        head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        fields = dict(line.split(": ", 1) for line in head.splitlines())
        templates[(code, language)] = (fields["Name"], fields["Subject"], body.rstrip("\n"))
    return templates


def install_defaults(apps: Any) -> None:
    """Create what is missing (idempotent); never overwrite an edited record."""
    plan_model = apps.get_model("dunning", "DunningPlan")
    step_model = apps.get_model("dunning", "DunningStep")
    template_model = apps.get_model("dunning", "MessageTemplate")
    rate_model = apps.get_model("dunning", "LatePenaltyRate")
    if not plan_model.objects.filter(is_default=True).exists():
        plan = plan_model.objects.create(
            name=DEFAULT_PLAN_NAME,
            is_default=True,
            description="J−5 préventif, J+3 et J+10 relances, J+15 appel commercial, "
            "J+25 appel finance, J+30 mise en demeure, J+45 recouvrement.",
        )
        for step in DEFAULT_STEPS:
            step_model.objects.create(plan=plan, **step)
    for (code, language), (name, subject, body) in default_templates().items():
        template_model.objects.get_or_create(
            code=code, language=language, defaults={"name": name, "subject": subject, "body": body}
        )
    for starts_on, ecb in PENALTY_RATES:
        rate_model.objects.get_or_create(
            starts_on=starts_on, defaults={"ecb_rate": ecb, "penalty_rate": ecb + Decimal("10")}
        )
