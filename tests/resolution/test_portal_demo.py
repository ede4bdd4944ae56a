"""The demo company: its reminders carry portal links that open the customer's page,
and its simulated customers open their portal sometimes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from encaisse.collab.models import Activity
from encaisse.demo.history import load_with_history
from encaisse.dunning.models import DunningMessage
from encaisse.resolution.models import PortalLink

pytestmark = pytest.mark.django_db
SIM_TODAY = dt.date(2026, 3, 31)
LINK = re.compile(r"/portal/[A-Za-z0-9_-]{43}/")


def test_demo_reminders_carry_links_and_customers_open_them(client: Client) -> None:
    load_with_history(invoices=300, seed=5, today=SIM_TODAY, history_days=15)

    assert PortalLink.objects.exists()
    views = Activity.objects.filter(verb="resolution.portal.viewed")
    assert views.exists()
    assert all(timezone.localdate(v.created_at) <= SIM_TODAY for v in views)
    assert all(v.payload["by"] == "customer" for v in views)
    found = [match for e in mail.outbox if (match := LINK.search(str(e.body)))]
    assert found
    path = found[-1].group(0)
    message = DunningMessage.objects.filter(body__contains=path).first()
    assert message is not None
    with time_machine.travel(dt.datetime(2026, 3, 31, 20, 0, tzinfo=dt.UTC), tick=False):
        page = client.get(path)
    assert page.status_code == 200
    assert message.customer.name in page.content.decode()
