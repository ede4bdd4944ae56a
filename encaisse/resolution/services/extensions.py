"""Due-date extensions: a rep or the customer asks, finance approves or refuses.

Approval moves the invoice's effective due date through the dunning service
`extension_grant`: the plan's steps are then dated from the new due date, and
a step already performed is not repeated.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.services import activity_record
from encaisse.dunning.rendering.context import effective_due_dates
from encaisse.dunning.services.holds import extension_grant
from encaisse.ledger.models import Invoice
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, Message, ValidationFailed
from encaisse.resolution.models import Extension, ExtensionStatus, PromiseSource
from encaisse.webhooks.emit import event_emit

ALREADY_PENDING = gettext_lazy(
    "An extension request for this invoice is already waiting for finance's decision."
)


def effective_due_on(invoice: Invoice) -> dt.date | None:
    return effective_due_dates([invoice])[invoice.pk]


def _payload(extension: Extension) -> dict[str, object]:
    return {
        "extension": extension.pk,
        "number": extension.invoice.number,
        "from": extension.previous_due_on.isoformat(),
        "to": extension.due_on.isoformat(),
        "reason": extension.reason,
        "source": extension.source,
    }


@transaction.atomic
def extension_request(
    *,
    actor: User | None,
    invoice: Invoice,
    due_on: dt.date,
    reason: str,
    source: str | None = None,
) -> Extension:
    """Ask finance to move the invoice's due date to `due_on`."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    current = effective_due_on(invoice)
    errors: dict[str, list[Message]] = {}
    if source is None:
        source = (
            PromiseSource.FINANCE
            if actor is not None and actor.can_edit_ledger
            else PromiseSource.SALES
        )
    if source not in PromiseSource.values:
        errors["source"] = [gettext_lazy("Unknown source.")]
    if invoice.status not in OPEN_STATUSES or invoice.balance <= 0:
        errors["invoice_id"] = [gettext_lazy("This invoice has nothing left to pay.")]
    if current is None:
        errors["due_on"] = [gettext_lazy("This invoice has no due date to move.")]
    elif due_on <= current:
        errors["due_on"] = [
            gettext_lazy("The new due date must be after the current one (%(current)s).")
            % {"current": current.strftime("%d/%m/%Y")}
        ]
    if not reason.strip():
        errors["reason"] = [gettext_lazy("Say why the customer needs more time.")]
    elif len(reason) > 500:
        errors["reason"] = [gettext_lazy("The reason is at most 500 characters.")]
    if Extension.objects.filter(invoice=invoice, status=ExtensionStatus.PENDING).exists():
        errors[""] = [ALREADY_PENDING]
    if errors:
        raise ValidationFailed(errors)
    assert current is not None
    try:
        with transaction.atomic():
            extension = Extension.objects.create(
                customer_id=invoice.customer_id,
                invoice=invoice,
                due_on=due_on,
                previous_due_on=current,
                reason=reason.strip(),
                source=source,
                requested_by=stored_actor(actor),
            )
    except IntegrityError:
        raise ValidationFailed({"": [ALREADY_PENDING]}) from None
    activity_record(
        verb="resolution.extension.requested",
        actor=actor,
        customer_id=invoice.customer_id,
        invoice_id=invoice.pk,
        payload={
            **_payload(extension),
            **({"by": "customer"} if source == PromiseSource.PORTAL else {}),
        },
    )
    event_emit(type="extension.requested", obj=extension)
    return extension


def _decide(actor: User | None, extension: Extension, status: str, comment: str) -> Extension:
    if len(comment) > 500:
        raise ValidationFailed.single(
            "comment", gettext_lazy("The comment is at most 500 characters.")
        )
    decided = Extension.objects.filter(pk=extension.pk, status=ExtensionStatus.PENDING).update(
        status=status,
        decided_by=stored_actor(actor),
        decided_at=clock.now(),
        comment=comment,
        updated_at=clock.now(),
    )
    if not decided:
        raise Conflict(gettext_lazy("This request was already decided."))
    extension.refresh_from_db()
    return extension


@transaction.atomic
def extension_approve(*, actor: User | None, extension: Extension, comment: str = "") -> Extension:
    """Approve the request: the invoice's effective due date moves to the date asked."""
    extension = _decide(actor, extension, ExtensionStatus.APPROVED, comment)
    invoice = extension.invoice
    current = effective_due_on(invoice)
    if current is not None and extension.due_on <= current:
        # Another extension moved it further meanwhile: approving this one changes nothing.
        raise Conflict(gettext_lazy("The invoice's due date is already later than this request."))
    extension_grant(actor=actor, invoice=invoice, due_on=extension.due_on, note=comment)
    activity_record(
        verb="resolution.extension.approved",
        actor=actor,
        customer_id=extension.customer_id,
        invoice_id=invoice.pk,
        payload=_payload(extension) | {"comment": comment},
    )
    event_emit(type="extension.approved", obj=extension)
    return extension


@transaction.atomic
def extension_refuse(*, actor: User | None, extension: Extension, comment: str) -> Extension:
    """Refuse the request with a comment; the due date stays."""
    if not comment.strip():
        raise ValidationFailed.single("comment", gettext_lazy("Say why the request is refused."))
    extension = _decide(actor, extension, ExtensionStatus.REFUSED, comment.strip())
    activity_record(
        verb="resolution.extension.refused",
        actor=actor,
        customer_id=extension.customer_id,
        invoice_id=extension.invoice_id,
        payload=_payload(extension) | {"comment": extension.comment},
    )
    event_emit(type="extension.refused", obj=extension)
    return extension
