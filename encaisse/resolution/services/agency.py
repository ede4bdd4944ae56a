"""The list of collection agencies, edited by finance."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.lib import clock
from encaisse.lib.errors import Message, ValidationFailed
from encaisse.resolution.models.handover import CollectionAgency


@transaction.atomic
def agency_save(
    *,
    actor: User,
    agency: CollectionAgency | None = None,
    name: str,
    email: str = "",
    phone: str = "",
    address: str = "",
    fee_percent: Decimal | None = None,
    fixed_fee: Decimal | None = None,
    active: bool = True,
) -> CollectionAgency:
    """Create an agency (`agency` None) or change one; past handovers keep their terms."""
    name = " ".join(name.split())
    errors: dict[str, list[Message]] = {}
    if not name:
        errors["name"] = [_("Name the agency.")]
    if fee_percent is not None and not Decimal(0) <= fee_percent <= Decimal(100):
        errors["fee_percent"] = [_("The fee is a percentage between 0 and 100.")]
    if fixed_fee is not None and fixed_fee < 0:
        errors["fixed_fee"] = [_("The fixed fee cannot be negative.")]
    if errors:
        raise ValidationFailed(errors)
    created = agency is None
    agency = agency or CollectionAgency()
    agency.name = name[:120]
    agency.email = email
    agency.phone = phone
    agency.address = address
    agency.fee_percent = fee_percent
    agency.fixed_fee = fixed_fee
    agency.active = active
    agency.updated_at = clock.now()
    agency.save()
    activity_record(
        verb="resolution.agency.saved",
        actor=actor,
        payload={"agency": agency.pk, "name": agency.name, "created": created},
    )
    return agency
