"""The product's own error pages (404, 500, 400, 403 of an expired form), in French and English.

With DEBUG off, as `encaisse serve` runs, Django renders these templates
instead of its debug pages; the 500 and 400 pages get no request context.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from encaisse.accounts.models import User


@pytest.fixture(autouse=True)
def _no_debug(settings: Any) -> None:
    settings.DEBUG = False


def english(client: Client) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def failing_view(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.web.urls_boom"


# No database fixture: the database is out of reach, as when it is the cause of the error.
@pytest.mark.usefixtures("failing_view")
@pytest.mark.parametrize(
    ("language", "heading"),
    [("fr", "Un problème est survenu de notre côté"), ("en", "Something went wrong on our side")],
)
def test_a_server_error_shows_our_page_without_the_database(language: str, heading: str) -> None:
    client = Client(raise_request_exception=False)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert heading in page and f'lang="{language}"' in page
    assert 'href="/"' in page  # the way home
    assert "Traceback" not in page and "a bug in a view" not in page


def test_an_unknown_page_shows_our_404_in_english(client: Client, bob: User) -> None:
    english(client).force_login(bob)
    bob.language = "en"
    bob.save()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist, or is not in your portfolio" in page
    assert 'href="/"' in page and 'action="/logout/"' in page  # the whole layout


def test_an_anonymous_visitor_gets_our_404_too(client: Client, db: None) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ne fait pas partie de votre portefeuille" in response.content.decode()


def test_a_bad_host_gets_our_400(client: Client, db: None) -> None:
    response = client.get("/login/", HTTP_HOST="intrus.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "pas pu être comprise" in page
    assert "DisallowedHost" not in page


@pytest.mark.parametrize(
    ("language", "heading"), [("fr", "Ce formulaire a expiré"), ("en", "This form has expired")]
)
def test_an_expired_form_explains_itself(db: None, language: str, heading: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/login/", {"username": "bob", "password": "x"})
    assert response.status_code == 403
    assert heading in response.content.decode()
