"""Which language a page speaks: the user's own, else the visitor's choice on the
sign-in page, else the company's — never the browser's Accept-Language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.ledger.models import Company


def company_speaks(language: str) -> None:
    Company.objects.update_or_create(pk=1, defaults={"language": language})


def lang(client: Client, url: str = "/login/") -> str:
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_visitor_who_has_not_chosen_gets_the_company_language(
    client: Client, db: None, language: str
) -> None:
    company_speaks(language)
    assert lang(client) == language  # although the browser asks for English


def test_without_a_company_row_the_default_language_applies(client: Client, db: None) -> None:
    Company.objects.all().delete()
    assert lang(client) == settings.LANGUAGE_CODE == "fr"


def test_the_visitor_choice_on_the_login_page_wins_over_the_company(
    client: Client, db: None
) -> None:
    company_speaks("fr")
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert lang(client) == "en"
    client.post(reverse("set_language"), {"language": "fr", "next": "/login/"})
    assert lang(client) == "fr"


def test_a_signed_in_user_own_language_wins_over_the_choice_and_the_company(
    client: Client, alice: User
) -> None:
    company_speaks("en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    alice.language = "fr"
    alice.save()
    client.force_login(alice)
    assert lang(client, "/customers/") == "fr"


def test_a_user_who_never_chose_keeps_the_visitor_choice_else_the_company_language(
    client: Client, alice: User
) -> None:
    company_speaks("en")
    client.force_login(alice)
    assert lang(client, "/customers/") == "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert lang(client, "/customers/") == "fr"


def test_a_company_language_the_interface_lacks_falls_back_to_the_default(
    client: Client, db: None
) -> None:
    company_speaks("de")
    assert lang(client) == "fr"


def test_a_change_of_the_company_language_in_the_admin_applies_to_the_next_page(
    superuser_client: Client,
) -> None:
    company_speaks("fr")
    visitor = Client()
    assert lang(visitor) == "fr"
    company = Company.objects.get()
    url = reverse("admin:ledger_company_change", args=[company.pk])
    form = superuser_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["language"] = "en"
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    assert lang(visitor) == "en"
