"""Sign-in protection (issue 7): repeated failures lock out an account and an
address for a cool-off, with a clear page, a log line, and ways to unlock."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from encaisse.accounts.models import User
from tests.conftest import PASSWORD

LIMIT = 3
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.10"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password, "next": ""})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def lock_out(client: Client, username: str = "bob") -> Any:
    for _ in range(LIMIT - 1):
        assert sign_in(client, username, "wrong").status_code == 200  # the usual error
    return sign_in(client, username, "wrong")


def test_the_right_password_is_refused_once_the_account_is_locked_out(
    bob: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    with caplog.at_level(logging.WARNING, logger="encaisse.security"):
        locked = lock_out(client)
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion" in locked.content.decode()
    assert "Sign-in locked out after 3 failed attempts: username='bob'" in caplog.text
    assert ATTACKER in caplog.text

    # bob himself, from his office, with his right password: the account is paused.
    office = Client(REMOTE_ADDR=OFFICE)
    refused = sign_in(office, "bob", PASSWORD)
    assert refused.status_code == 429 and not signed_in(office)
    assert 'id="lockout-message"' in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_an_address_is_locked_out_across_usernames(bob: User, carol: User) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    for name in ("alain", "bernard"):
        assert sign_in(client, name, "wrong").status_code == 200
    assert sign_in(client, "carol", "wrong").status_code == 429  # third failure from there
    assert sign_in(client, "bob", PASSWORD).status_code == 429
    assert not signed_in(client)
    # The accounts are not locked: bob signs in from elsewhere.
    office = Client(REMOTE_ADDR=OFFICE)
    assert sign_in(office, "bob", PASSWORD).status_code == 302 and signed_in(office)


def test_the_lockout_ends_after_the_cool_off_and_says_when(bob: User) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    with time_machine.travel(START, tick=False):
        lock_out(client)
    ends = START + dt.timedelta(minutes=15)
    with time_machine.travel(START + dt.timedelta(minutes=14), tick=False):
        page = sign_in(client, "bob", PASSWORD)
        assert page.status_code == 429
        # 10:15 in Paris: the time and the delay, in the visitor's terms.
        assert f"après {timezone.localtime(ends):%H:%M}" in page.content.decode()
        assert "(dans 1\xa0minute)" in page.content.decode()
        assert page["Retry-After"] == "60"
    with time_machine.travel(ends + dt.timedelta(seconds=1), tick=False):
        assert sign_in(client, "bob", PASSWORD).status_code == 302
        assert signed_in(client)


def test_the_lockout_page_speaks_english_too(bob: User) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = lock_out(client).content.decode()
    assert 'lang="en"' in page and "Sign-in paused" in page
    assert "Too many failed sign-in attempts for this account or from this connection." in page
    assert 'href="/password-reset/"' in page


def test_attempts_while_locked_out_do_not_push_the_time_back(bob: User) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    with time_machine.travel(START, tick=False):
        lock_out(client)
    with time_machine.travel(START + dt.timedelta(minutes=10), tick=False):
        assert sign_in(client, "bob", "wrong").status_code == 429
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        assert sign_in(client, "bob", PASSWORD).status_code == 302


def test_an_administrator_unlocks_an_account_in_the_admin(
    superuser_client: Client, bob: User
) -> None:
    lock_out(Client(REMOTE_ADDR=ATTACKER))
    office = Client(REMOTE_ADDR=OFFICE)
    assert sign_in(office, "bob", PASSWORD).status_code == 429
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert changelist in superuser_client.get(reverse("admin:index")).content.decode()
    listing = superuser_client.get(changelist).content.decode()
    assert "bob" in listing
    attempt = AccessAttempt.objects.get(username="bob")
    response = superuser_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(office, "bob", PASSWORD).status_code == 302 and signed_in(office)


def test_the_axes_reset_username_command_unlocks_an_account(bob: User) -> None:
    lock_out(Client(REMOTE_ADDR=ATTACKER))
    office = Client(REMOTE_ADDR=OFFICE)
    assert sign_in(office, "bob", PASSWORD).status_code == 429
    call_command("axes_reset_username", "bob", stdout=None)
    assert sign_in(office, "bob", PASSWORD).status_code == 302


def test_a_new_password_through_the_emailed_link_lifts_the_accounts_lockout(
    bob: User, smtp_inbox: Any
) -> None:
    lock_out(Client(REMOTE_ADDR=ATTACKER))
    client = Client(REMOTE_ADDR=OFFICE)
    assert sign_in(client, "bob", PASSWORD).status_code == 429
    assert client.post("/password-reset/", {"email": "bob@encaisse.test"}).status_code == 302
    message = smtp_inbox.messages[0]
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", body)
    assert link, body
    form = client.get(link.group(1), follow=True)
    new = "une-autre-phrase-solide-43"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert sign_in(client, "bob", new).status_code == 302 and signed_in(client)
