"""A real SMTP server on loopback (aiosmtpd) for tests that send email.

Rule: no mocks of our own components; email goes through Django's SMTP backend
to a real server, and tests read what the server received.

The fault tests also need a server that refuses some recipients, answers
slowly, holds one conversation until the test releases it, and can be stopped
and started again on the same port: see `Inbox`'s optional fields, `Gate` and
the `smtp_server` fixture.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

# How long a held conversation waits for the test before going on by itself.
GATE_TIMEOUT = 30.0


@dataclass
class Gate:
    """Holds the first conversation at one stage until the test releases it.

    stage "rcpt": before the server has the message (a client dying there
    leaves nothing behind); stage "data": after the server stored the message
    but before it answers, so a client dying there never learns it was accepted.
    `reply` is the answer given once released (the default accepts).
    """

    stage: str
    reply: str = "250 Message accepted for delivery"
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    used: bool = False

    def holds(self, stage: str) -> bool:
        if self.used or stage != self.stage:
            return False
        self.used = True
        return True

    async def hold(self) -> None:
        self.reached.set()
        # In a thread, so that the server keeps serving other clients meanwhile.
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, GATE_TIMEOUT)


@dataclass
class Inbox:
    """Messages the loopback server accepted, parsed."""

    port: int
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered "550 no such user"
    refuse_sender: bool = False  # MAIL FROM answered "553 sender not allowed"
    delay: float = 0.0  # seconds spent on each message, so that workers overlap
    gate: Gate | None = None

    # aiosmtpd calls the handler methods by these exact names.
    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        if self.refuse_sender:
            return f"553 5.7.1 <{address}>: sender address rejected"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if self.gate is not None and self.gate.holds("rcpt"):
            await self.gate.hold()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(email.message_from_bytes(envelope.original_content))
        self.recipients.append(list(envelope.rcpt_tos))
        if self.gate is not None and self.gate.holds("data"):
            await self.gate.hold()
            return self.gate.reply
        return "250 Message accepted for delivery"

    def message_ids(self) -> Counter[str]:
        """How many times the server received each Message-ID."""
        return Counter(str(message["Message-ID"]) for message in self.messages)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """The loopback server, which a test can stop (connections refused) and start again."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self._controller: Controller | None = None

    def start(self) -> None:
        # A stopped Controller cannot restart (its event loop is closed): make a new one.
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.inbox.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@contextmanager
def _serving(inbox: Inbox) -> Iterator[SmtpServer]:
    server = SmtpServer(inbox)
    server.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=inbox.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            yield server
    finally:
        if inbox.gate is not None:
            inbox.gate.release.set()  # never leave a held conversation behind
        server.stop()


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    with _serving(Inbox(port=_free_port())) as server:
        yield server.inbox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with _serving(Inbox(port=_free_port())) as server:
        yield server
