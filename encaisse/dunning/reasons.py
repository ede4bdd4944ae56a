"""Human labels for the reason codes the engine and the outbox record.

Codes are stored (actions' `status_reason`, skipped steps' `reason`, states'
`reason_params["block"]`) so that the explanation can be shown in the
reader's language later.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from encaisse.dunning.models import HoldReason
from encaisse.ledger.models.customer import CustomerStatus

SKIP_REASONS: dict[str, Promise] = {
    "caught_up": _("passed over: a later step was due at the same time"),
    "below_threshold": _("open balance below the step's minimum"),
    "too_late": _("preventive step reached after the due date"),
}

ACTION_REASONS: dict[str, Promise] = {
    "settled": _("paid or credited before delivery"),
    "covered": _("covered by cash on account before delivery"),
    "blocked": _("blocked before delivery"),
    "review_skipped": _("skipped at review"),
    "delivery_failed": _("delivery failed"),
    "extended": _("due date extended before delivery"),
    **SKIP_REASONS,
}


def block_label(code: str) -> str:
    """A block code: a hold reason, or "status:<customer status>"."""
    if code.startswith("status:"):
        status = code.partition(":")[2]
        return str(
            _("customer status: %(status)s")
            % {"status": dict(CustomerStatus.choices).get(status, status)}
        )
    return str(dict(HoldReason.choices).get(code, code))


def reason_label(code: str) -> str:
    return str(ACTION_REASONS.get(code, code))
