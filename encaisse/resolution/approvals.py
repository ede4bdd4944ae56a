"""The approvals queue: every request waiting for a finance decision, one page.

Each kind of request registers itself (`approval_kind_register`) with its label,
a selector of the pending rows the viewer may see, the template of one row
and the names of its approve/refuse URLs (each takes the row's `pk`). The page
(`web.views.approvals`) lists the kinds in registration order and knows none
of them: instalment plans and write-offs plug in the same way as extensions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise as LazyText
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User
from encaisse.resolution.selectors.payment_plans import can_decide, plans_waiting
from encaisse.resolution.selectors.promises import pending_extensions
from encaisse.resolution.selectors.write_off import write_offs_waiting
from encaisse.resolution.services.write_off import approval_refusal


@dataclass(frozen=True, slots=True)
class ApprovalKind:
    key: str  # "extension", "payment_plan", "write_off"…
    label: LazyText
    pending: Callable[[User], QuerySet[Any]]  # scoped, oldest first
    row_template: str  # rendered with `row`, `kind`, `may_decide`
    approve_url: str  # URL names, reversed with the row's pk
    refuse_url: str
    # Who may decide (default: finance and admins); a write-off above the
    # threshold may need an admin.
    may_decide: Callable[[User, Any], bool] = lambda user, row: user.can_edit_ledger


APPROVAL_KINDS: dict[str, ApprovalKind] = {}


def approval_kind_register(kind: ApprovalKind) -> ApprovalKind:
    if kind.key in APPROVAL_KINDS:
        raise ValueError(f"approval kind {kind.key!r} is registered twice")
    APPROVAL_KINDS[kind.key] = kind
    return kind


approval_kind_register(
    ApprovalKind(
        key="extension",
        label=_("Due-date extensions"),
        pending=pending_extensions,
        row_template="web/resolution/_approval_extension.html",
        approve_url="extension_approve",
        refuse_url="extension_refuse",
    )
)
approval_kind_register(
    ApprovalKind(
        key="payment_plan",
        label=_("Instalment plans"),
        pending=plans_waiting,
        row_template="web/resolution/_approval_payment_plan.html",
        approve_url="payment_plan_approve",
        refuse_url="payment_plan_refuse",
        may_decide=lambda user, row: can_decide(user),
    )
)
approval_kind_register(
    ApprovalKind(
        key="write_off",
        label=_("Write-offs"),
        pending=write_offs_waiting,
        row_template="web/resolution/_approval_write_off.html",
        approve_url="write_off_approve",
        refuse_url="write_off_reject",
        # Above the threshold an admin decides, and nobody approves his own request.
        may_decide=lambda user, row: approval_refusal(user, row) is None,
    )
)
