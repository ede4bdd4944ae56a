"""Webhook tests: a real receiver on loopback, allowed by the outbound-safety settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from encaisse.accounts.models import User
from encaisse.webhooks.models import WebhookEndpoint
from encaisse.webhooks.services import endpoint_create
from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def _loopback_allowed() -> Iterator[None]:
    with override_settings(ENCAISSE_WEBHOOKS_ALLOW_HTTP=True, ENCAISSE_WEBHOOKS_ALLOW_PRIVATE=True):
        yield


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    if running.hold is not None:
        running.hold.set()
    running.stop()


@pytest.fixture
def endpoint(receiver: Receiver, alice: User) -> WebhookEndpoint:
    return endpoint_create(actor=alice, url=receiver.url, description="ERP")
