"""Adding, changing and removing a customer's contacts, with the model's own rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.ledger.models import Contact, Customer
from encaisse.lib.errors import ValidationFailed

EDITABLE = ("name", "role", "email", "phone", "preferred_for_reminders")


def _validated(contact: Contact) -> None:
    """Every field rule and the one-email-per-customer constraint, all errors at once."""
    try:
        contact.full_clean()
    except ValidationError as error:
        raise ValidationFailed(
            {
                "" if field == "__all__" else field: messages
                for field, messages in error.message_dict.items()
            }
        ) from error


def _unknown(fields: dict[str, Any]) -> None:
    extra = sorted(set(fields) - set(EDITABLE))
    if extra:
        raise ValueError(f"not contact fields: {extra}")


@transaction.atomic
def contact_add(
    *, actor: User | None, customer: Customer, log: bool = True, **fields: Any
) -> Contact:
    """Add a contact. `log=False`: the caller writes its own, richer timeline entry
    (the debtor portal's "the customer changed its contact")."""
    _unknown(fields)
    contact = Contact(customer=customer, **fields)
    _validated(contact)
    contact.save()
    if log:
        activity_record(
            verb="ledger.contact.created",
            actor=actor,
            customer_id=customer.pk,
            payload={"name": contact.name, "email": contact.email},
        )
    return contact


@transaction.atomic
def contact_update(
    *, actor: User | None, contact: Contact, log: bool = True, **changes: Any
) -> Contact:
    """Change a contact's fields (`log`: as for `contact_add`)."""
    _unknown(changes)
    before = {name: getattr(contact, name) for name in changes}
    for name, value in changes.items():
        setattr(contact, name, value)
    _validated(contact)
    changed = [name for name in changes if before[name] != changes[name]]
    if changed:
        contact.save(update_fields=changed)
    if changed and log:
        activity_record(
            verb="ledger.contact.updated",
            actor=actor,
            customer_id=contact.customer_id,
            payload={"name": contact.name, "fields": changed},
        )
    return contact


@transaction.atomic
def contact_delete(*, actor: User | None, contact: Contact) -> None:
    activity_record(
        verb="ledger.contact.deleted",
        actor=actor,
        customer_id=contact.customer_id,
        payload={"name": contact.name, "email": contact.email},
    )
    contact.delete()
