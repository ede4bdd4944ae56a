"""The shell: sign-in, sign-out, password reset by email, the FR/EN switch."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import User
from tests.conftest import PASSWORD
from tests.web.conftest import Portfolio


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, db: None) -> None:
    response = client.get("/customers/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/customers/"


def test_signing_in_lands_on_the_customers_list(client: Client, bob: User) -> None:
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'lang="fr"' in page.content.decode()
    response = client.post(
        "/login/", {"username": "bob", "password": PASSWORD, "next": ""}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("customers")
    assert "Bob" in response.content.decode()


def test_a_wrong_password_is_refused(client: Client, bob: User) -> None:
    response = client.post("/login/", {"username": "bob", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client: Client, bob: User) -> None:
    client.force_login(bob)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get("/customers/").status_code == 302


def test_the_navigation_shows_imports_to_finance_only(
    client: Client, alice: User, bob: User
) -> None:
    client.force_login(alice)
    assert ">Imports<" in client.get("/customers/").content.decode()
    client.force_login(bob)
    page = client.get("/customers/").content.decode()
    assert ">Imports<" not in page
    assert "Administration" not in page
    assert "Sales rep" in page or "Commercial" in page


def test_password_reset_by_email(client: Client, bob: User) -> None:
    response = client.post("/password-reset/", {"email": "bob@encaisse.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@encaisse.test"]
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", message.body)
    assert link, message.body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    confirm_url = form.redirect_chain[-1][0]
    new = "a-much-better-passphrase-42"
    done = client.post(confirm_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    bob.refresh_from_db()
    assert bob.check_password(new)


def test_password_reset_for_an_unknown_address_says_the_same(client: Client, db: None) -> None:
    response = client.post("/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_pages_are_french_by_default_and_english_after_switching(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    client.force_login(alice)
    url = reverse("customer", args=[bobs.customer.pk])
    french = client.get(url).content.decode()
    assert 'lang="fr"' in french
    assert "950,00\u00a0€" in french  # money in the French way
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    alice.refresh_from_db()
    assert alice.language == "en"
    english = client.get(url).content.decode()
    assert 'lang="en"' in english
    assert "€950.00" in english


def test_the_choice_follows_the_user_to_a_new_session(alice: User, db: None) -> None:
    alice.language = "en"
    alice.save()
    browser = Client()
    browser.force_login(alice)
    assert 'lang="en"' in browser.get("/customers/").content.decode()


def test_anonymous_visitors_switch_language_on_the_login_page(client: Client, db: None) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/login/").content.decode()
    assert 'lang="en"' in page
    assert "Username" in page  # Django's own catalogue, now in English


def test_an_unknown_language_changes_nothing(client: Client, alice: User) -> None:
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "xx", "next": "/customers/"})
    alice.refresh_from_db()
    assert alice.language == ""


def test_error_pages_use_the_layout(client: Client, bob: User, settings: Any) -> None:
    settings.DEBUG = False
    client.force_login(bob)
    page = client.get("/customers/999999/")
    assert page.status_code == 404
    assert "ne fait pas partie de votre portefeuille" in page.content.decode()
    assert 'action="/logout/"' in page.content.decode()  # the whole layout
