"""Finance edits the list of dispute reasons: add, rename, change the SLA, deactivate.

A reason is never deleted (past disputes and the root-cause page count by
it); deactivated, it is no longer offered for new disputes.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.lib import clock
from encaisse.lib.errors import Message, ValidationFailed
from encaisse.resolution.models import DisputeReason

CODE = re.compile(r"^[a-z0-9_]{1,32}$")
SLA_MAX = 365


def _check(label_fr: str, sla_days: int) -> dict[str, list[Message]]:
    errors: dict[str, list[Message]] = {}
    if not label_fr.strip():
        errors["label_fr"] = [_("Give the reason a label.")]
    elif len(label_fr) > 120:
        errors["label_fr"] = [_("At most 120 characters.")]
    if not 1 <= sla_days <= SLA_MAX:
        errors["sla_days"] = [_("Between 1 and %(max)d days.") % {"max": SLA_MAX}]
    return errors


@transaction.atomic
def dispute_reason_create(
    *, actor: User | None, code: str, label_fr: str, label_en: str = "", sla_days: int = 30
) -> DisputeReason:
    errors = _check(label_fr, sla_days)
    if not CODE.match(code):
        errors["code"] = [_("Lower-case letters, digits and _ only (at most 32).")]
    elif DisputeReason.objects.filter(code=code).exists():
        errors["code"] = [_("A reason with this code exists already.")]
    if errors:
        raise ValidationFailed(errors)
    last = DisputeReason.objects.order_by("-position").values_list("position", flat=True).first()
    try:
        with transaction.atomic():
            reason = DisputeReason.objects.create(
                code=code,
                label_fr=label_fr.strip(),
                label_en=label_en.strip()[:120],
                sla_days=sla_days,
                position=(last or 0) + 10,
            )
    except IntegrityError:
        raise ValidationFailed.single(
            "code", _("A reason with this code exists already.")
        ) from None
    activity_record(
        verb="resolution.dispute_reason.created",
        actor=actor,
        payload={"code": code, "label": label_fr},
    )
    return reason


@transaction.atomic
def dispute_reason_update(
    *,
    actor: User | None,
    reason: DisputeReason,
    label_fr: str,
    label_en: str = "",
    sla_days: int,
    active: bool,
) -> DisputeReason:
    errors = _check(label_fr, sla_days)
    if errors:
        raise ValidationFailed(errors)
    DisputeReason.objects.filter(pk=reason.pk).update(
        label_fr=label_fr.strip(),
        label_en=label_en.strip()[:120],
        sla_days=sla_days,
        active=active,
        updated_at=clock.now(),
    )
    reason.refresh_from_db()
    activity_record(
        verb="resolution.dispute_reason.updated",
        actor=actor,
        payload={
            "code": reason.code,
            "label": reason.label_fr,
            "sla_days": sla_days,
            "active": active,
        },
    )
    return reason
