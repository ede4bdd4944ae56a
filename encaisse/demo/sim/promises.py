"""The simulated staff record real promises to pay and, now and then, a due-date
extension that finance approves (encaisse.resolution's services)."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from encaisse.accounts.models import User
from encaisse.demo.sim.chance import chance
from encaisse.demo.sim.world import Account, World
from encaisse.ledger.models import Invoice
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.services.extensions import (
    effective_due_on,
    extension_approve,
    extension_request,
)
from encaisse.resolution.services.promises import promise_make

# Of the promises made on a call about one invoice, the share that is a request
# to move its due date instead (finance approves it the same day).
EXTENSION_SHARE = 0.08


def record_promise(
    world: World,
    account: Account,
    actor: User | None,
    invoices: list[Invoice],
    key: str,
    day: dt.date,
    promised_on: dt.date,
) -> str:
    """What the customer promised on the call, recorded; the call's note."""
    open_now = [invoice for invoice in invoices if invoice.is_open]
    when = formats.date_format(promised_on, "SHORT_DATE_FORMAT")
    if len(open_now) == 1 and chance(world.seed, "extension", key).random() < EXTENSION_SHARE:
        note = _extension(world, actor, open_now[0], day, promised_on)
        if note:
            return note
    note = _("Promise to pay by %(date)s") % {"date": when}
    amount = sum((invoice.balance for invoice in open_now), Decimal("0.00"))
    if not open_now:  # the call's invoices were paid meanwhile: the rest of the balance
        account.customer.refresh_from_db(fields=["open_balance"])
    # An open promise already (or nothing left to pay): the call's note says it.
    with contextlib.suppress(ValidationFailed):
        promise_make(
            actor=actor,
            customer=account.customer,
            amount=amount or account.customer.open_balance,
            promised_on=promised_on,
            invoices=open_now,
            note=note,
        )
    return note


def _extension(
    world: World, actor: User | None, invoice: Invoice, day: dt.date, promised_on: dt.date
) -> str | None:
    current = effective_due_on(invoice)
    if current is None or promised_on <= current:
        return None
    reason = _("Asked for more time on the call")
    try:
        extension = extension_request(
            actor=actor, invoice=invoice, due_on=promised_on, reason=reason
        )
        extension_approve(actor=world.finance, extension=extension, comment=_("Agreed once"))
    except (ValidationFailed, Conflict):
        return None
    when = formats.date_format(promised_on, "SHORT_DATE_FORMAT")
    return _("Due date extended to %(date)s") % {"date": when}
