"""Delivering one outbox message: claim, re-validate, send, record (SPEC §4.2–4.3).

Guarantee (docs/dunning-delivery.md): a message is claimed by one worker at a time
(conditional UPDATE), re-validated in the claiming transaction, and marked
sent only after the SMTP server accepted it. A worker that dies between the
server's acceptance and the "sent" commit leaves the claim to expire; the
message is then sent again with the same Message-ID. So: at least once to
the SMTP server, exactly once to a recipient that de-duplicates on
Message-ID, never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import override

from encaisse.collab.models import TaskKind
from encaisse.collab.services import activity_record, task_create
from encaisse.dunning.delivery.errors import PermanentFailure, is_permanent
from encaisse.dunning.delivery.freshness import ledger_is_stale, stale_alert
from encaisse.dunning.delivery.prepare import Prepared, prepare
from encaisse.dunning.delivery.transport import transmit
from encaisse.dunning.models import (
    ActionStatus,
    AttemptOutcome,
    CustomerDunning,
    DeliveryAttempt,
    DunningAction,
    DunningMessage,
    DunningSettings,
    MessageState,
)
from encaisse.ledger.models import Company
from encaisse.lib import clock
from encaisse.lib.leasing import Leasing, worker_name
from encaisse.webhooks.emit import event_emit

LEASE = dt.timedelta(minutes=10)
# Waits before attempts 2, 3, …: quick at first (a restarting server), then spaced.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
BACKOFF = tuple(dt.timedelta(minutes=minutes) for minutes in BACKOFF_MINUTES)
HELD_RETRY = dt.timedelta(hours=1)
# The claim machinery shared with the webhook deliveries (lib/leasing.py).
LEASING = Leasing(
    model=DunningMessage, pending=MessageState.PENDING, working=MessageState.SENDING, lease=LEASE
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    message_id: int
    result: str  # an AttemptOutcome value, or "held", or "not_claimed"


__all__ = ["LEASE", "Outcome", "deliverable", "message_deliver", "worker_name"]


def deliverable() -> Q:
    return LEASING.due()


def message_deliver(message_id: int) -> Outcome:
    """Try to deliver one message; safe to call from any number of workers at once."""
    try:
        with transaction.atomic():
            if not _claim(message_id):
                return Outcome(message_id, "not_claimed")
            # Read in the claiming transaction, `message.attempts` is this claim's own
            # number: it names the attempt row and fences every write after sending.
            message = DunningMessage.objects.select_related("customer").get(pk=message_id)
            if message.created_by_id is None and ledger_is_stale():
                _release_held(message)
                return Outcome(message_id, "held")
            try:
                prepared = prepare(message)
            except PermanentFailure as failure:
                _fail(message, str(failure))
                return Outcome(message_id, AttemptOutcome.PERMANENT)
            if prepared is None:
                _cancel(message)
                return Outcome(message_id, AttemptOutcome.CANCELLED)
    except DatabaseError:
        raise  # the database, not this message: the sweep stops and the next one retries
    except Exception as error:
        logger.exception("Preparing dunning message %s failed", message_id)
        return _unprepared(message_id, error)
    # Outside the transaction: never hold database locks during network I/O.
    try:
        transmit(message, prepared)
    except Exception as error:
        with transaction.atomic():
            if is_permanent(error):
                _fail(message, f"{type(error).__name__}: {error}")
                return Outcome(message_id, AttemptOutcome.PERMANENT)
            _retry_later(message, f"{type(error).__name__}: {error}")
        return Outcome(message_id, AttemptOutcome.TRANSIENT)
    with transaction.atomic():
        _mark_sent(message, prepared)
    return Outcome(message_id, AttemptOutcome.SENT)


def _unprepared(message_id: int, error: Exception) -> Outcome:
    """Preparing raised (a PDF that cannot be stored, a rendering bug) and took the claim
    down with it. Left so, the message would stop every sweep at the same place; as a
    failed attempt it gets the backoff, then fails with a task for finance."""
    with transaction.atomic():
        if not _claim(message_id):
            return Outcome(message_id, "not_claimed")
        message = DunningMessage.objects.select_related("customer").get(pk=message_id)
        _retry_later(message, f"{type(error).__name__}: {error}")
    return Outcome(message_id, AttemptOutcome.TRANSIENT)


def _claim(message_id: int) -> bool:
    return LEASING.claim(message_id)


def _held_by_us(message: DunningMessage) -> Q:
    """Our claim is still the current one: no worker re-claimed after our lease expired."""
    return LEASING.held(message.pk, message.attempts)


def _attempt(message: DunningMessage, outcome: str, error: str = "") -> None:
    DeliveryAttempt.objects.create(
        message=message, number=message.attempts, outcome=outcome, error=error, worker=worker_name()
    )


def _release_held(message: DunningMessage) -> None:
    """The ledger is stale: put the message back untouched (not an attempt) and alert finance."""
    DunningMessage.objects.filter(pk=message.pk).update(
        state=MessageState.PENDING,
        attempts=F("attempts") - 1,
        lease_until=None,
        next_attempt_at=clock.now() + HELD_RETRY,
    )
    stale_alert()


def _cancel(message: DunningMessage) -> None:
    _attempt(message, AttemptOutcome.CANCELLED, "no invoice left to chase")
    DunningMessage.objects.filter(_held_by_us(message)).update(
        state=MessageState.CANCELLED, lease_until=None
    )
    activity_record(
        verb="dunning.message.cancelled",
        actor=None,
        customer_id=message.customer_id,
        payload={"message": message.pk, "step": message.step_name},
    )


def _retry_later(message: DunningMessage, error: str) -> None:
    _attempt(message, AttemptOutcome.TRANSIENT, error)
    limit = DunningSettings.current().max_delivery_attempts
    tries = message.attempts - message.attempts_before_retry
    if tries >= limit:
        _fail(message, error, attempt_recorded=True)
        return
    LEASING.settle(
        message.pk,
        message.attempts,
        state=MessageState.PENDING,
        last_error=error,
        next_attempt_at=LEASING.retry_at(tries, BACKOFF),
    )


def _fail(message: DunningMessage, error: str, *, attempt_recorded: bool = False) -> None:
    """A permanent failure: the message fails and finance gets a task to fix it."""
    if not attempt_recorded:
        _attempt(message, AttemptOutcome.PERMANENT, error)
    if not DunningMessage.objects.filter(_held_by_us(message)).update(
        state=MessageState.FAILED, lease_until=None, last_error=error
    ):
        return  # another worker re-claimed it after our lease expired: its outcome stands
    DunningAction.objects.filter(message=message, status=ActionStatus.PLANNED).update(
        status=ActionStatus.CANCELLED, status_reason="delivery_failed"
    )
    with override(Company.current().language):
        task_create(
            actor=None,
            kind=TaskKind.FIX_CONTACT,
            title=_("Reminder not delivered to %(customer)s: fix the contact")
            % {"customer": message.customer.name},
            details=error,
            due_on=clock.today(),
            customer_id=message.customer_id,
            source_key=f"dunning:failed:{message.pk}",
        )
    activity_record(
        verb="dunning.message.failed",
        actor=None,
        customer_id=message.customer_id,
        payload={"message": message.pk, "step": message.step_name, "error": error[:500]},
    )
    message.state, message.last_error = MessageState.FAILED, error
    event_emit(type="dunning.message.failed", obj=message)


def _mark_sent(message: DunningMessage, prepared: Prepared) -> None:
    now = clock.now()
    updated = DunningMessage.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
        state=MessageState.SENT, sent_at=now, lease_until=None, last_error=""
    )
    # The server accepted it, whoever holds the claim now: the attempt is a fact.
    _attempt(message, AttemptOutcome.SENT)
    if not updated:
        return  # the lease expired and another worker took over: it records its own outcome
    DunningAction.objects.filter(message=message, invoice_id__in=prepared.invoice_ids).update(
        status=ActionStatus.DONE
    )
    if message.channel != "rep_alert":
        CustomerDunning.objects.update_or_create(
            customer_id=message.customer_id, defaults={"last_contact_on": clock.today()}
        )
    activity_record(
        verb=f"dunning.{message.channel}.sent",
        actor=message.created_by,
        customer_id=message.customer_id,
        payload={
            "message": message.pk,
            "step": message.step_name,
            "invoices": prepared.invoice_ids,
            "total": str(prepared.content.total_due),
            "recipients": prepared.recipients,
        },
    )
    message.state, message.sent_at, message.last_error = MessageState.SENT, now, ""
    event_emit(type="dunning.message.sent", obj=message)
