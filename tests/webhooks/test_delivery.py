"""Delivering to a real receiver on loopback: signature, retries, refusals, disabling."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings

from encaisse.accounts.models import User
from encaisse.collab.models import Activity, Task
from encaisse.ledger.services import payment_record
from encaisse.webhooks.delivery import BACKOFF
from encaisse.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from encaisse.webhooks.tasks import webhooks_process
from tests.conftest import make_customer, make_invoice
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def standard_webhooks_verify(
    secret: str, headers: dict[str, str], body: bytes
) -> dict[str, object]:
    """The reference algorithm of standardwebhooks (python/standardwebhooks/webhooks.py), written
    out: base64-decode the secret after `whsec_`, HMAC-SHA256 of "id.timestamp.body",
    compare against each space-separated "v1,<base64>" signature in constant time."""
    key = base64.b64decode(secret.split("_", 1)[1])
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    to_sign = f"{msg_id}.{timestamp}.{body.decode()}".encode()
    expected = base64.b64encode(hmac.new(key, to_sign, hashlib.sha256).digest()).decode()
    for versioned in headers["webhook-signature"].split(" "):
        version, signature = versioned.split(",", 1)
        if version == "v1" and hmac.compare_digest(expected, signature):
            return dict(json.loads(body))
    raise AssertionError("no matching signature")


def record_payment() -> None:
    customer = make_customer(None, "Acme")
    make_invoice(customer, "120.00")
    payment_record(
        actor=None, customer=customer, amount=Decimal("120.00"), date=dt.date(2026, 3, 1),
        external_key="PAY-1",
    )  # fmt: skip


def test_a_payment_reaches_the_receiver_signed(
    receiver: Receiver, endpoint: WebhookEndpoint
) -> None:
    record_payment()
    webhooks_process()
    by_type = {}
    for request in receiver.requests:
        payload = standard_webhooks_verify(endpoint.secret, request.headers, request.body)
        by_type[payload["type"]] = payload
    payment = by_type["payment.recorded"]["data"]
    assert isinstance(payment, dict)
    assert payment["amount"] == "120.00" and payment["external_key"] == "PAY-1"
    assert payment["customer"]["external_key"].startswith("C")  # type: ignore[index]
    assert by_type["invoice.paid"]["data"]["balance"] == "0.00"  # type: ignore[index]
    assert {"customer.created", "invoice.created"} <= set(by_type)
    assert all(c == 1 for c in receiver.ids.values())
    delivered = WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED)
    assert delivered.count() == len(receiver.requests)
    assert delivered.first().last_status_code == 200  # type: ignore[union-attr]


def test_a_receiver_down_gets_the_event_once_it_is_back_after_the_backoff(
    receiver: Receiver, endpoint: WebhookEndpoint
) -> None:
    receiver.stop()  # connection refused on its port from now on
    with time_machine.travel(START, tick=False) as clock:
        customer = make_customer(None, "Acme")
        delivery = WebhookDelivery.objects.get()
        assert webhooks_process() == {"retry": 1}
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.PENDING
        assert delivery.next_attempt_at == START + BACKOFF[0]
        assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
        assert webhooks_process() == {}  # not due yet
        clock.shift(BACKOFF[0])
        assert webhooks_process() == {"retry": 1}
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == START + BACKOFF[0] + BACKOFF[1]
        receiver.start()
        clock.shift(BACKOFF[1])
        assert webhooks_process() == {"delivered": 1}
    assert webhooks_process() == {}
    assert receiver.ids == {str(delivery.event.public_id): 1}
    assert json.loads(receiver.requests[0].body)["data"]["id"] == customer.pk
    assert list(WebhookAttempt.objects.values_list("number", flat=True)) == [1, 2, 3]


@pytest.mark.parametrize("status", [500, 503, 408, 429])
def test_server_errors_timeouts_and_throttling_are_retried(
    receiver: Receiver, endpoint: WebhookEndpoint, status: int
) -> None:
    receiver.answers = [status]
    make_customer(None)
    assert webhooks_process() == {"retry": 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code == status
    assert len(delivery.last_response) <= 1000  # the receiver's long body, cut


def test_a_410_is_not_retried_and_disables_the_endpoint(
    receiver: Receiver, endpoint: WebhookEndpoint
) -> None:
    receiver.answers = [410]
    make_customer(None)
    make_customer(None)
    assert webhooks_process() == {"gone": 1, "endpoint_disabled": 1}
    assert len(receiver.requests) == 1
    endpoint.refresh_from_db()
    assert not endpoint.active and "410" in endpoint.disabled_reason
    assert Task.objects.filter(source_key__startswith=f"webhooks:disabled:{endpoint.pk}").exists()
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.FAILED}


def test_a_refusal_fails_at_once_with_a_task_for_finance(
    receiver: Receiver, endpoint: WebhookEndpoint
) -> None:
    receiver.answers = [400]
    make_customer(None)
    assert webhooks_process() == {"refused": 1, "delivered": 1}  # then the task's event
    task = Task.objects.get(source_key__startswith=f"webhooks:failed:{endpoint.pk}:")
    assert endpoint.url in task.title and task.queue == "finance"
    assert Activity.objects.filter(verb="webhooks.delivery.failed").count() == 1


@override_settings(ENCAISSE_WEBHOOKS_MAX_ATTEMPTS=3)
def test_the_last_retry_fails_the_delivery(receiver: Receiver, endpoint: WebhookEndpoint) -> None:
    receiver.answers = [500] * 10
    with time_machine.travel(START, tick=False) as clock:
        make_customer(None)
        for _ in range(3):
            webhooks_process()
            clock.shift(dt.timedelta(days=1))
    # The failure's task for finance is an event too (task.created): look at the customer's.
    delivery = WebhookDelivery.objects.get(event__type="customer.created")
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 3
    assert Task.objects.filter(source_key__startswith="webhooks:failed:").count() == 1


@override_settings(ENCAISSE_WEBHOOKS_DISABLE_AFTER_DAYS=3)
def test_an_endpoint_failing_for_n_days_is_disabled_with_a_notice(
    receiver: Receiver, endpoint: WebhookEndpoint
) -> None:
    receiver.answers = [503] * 100
    with time_machine.travel(START, tick=False) as clock:
        make_customer(None)
        webhooks_process()
        endpoint.refresh_from_db()
        assert endpoint.failing_since == START and endpoint.active
        for _ in range(2):
            clock.shift(dt.timedelta(days=1))
            make_customer(None)
            webhooks_process()
        endpoint.refresh_from_db()
        assert endpoint.active  # two days of failure
        clock.shift(dt.timedelta(days=1))
        make_customer(None)
        webhooks_process()
    endpoint.refresh_from_db()
    assert not endpoint.active and "3" in endpoint.disabled_reason
    assert Activity.objects.filter(verb="webhooks.endpoint.disabled").count() == 1
    assert Task.objects.filter(source_key__startswith=f"webhooks:disabled:{endpoint.pk}").exists()


def test_a_success_ends_the_failure_streak(receiver: Receiver, endpoint: WebhookEndpoint) -> None:
    receiver.answers = [503]
    with time_machine.travel(START, tick=False) as clock:
        make_customer(None)
        webhooks_process()
        clock.shift(dt.timedelta(minutes=1))
        webhooks_process()
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_private_addresses_are_refused_at_delivery_too(
    receiver: Receiver, endpoint: WebhookEndpoint, alice: User
) -> None:
    make_customer(None)
    with override_settings(ENCAISSE_WEBHOOKS_ALLOW_PRIVATE=False):
        assert webhooks_process() == {"retry": 1}
    assert receiver.requests == []
    assert "privée" in WebhookDelivery.objects.get().last_error


@override_settings(ENCAISSE_WEBHOOKS_CONNECT_TIMEOUT=1, ENCAISSE_WEBHOOKS_READ_TIMEOUT=1)
def test_a_receiver_dripping_its_answer_is_cut_at_the_total_timeout(
    alice: User, endpoint: WebhookEndpoint
) -> None:
    import socket
    import threading
    import time

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok":
            if stop.is_set():  # a byte every 0.5 s: never a read timeout, never done
                break
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                break
            time.sleep(0.5)
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        url=f"http://127.0.0.1:{listener.getsockname()[1]}/slow"
    )
    make_customer(None)
    started = time.monotonic()
    assert webhooks_process() == {"retry": 1}
    assert time.monotonic() - started < 5  # cut at connect + read timeout (2 s)
    stop.set()
    listener.close()
