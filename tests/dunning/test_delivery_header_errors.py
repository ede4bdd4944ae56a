"""A line break in a name or an address already in the database (stored before the import
refused them, issue 7) makes Django's mail refuse the header: a permanent failure with a
task for finance, at the first attempt, never an endless retry. Real SMTP server."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from encaisse.collab.models import Task, TaskKind
from encaisse.dunning.delivery.errors import is_permanent
from encaisse.dunning.delivery.outbox import deliverable
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import AttemptOutcome, DunningMessage, MessageState, MessageTemplate
from encaisse.dunning.services.run import dunning_run
from encaisse.ledger.models import Contact, Customer
from tests.dunning.conftest import invoice_due, remindable_customer
from tests.smtp import Inbox

PARIS = ZoneInfo("Europe/Paris")
RUN_ON = dt.date(2026, 3, 5)
MORNING = dt.datetime(2026, 3, 5, 9, 0, tzinfo=PARIS)
INJECTED = "\r\nBcc: victim@evil.test"


def _customer_with_a_line_break(where: str) -> Customer:
    customer = remindable_customer(None, "Dupont SA")
    if where == "contact_email":
        Contact.objects.filter(customer=customer).update(email="compta@client.test" + INJECTED)
    else:
        # The customer's name goes into the subject when the template puts it there.
        Customer.objects.filter(pk=customer.pk).update(name="Dupont SA" + INJECTED)
        MessageTemplate.objects.update(subject="{{ customer_name }} – relance")
    customer.refresh_from_db()
    return customer


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["contact_email", "customer_name"])
def test_a_header_with_a_line_break_fails_at_once_with_a_task_for_finance(
    smtp_inbox: Inbox, where: str
) -> None:
    with time_machine.travel(MORNING, tick=False):
        customer = _customer_with_a_line_break(where)
        invoice_due(customer, RUN_ON - dt.timedelta(days=3))
        with transaction.atomic():
            assert dunning_run(run_on=RUN_ON).messages == 1
        assert deliveries_process() == {AttemptOutcome.PERMANENT: 1}
        assert not DunningMessage.objects.filter(deliverable()).exists()  # no retry planned
        assert deliveries_process() == {}
    message = DunningMessage.objects.get()
    assert message.state == MessageState.FAILED
    assert list(message.deliveries.values_list("number", "outcome")) == [
        (1, AttemptOutcome.PERMANENT)
    ]
    assert "ValueError" in message.last_error or "BadHeaderError" in message.last_error
    task = Task.objects.get(customer=customer)
    assert task.kind == TaskKind.FIX_CONTACT
    assert smtp_inbox.messages == []  # nothing reached the server, no Bcc to anyone


def test_a_value_error_is_permanent_and_a_connection_error_is_not() -> None:
    from django.core.mail import BadHeaderError

    assert is_permanent(BadHeaderError("Header values can't contain newlines"))
    assert is_permanent(ValueError("Invalid address; address parts cannot contain newlines."))
    assert not is_permanent(ConnectionRefusedError())
