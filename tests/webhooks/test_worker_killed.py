"""A worker killed with SIGKILL mid-delivery loses nothing; the resend keeps the webhook-id.

A real child process delivers from the test's database (tests/dunning/workers.py)
to a real receiver on loopback, which holds the request until the child is dead.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.webhooks.delivery import LEASE
from encaisse.webhooks.models import DeliveryState, WebhookDelivery
from encaisse.webhooks.services import endpoint_create
from encaisse.webhooks.tasks import webhooks_process
from tests.conftest import make_customer
from tests.dunning.workers import ROOT, SharedDatabase
from tests.webhooks.receiver import Receiver

# Transactional (the child reads what the test committed); the conftest puts the migrated
# defaults back after the flush, so no serialized rollback is needed.
WITH_PROCESSES = pytest.mark.django_db(transaction=True)


@WITH_PROCESSES
def test_a_worker_killed_mid_delivery_loses_nothing(
    tmp_path: Path, receiver: Receiver, alice: User
) -> None:
    endpoint_create(actor=alice, url=receiver.url)
    make_customer(None)
    delivery = WebhookDelivery.objects.get()
    db = SharedDatabase(tmp_path)
    db.env.update(ENCAISSE_WEBHOOKS_ALLOW_HTTP="1", ENCAISSE_WEBHOOKS_ALLOW_PRIVATE="1")
    db.handover()
    receiver.hold = threading.Event()
    log = (tmp_path / "worker.log").open("w")
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.webhooks.worker_process"],
        cwd=ROOT, env=db.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "ready"
    child.stdin.write("go\n")
    child.stdin.flush()
    assert receiver.arrived.wait(30), (tmp_path / "worker.log").read_text()
    child.send_signal(signal.SIGKILL)  # while the receiver still holds the request
    child.wait(30)
    log.close()
    receiver.hold.set()  # the receiver had it: it counts it, as a real one would
    receiver.hold = None
    db.takeback()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERING and delivery.attempts == 1
    assert webhooks_process() == {}  # the dead worker's lease still runs
    with time_machine.travel(dt.datetime.now(dt.UTC) + LEASE + dt.timedelta(seconds=5)):
        assert webhooks_process() == {"delivered": 1}
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    sent = [request.headers["webhook-id"] for request in receiver.requests]
    assert sent == [str(delivery.event.public_id)] * 2  # same id: the receiver de-duplicates
    assert receiver.ids == {str(delivery.event.public_id): 2}
