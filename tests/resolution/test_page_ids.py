"""The customer and invoice pages hold every resolution panel's form at once: each
element id must be unique, or a label points at another form's field (found when the
handover form's "Note" label pointed at the promise form's note)."""

from __future__ import annotations

import collections
import re

import pytest
from django.test import Client

from encaisse.accounts.models import User
from tests.web.conftest import Portfolio

pytestmark = pytest.mark.django_db


def duplicated_ids(html: str) -> list[str]:
    counts = collections.Counter(re.findall(r'\sid="([^"]+)"', html))
    return sorted(name for name, count in counts.items() if count > 1)


@pytest.mark.parametrize("page", ["customer", "invoice"])
def test_the_pages_of_panels_have_unique_ids(
    client: Client, alice: User, bobs: Portfolio, page: str
) -> None:
    client.force_login(alice)
    pk = bobs.customer.pk if page == "customer" else bobs.invoice.pk
    html = client.get(f"/{page}s/{pk}/").content.decode()
    assert duplicated_ids(html) == []


def test_the_handover_form_loaded_into_the_customer_page_adds_no_duplicate(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    client.force_login(alice)
    page = client.get(f"/customers/{bobs.customer.pk}/").content.decode()
    form = client.get(
        f"/customers/{bobs.customer.pk}/hand-over/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="handover-form"' in form and "<html" not in form  # the fragment
    assert duplicated_ids(page + form) == []
