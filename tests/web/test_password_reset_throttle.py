"""The password-reset form is throttled per address typed and per client address,
without telling whether an account exists (issue 7). Emails go through a real
SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from encaisse.accounts.models import User
from tests.smtp import Inbox

NOON = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)  # 12:00 in Paris
ATTACKER = "203.0.113.66"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.ENCAISSE_PASSWORD_RESET_LIMIT = 2
    settings.ENCAISSE_PASSWORD_RESET_IP_LIMIT = 4


def ask(client: Client, email: str) -> Any:
    return client.post("/password-reset/", {"email": email})


def test_a_third_request_for_one_address_within_the_hour_is_refused(
    bob: User, smtp_inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    with time_machine.travel(NOON, tick=False):
        assert ask(client, "bob@encaisse.test").status_code == 302
        assert ask(client, "BOB@encaisse.test").status_code == 302  # the same address
        with caplog.at_level(logging.WARNING, logger="encaisse.security"):
            refused = ask(client, "bob@encaisse.test")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Trop de demandes de réinitialisation" in page and "réessayez après 13:00" in page
    assert smtp_inbox.recipients == [["bob@encaisse.test"], ["bob@encaisse.test"]]
    assert "Password reset throttled: email='bob@encaisse.test' ip=203.0.113.66" in caplog.text
    # The next hour, the link can be asked again.
    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        assert ask(client, "bob@encaisse.test").status_code == 302
    assert len(smtp_inbox.messages) == 3


def test_the_refusal_is_the_same_whether_or_not_the_account_exists(
    bob: User, smtp_inbox: Inbox
) -> None:
    pages = {}
    for email in ("bob@encaisse.test", "personne@example.com"):
        client = Client(REMOTE_ADDR=f"198.51.100.{len(pages) + 1}")
        with time_machine.travel(NOON, tick=False):
            answers = [ask(client, email) for _ in range(3)]
        assert [a.status_code for a in answers] == [302, 302, 429]
        # The page, less its per-session CSRF tokens and the address typed in the field.
        page = re.sub(r"\b[A-Za-z0-9]{64}\b", "TOKEN", answers[2].content.decode())
        pages[email] = page.replace(email, "EMAIL")
    assert pages["bob@encaisse.test"] == pages["personne@example.com"]
    assert len(smtp_inbox.messages) == 2  # only bob's account got emails


def test_one_client_address_cannot_ask_for_many_accounts(
    bob: User, carol: User, smtp_inbox: Inbox
) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    with time_machine.travel(NOON, tick=False):
        for email in ("a@example.com", "b@example.com", "c@example.com", "d@example.com"):
            assert ask(client, email).status_code == 302
        assert ask(client, "carol@encaisse.test").status_code == 429  # fifth from there
        assert ask(Client(REMOTE_ADDR="198.51.100.7"), "carol@encaisse.test").status_code == 302
    assert smtp_inbox.recipients == [["carol@encaisse.test"]]


def test_the_refusal_speaks_english_too(bob: User, smtp_inbox: Inbox, settings: Any) -> None:
    client = Client(REMOTE_ADDR=ATTACKER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(NOON, tick=False):
        answers = [ask(client, "bob@encaisse.test") for _ in range(3)]
    page = answers[2].content.decode()
    assert "Too many password reset requests for this address or from this connection." in page
    assert "try again after 1 p.m." in page
