"""Changing the company's settings (the singleton `Company`)."""

from __future__ import annotations

from django.db import transaction

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.ledger.models import Company


@transaction.atomic
def company_settings_update(*, actor: User | None, cash_auto_apply: bool | None = None) -> Company:
    """Change the settings given (None: unchanged); the timeline records what changed."""
    company = Company.current()
    changes = {}
    if cash_auto_apply is not None and cash_auto_apply != company.cash_auto_apply:
        company.cash_auto_apply = cash_auto_apply
        changes["cash_auto_apply"] = cash_auto_apply
    if changes:
        company.save(update_fields=list(changes))
        activity_record(verb="ledger.company.updated", actor=actor, payload={"changes": changes})
    return company
