"""The rules a plan and its steps obey, checked before anything is written.

Shared by the plan services (web editor, admin, REST API): each check
collects every broken rule, keyed by the field it is about ("steps.2.offset_days"
for the third step of a list), and the service raises them at once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import Role, User
from encaisse.dunning.models import (
    DunningPlan,
    MessageTemplate,
    StepAction,
    StepAssignee,
    StepMode,
    StepSender,
)
from encaisse.lib.errors import Message

OFFSET_MIN, OFFSET_MAX = -365, 3650
RISK_CLASSES = re.compile(r"^[A-Za-z](\s*[,;]\s*[A-Za-z])*\s*$")
# Steps that end a plan's story: a second formal notice or handover means nothing
# (the first escalation stops automatic dunning; a notice is the last word).
ONCE_PER_PLAN = (StepAction.FORMAL_NOTICE, StepAction.ESCALATE)

Errors = dict[str, list[Message]]


@dataclass(frozen=True, slots=True)
class StepFields:
    """A step's values as the services take them; `id` names an existing step of
    the plan when a whole list of steps replaces the plan's (None: a new step)."""

    name: str
    offset_days: int
    action: str
    template_code: str = ""
    mode: str = "automatic"
    min_balance: Decimal = Decimal("0.00")
    sender: str = "company"
    sender_user: User | None = None
    assignee: str = "account_manager"
    registered_mail: bool = False
    id: int | None = None


def plan_errors(
    *,
    plan: DunningPlan | None,
    name: str | None,
    risk_classes: str | None,
    is_default: bool | None,
) -> Errors:
    """The plan's own fields (None: unchanged)."""
    errors: Errors = {}
    if name is not None:
        clean = name.strip()
        others = DunningPlan.objects.filter(name__iexact=clean)
        if plan is not None:
            others = others.exclude(pk=plan.pk)
        if not clean:
            errors["name"] = [_("The plan needs a name.")]
        elif len(clean) > 120:
            errors["name"] = [_("A plan's name is at most 120 characters.")]
        elif others.exists():
            errors["name"] = [_("Another plan already has this name.")]
    if (risk_classes and not RISK_CLASSES.match(risk_classes)) or len(risk_classes or "") > 40:
        errors["risk_classes"] = [_("Risk classes are single letters: C,D")]
    if plan is not None and plan.is_default and is_default is False:
        errors["is_default"] = [
            _("Customers would be left without a plan: make another plan the default instead.")
        ]
    return errors


def step_errors(fields: StepFields, *, prefix: str = "") -> Errors:
    """One step's own fields; `prefix` ("steps.2.") places them in a list."""
    errors: Errors = {}

    def add(field: str, message: Message) -> None:
        errors.setdefault(f"{prefix}{field}", []).append(message)

    if not fields.name.strip():
        add("name", _("The step needs a name."))
    elif len(fields.name.strip()) > 120:
        add("name", _("A step's name is at most 120 characters."))
    if not (OFFSET_MIN <= fields.offset_days <= OFFSET_MAX):
        add(
            "offset_days",
            _("A step is between %(min)s and %(max)s days from the due date.")
            % {"min": OFFSET_MIN, "max": OFFSET_MAX},
        )
    choices = (
        ("action", fields.action, StepAction.values),
        ("mode", fields.mode, StepMode.values),
        ("sender", fields.sender, StepSender.values),
        ("assignee", fields.assignee, StepAssignee.values),
    )
    for field, value, allowed in choices:
        if value not in allowed:
            add(field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    if fields.min_balance < 0:
        add("min_balance", _("The minimum open balance cannot be negative."))
    if fields.sender == StepSender.FINANCE_USER:
        if fields.sender_user is None:
            add("sender_user", _("Choose the finance user who signs."))
        elif not _may_sign(fields.sender_user):
            add("sender_user", _("The signing user must be an active finance user."))
    code = fields.template_code
    if code and not MessageTemplate.objects.filter(code=code).exists():
        add("template_code", _("There is no template “%(code)s”.") % {"code": code})
    return errors


def _may_sign(user: User) -> bool:
    return (
        User.objects.filter(pk=user.pk, is_active=True)
        .filter(Q(role__in=[Role.FINANCE, Role.ADMIN]) | Q(is_superuser=True))
        .exists()
    )


def steps_errors(steps: Sequence[StepFields], *, known_ids: set[int]) -> Errors:
    """A whole list of steps: each step's fields, then the rules between steps."""
    errors: Errors = {}
    for index, fields in enumerate(steps):
        errors |= step_errors(fields, prefix=f"steps.{index}.")
        if fields.id is not None and fields.id not in known_ids:
            errors.setdefault(f"steps.{index}.id", []).append(
                _("This step belongs to another plan, or no longer exists.")
            )
    seen: dict[int, str] = {}
    for index, fields in enumerate(steps):
        other = seen.get(fields.offset_days)
        if other is not None:
            errors.setdefault(f"steps.{index}.offset_days", []).append(_offset_taken(other))
        seen.setdefault(fields.offset_days, fields.name)
    ids = Counter(fields.id for fields in steps if fields.id is not None)
    for index, fields in enumerate(steps):
        if fields.id is not None and ids[fields.id] > 1:
            errors.setdefault(f"steps.{index}.id", []).append(_("This step is listed twice."))
    errors |= once_per_plan_errors([fields.action for fields in steps], prefix="steps")
    return errors


def once_per_plan_errors(actions: Sequence[str], *, prefix: str) -> Errors:
    """At most one formal notice and one escalation in a plan."""
    errors: Errors = {}
    counts = Counter(actions)
    for action in ONCE_PER_PLAN:
        if counts[action] > 1:
            errors.setdefault(prefix, []).append(
                _("A plan has at most one step “%(action)s”.")
                % {"action": StepAction(action).label}
            )
    return errors


def _offset_taken(name: str) -> Message:
    return _("The step “%(name)s” is already at this offset: two steps cannot share a day.") % {
        "name": name
    }


def offset_taken(name: str) -> Message:
    return _offset_taken(name)
