"""Settings → Webhooks: finance configures endpoints, reads the log, tests and redelivers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from encaisse.webhooks.tasks import webhooks_process
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _loopback_allowed() -> Iterator[None]:
    with override_settings(ENCAISSE_WEBHOOKS_ALLOW_HTTP=True, ENCAISSE_WEBHOOKS_ALLOW_PRIVATE=True):
        yield


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def test_finance_creates_an_endpoint_tests_it_and_redelivers(
    login: Login, alice: User, receiver: Receiver
) -> None:
    client = login(alice)
    page = client.get(reverse("webhook_endpoint_new"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "invoice.overdue" in content and "Factures" in content  # grouped, in French
    response = client.post(
        reverse("webhook_endpoint_new"),
        {
            "url": receiver.url,
            "description": "ERP",
            "event_types": ["invoice.paid"],
            "active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == reverse("webhook_endpoint", args=[endpoint.pk])
    assert endpoint.event_types == ["invoice.paid"]
    detail = client.get(response["Location"]).content.decode()
    assert endpoint.secret in detail and "Envoyer un événement de test" in detail
    client.post(reverse("webhook_endpoint_test", args=[endpoint.pk]))
    webhooks_process()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED and len(receiver.requests) == 1
    log = client.get(
        reverse("webhook_endpoint", args=[endpoint.pk]), {"part": "log"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "webhook.test" in log and "200" in log and "Renvoyer" in log
    client.post(reverse("webhook_delivery_redeliver", args=[delivery.pk]))
    webhooks_process()
    assert receiver.ids == {str(delivery.event.public_id): 2}


def test_an_unsafe_url_is_a_form_error(login: Login, alice: User) -> None:
    client = login(alice)
    with override_settings(ENCAISSE_WEBHOOKS_ALLOW_PRIVATE=False):
        response = client.post(reverse("webhook_endpoint_new"), {"url": "https://10.0.0.7/x"})
    assert response.status_code == 200
    assert "adresse privée" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_rotate_toggle_edit_and_delete(login: Login, ada: User, receiver: Receiver) -> None:
    client = login(ada)
    client.post(reverse("webhook_endpoint_new"), {"url": receiver.url, "active": "on"})
    endpoint = WebhookEndpoint.objects.get()
    secret = endpoint.secret
    client.post(reverse("webhook_endpoint_rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != secret
    client.post(reverse("webhook_endpoint_toggle", args=[endpoint.pk]), {"from": "list"})
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "Désactivé" in client.get(reverse("webhook_endpoints")).content.decode()
    client.post(
        reverse("webhook_endpoint", args=[endpoint.pk]),
        {"url": receiver.url + "/v2", "description": "CRM", "active": "on"},
    )
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.url.endswith("/v2") and endpoint.description == "CRM"
    assert client.get(reverse("webhook_endpoint_delete", args=[endpoint.pk])).status_code == 200
    client.post(reverse("webhook_endpoint_delete", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()


def test_reps_and_managers_neither_see_the_link_nor_act(
    login: Login, bob: User, dave: User, alice: User
) -> None:
    endpoint = WebhookEndpoint.objects.create(url="https://hooks.example.com/x")
    for user in (bob, dave):
        client = login(user)
        assert reverse("webhook_endpoints") not in client.get(reverse("customers")).content.decode()
        for name in ("webhook_endpoint_rotate", "webhook_endpoint_delete", "webhook_endpoint_test"):
            assert client.post(reverse(name, args=[endpoint.pk])).status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.active
    # Finance reaches them from the settings' own navigation.
    assert reverse("webhook_endpoints") in login(alice).get(reverse("settings")).content.decode()
