"""Counts shown with the noun in the right number, French (0 and 1 singular) and English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from encaisse.accounts.models import User
from encaisse.web.views import dunning_today
from tests.conftest import make_customer, make_invoice
from tests.web.conftest import TODAY, Portfolio

pytestmark = pytest.mark.usefixtures("frozen_today")

NOUNS = {"fr": r"messages?|tâches?|factures?", "en": r"messages?|tasks?|invoices?"}


def plural_in(language: str, count: int) -> bool:
    return count > 1 if language == "fr" else count != 1


def preview(client: Client, user: User, language: str, on: dt.date) -> str:
    user.language = language
    user.save()
    client.force_login(user)
    response = client.get("/dunning/preview/", {"on": on.isoformat()})
    return response.content.decode()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_figure_of_the_preview_days_says_what_it_counts(
    client: Client, alice: User, bobs: Portfolio, carols: Portfolio, language: str
) -> None:
    # Both portfolios' invoices fell due on 9 February (two of a kind each step day);
    # another customer's alone a month later (one).
    make_invoice(make_customer(alice, "Seul"), issue=TODAY - dt.timedelta(days=31), due=TODAY)
    page = preview(client, alice, language, TODAY + dt.timedelta(days=11))
    table = page[page.index("<table") : page.index("</table>")]
    figures = re.findall(rf"(\d+) ({NOUNS[language]})\b", table)
    counts = {int(count) for count, _noun in figures}
    assert {0, 1, 2} <= counts, figures  # empty days, one message, two invoices at a step
    for count, noun in figures:
        assert noun.endswith("s") == plural_in(language, int(count)), (count, noun)
    cells = re.findall(r'<td class="num">([^<]*)</td>', table)
    assert cells and all(re.fullmatch(rf"\d+ ({NOUNS[language]})", cell) for cell in cells)


def test_the_preview_lists_the_first_customers_by_name(
    client: Client, alice: User, bobs: Portfolio, carols: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more customers than it lists, the preview shows the first by name (here
    carol's, renamed to come first), not the first it happened to decide."""
    monkeypatch.setattr(dunning_today, "PREVIEW_GROUPS", 1)
    carols.customer.name = "Atelier Carol"
    carols.customer.save(update_fields=["name"])
    page = preview(client, alice, "fr", TODAY + dt.timedelta(days=11))
    assert "Atelier Carol" in page and "Boulangerie Bob" not in page
    assert "Seule la première action (1), par nom de client, est listée." in page


@pytest.mark.parametrize(
    ("days", "end_of_month", "french", "english"),
    [
        (0, False, "0 jour", "0 days"),
        (1, False, "1 jour", "1 day"),
        (2, False, "2 jours", "2 days"),
        (1, True, "1 jour fin de mois", "1 day end of month"),
        (45, True, "45 jours fin de mois", "45 days end of month"),
    ],
)
def test_payment_terms_on_the_customer_page(
    client: Client,
    alice: User,
    bob: User,
    days: int,
    end_of_month: bool,
    french: str,
    english: str,
) -> None:
    customer = make_customer(bob, "Termes", terms_days=days, terms_end_of_month=end_of_month)
    client.force_login(alice)
    for language, expected in (("fr", french), ("en", english)):
        alice.language = language
        alice.save()
        page = client.get(f"/customers/{customer.pk}/").content.decode()
        assert f"<dd>{expected}</dd>" in page
