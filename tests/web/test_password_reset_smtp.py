"""Password reset, end to end through a real SMTP server on loopback."""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.test import Client

from encaisse.accounts.models import User
from tests.smtp import Inbox


def test_password_reset_email_reaches_a_real_smtp_server_in_french(
    client: Client, bob: User, smtp_inbox: Inbox
) -> None:
    response = client.post("/password-reset/", {"email": "bob@encaisse.test"})
    assert response.status_code == 302

    assert smtp_inbox.recipients == [["bob@encaisse.test"]]
    message = smtp_inbox.messages[0]
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    assert "mot de passe" in body.lower()
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", body)
    assert link, body

    form = client.get(link.group(1), follow=True)
    new = "une-phrase-de-passe-solide-42"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert client.login(request=HttpRequest(), username="bob", password=new)
