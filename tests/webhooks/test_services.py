"""The services the settings page and the API share: validation, secrets, tests, redeliveries."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.webhooks import registry
from encaisse.webhooks.catalogue import catalogue_markdown
from encaisse.webhooks.models import DeliveryState, WebhookEndpoint
from encaisse.webhooks.selectors import deliveries_of, endpoints_visible_to
from encaisse.webhooks.services import (
    delivery_redeliver,
    endpoint_create,
    endpoint_delete,
    endpoint_secret_rotate,
    endpoint_send_test,
    endpoint_update,
)
from encaisse.webhooks.signing import secret_bytes
from encaisse.webhooks.tasks import webhooks_process
from tests.conftest import make_customer
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def test_a_new_endpoint_has_a_standard_webhooks_secret(endpoint: WebhookEndpoint) -> None:
    assert endpoint.secret.startswith("whsec_") and len(secret_bytes(endpoint.secret)) == 24
    assert Activity.objects.filter(verb="webhooks.endpoint.created").count() == 1


@pytest.mark.parametrize(
    ("url", "field_message"),
    [
        ("", "URL"),
        ("ftp://example.com/x", "http"),
        ("http://user:pw@127.0.0.1/x", "password"),
    ],
)
def test_bad_urls_are_refused_per_field(alice: User, url: str, field_message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        endpoint_create(actor=alice, url=url)
    assert list(refused.value.errors) == ["url"]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://224.0.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://localhost/hooks",
    ],
)
def test_private_addresses_are_refused_unless_allowed(alice: User, url: str) -> None:
    with override_settings(ENCAISSE_WEBHOOKS_ALLOW_PRIVATE=False):
        with pytest.raises(ValidationFailed) as refused:
            endpoint_create(actor=alice, url=url)
        assert "privée" in refused.value.errors["url"][0]
    assert endpoint_create(actor=alice, url=url).url == url  # allowed by the setting


def test_plain_http_needs_the_setting(alice: User) -> None:
    with (
        override_settings(ENCAISSE_WEBHOOKS_ALLOW_HTTP=False),
        pytest.raises(ValidationFailed) as refused,
    ):
        endpoint_create(actor=alice, url="http://127.0.0.1:9/x")
    assert "https" in refused.value.errors["url"][0]


def test_unknown_event_types_are_refused(alice: User) -> None:
    with pytest.raises(ValidationFailed) as refused:
        endpoint_create(actor=alice, url="https://127.0.0.1/x", event_types=["invoice.eaten"])
    assert "invoice.eaten" in refused.value.errors["event_types"][0]


def test_update_rotate_and_delete(endpoint: WebhookEndpoint, alice: User) -> None:
    old = endpoint.secret
    assert endpoint_secret_rotate(actor=alice, endpoint=endpoint) != old
    endpoint_update(actor=alice, endpoint=endpoint, active=False)
    assert not endpoint.active and "Alice" in endpoint.disabled_reason
    endpoint_update(actor=alice, endpoint=endpoint, active=True, description="CRM")
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_reason == "" and endpoint.description == "CRM"
    endpoint_delete(actor=alice, endpoint=endpoint)
    assert not WebhookEndpoint.objects.exists()
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert {"webhooks.endpoint.secret_rotated", "webhooks.endpoint.deleted"} <= verbs


def test_send_test_event_and_redeliver_keep_the_webhook_id(
    endpoint: WebhookEndpoint, receiver: Receiver, alice: User
) -> None:
    make_customer(None)  # another endpoint's worth of traffic: the test goes to this one only
    delivery = endpoint_send_test(actor=alice, endpoint=endpoint)
    assert delivery.event.type == registry.TEST_EVENT
    webhooks_process()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    with pytest.raises(Conflict):
        delivery_redeliver(actor=alice, delivery=delivery)  # delivered twice in a row: fine…
        delivery_redeliver(actor=alice, delivery=delivery)  # …but not while it waits
    webhooks_process()
    tests = [r for r in receiver.requests if json.loads(r.body)["type"] == registry.TEST_EVENT]
    assert len(tests) == 2 and tests[0].headers["webhook-id"] == tests[1].headers["webhook-id"]
    assert deliveries_of(endpoint).first().attempts == 2  # type: ignore[union-attr]


def test_a_disabled_endpoint_takes_no_test_and_no_redelivery(
    endpoint: WebhookEndpoint, alice: User
) -> None:
    endpoint_update(actor=alice, endpoint=endpoint, active=False)
    with pytest.raises(Conflict):
        endpoint_send_test(actor=alice, endpoint=endpoint)


def test_only_admin_and_finance_see_endpoints(
    endpoint: WebhookEndpoint, everyone: dict[str, User]
) -> None:
    seen = {name: endpoints_visible_to(user).exists() for name, user in everyone.items()}
    assert seen == {"ada": True, "alice": True, "bob": False, "carol": False, "dave": False}


def test_every_registered_type_is_in_the_documentation() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    missing = [name for name in registry.REGISTRY if f"`{name}`" not in doc]
    assert missing == []
    assert catalogue_markdown() in doc, "regenerate the table with encaisse.webhooks.catalogue"
