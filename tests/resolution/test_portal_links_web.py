"""Finance's side of the portal: the panel on the customer page, new links, revocation,
and the link validity setting."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.resolution.models import PortalLink, PortalSettings
from encaisse.resolution.services.portal import link_token, portal_link_create
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db


def test_finance_copies_the_link_makes_a_new_one_and_revokes_them_all(
    client: Client, alice: User
) -> None:
    customer = make_customer(None, "Menuiserie du Lac")
    first = portal_link_create(customer=customer, actor=None)
    client.force_login(alice)

    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert first.url in page and "Révoquer les liens" in page

    response = client.post(f"/customers/{customer.pk}/portal/new-link/")
    assert response.status_code == 302 and response["Location"].endswith("#customer-portal")
    newest = PortalLink.objects.filter(customer=customer).order_by("-created_at", "-id").first()
    assert newest is not None and newest.pk != first.link.pk and newest.created_by == alice
    token = link_token(newest)
    assert token is not None and token in client.get(f"/customers/{customer.pk}/").content.decode()

    client.post(f"/customers/{customer.pk}/portal/revoke/")

    assert not PortalLink.objects.filter(customer=customer, revoked_at__isnull=True).exists()
    assert set(PortalLink.objects.values_list("revoked_by", flat=True)) == {alice.pk}
    entry = Activity.objects.get(verb="resolution.portal.links_revoked")
    assert entry.actor == alice and entry.payload == {"count": 2}
    assert client.get(f"/portal/{first.token}/").status_code == 410
    timeline = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "2 liens de l&#x27;espace client révoqués" in timeline


def test_the_account_manager_sees_the_last_visit_but_not_the_link(
    client: Client, bob: User
) -> None:
    customer = make_customer(bob, "Boulangerie Bob")
    issued = portal_link_create(customer=customer, actor=None)
    client.get(f"/portal/{issued.token}/")
    client.force_login(bob)

    page = client.get(f"/customers/{customer.pk}/").content.decode()

    assert "Espace client" in page and "Dernière visite" in page
    assert issued.token not in page and "Nouveau lien" not in page
    assert client.post(f"/customers/{customer.pk}/portal/new-link/").status_code == 403
    assert PortalLink.objects.filter(customer=customer).count() == 1


def test_the_link_validity_is_a_setting_new_links_follow(client: Client, alice: User) -> None:
    client.force_login(alice)
    refused = client.post("/settings/", {"group": "portal", "portal-link_days": "0"})
    assert refused.status_code == 200
    assert "entre 1 et 365 jours" in refused.content.decode()
    assert PortalSettings.current().link_days == 60

    client.post("/settings/", {"group": "portal", "portal-link_days": "30"})

    assert PortalSettings.current().link_days == 30
    with time_machine.travel(dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC), tick=False):
        issued = portal_link_create(customer=make_customer(None), actor=None)
    assert issued.link.expires_at == dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC)
    assert Activity.objects.filter(verb="resolution.portal.settings_updated").count() == 1
