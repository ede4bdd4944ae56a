"""Changing the company-wide dunning knobs (`DunningSettings`, and the minimum gap
between two contacts, which is kept on `Company`).

Shared by the web, the admin and the REST API: every field is optional (None,
or `KEEP` for the contractual rate where None means "the legal rate"), every
bad field is reported at once, only changed fields are written, and the
timeline records old → new.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.dunning.models import DunningSettings
from encaisse.ledger.models import Company
from encaisse.lib.changes import KEEP, Changes, Keep, assign_changes, changes_payload, given
from encaisse.lib.errors import Message, ValidationFailed

# (minimum, maximum) of each whole-number knob: outside them a typo, not a choice.
BOUNDS: dict[str, tuple[int, int]] = {
    "freshness_max_hours": (0, 24 * 365),
    "promise_grace_days": (0, 90),
    "notice_deadline_days": (1, 90),
    "max_delivery_attempts": (1, 50),
    "min_contact_gap_days": (0, 90),
}
RATE_MAX = Decimal("100")
INDEMNITY_MAX = Decimal("10000")


def _bounds_message(field: str) -> Message:
    low, high = BOUNDS[field]
    messages: dict[str, Message] = {
        "freshness_max_hours": _("The freshness guard is between %(low)s and %(high)s hours."),
        "promise_grace_days": _("The grace after a promise is between %(low)s and %(high)s days."),
        "notice_deadline_days": _(
            "The formal notice deadline is between %(low)s and %(high)s days."
        ),
        "max_delivery_attempts": _("Delivery attempts are between %(low)s and %(high)s."),
        "min_contact_gap_days": _(
            "The minimum gap between two contacts is between %(low)s and %(high)s days."
        ),
    }
    return messages[field] % {"low": low, "high": high}


def dunning_settings_check(values: dict[str, Any], current: DunningSettings) -> None:
    """Every bad value among `values` (checked against `current` for the rest), at once."""
    errors: dict[str, list[Message]] = {}
    for field, (low, high) in BOUNDS.items():
        if field in values and not (low <= values[field] <= high):
            errors[field] = [_bounds_message(field)]
    legal = values.get("legal_interest_rate", current.legal_interest_rate)
    if "legal_interest_rate" in values and not (Decimal("0") <= legal <= RATE_MAX):
        errors["legal_interest_rate"] = [_("The legal interest rate is between 0 and 100 %.")]
    contractual = values.get("contractual_penalty_rate", current.contractual_penalty_rate)
    checks_rate = "contractual_penalty_rate" in values or "legal_interest_rate" in values
    if checks_rate and contractual is not None:
        if contractual > RATE_MAX:
            errors["contractual_penalty_rate"] = [
                _("The contractual penalty rate is at most 100 %.")
            ]
        elif contractual < 3 * legal:
            # Code de commerce L441-10: never below three times the legal interest rate.
            errors["contractual_penalty_rate"] = [
                _(
                    "The contractual penalty rate may not be below three times the legal "
                    "interest rate (%(floor)s %%)."
                )
                % {"floor": 3 * legal}
            ]
    indemnity = values.get("recovery_indemnity")
    if indemnity is not None and not (Decimal("0") <= indemnity <= INDEMNITY_MAX):
        errors["recovery_indemnity"] = [
            _("The recovery indemnity is between 0 and %(max)s.") % {"max": INDEMNITY_MAX}
        ]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def dunning_settings_update(
    *,
    actor: User | None,
    run_at: dt.time | None = None,
    freshness_max_hours: int | None = None,
    promise_grace_days: int | None = None,
    notice_deadline_days: int | None = None,
    contractual_penalty_rate: Decimal | Keep | None = KEEP,
    legal_interest_rate: Decimal | None = None,
    recovery_indemnity: Decimal | None = None,
    claim_penalties: bool | None = None,
    max_delivery_attempts: int | None = None,
    min_contact_gap_days: int | None = None,
) -> DunningSettings:
    """Change the dunning settings given; the go-live policy has its own service
    (`go_live_policy_update`): it wakes held invoices and confirms the first run."""
    values = given(locals() | {"actor": None})
    if contractual_penalty_rate is None:
        values["contractual_penalty_rate"] = None  # back to the legal rate
    policy = DunningSettings.objects.select_for_update().get(pk=DunningSettings.current().pk)
    dunning_settings_check(values, policy)
    gap = values.pop("min_contact_gap_days", None)
    changes: Changes = assign_changes(policy, values)
    if changes:
        policy.save(update_fields=list(changes))
    if gap is not None:
        # The gap is read by the ledger's manual reminders too, hence on Company.
        company = Company.objects.select_for_update().get(pk=Company.current().pk)
        gap_changes = assign_changes(company, {"min_contact_gap_days": gap})
        if gap_changes:
            company.save(update_fields=["min_contact_gap_days"])
            changes |= gap_changes
    if changes:
        activity_record(
            verb="dunning.settings.updated",
            actor=actor,
            payload={"changes": changes_payload(changes)},
        )
    return policy
