"""One HTTP POST to a checked address, with short timeouts and a bounded read."""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from encaisse.webhooks.safety import Target


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: str  # decoded, at most ENCAISSE_WEBHOOKS_RESPONSE_BYTES bytes of it
    duration_ms: int


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to now."""

    def __init__(self, target: Target) -> None:
        super().__init__(target.host, target.port, timeout=settings.ENCAISSE_WEBHOOKS_READ_TIMEOUT)
        self.target = target

    def connect(self) -> None:
        self.sock = socket.create_connection(
            (self.target.address, self.target.port),
            timeout=settings.ENCAISSE_WEBHOOKS_CONNECT_TIMEOUT,
        )
        self.sock.settimeout(settings.ENCAISSE_WEBHOOKS_READ_TIMEOUT)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        # The certificate is checked against the host name, not the pinned address.
        self.sock = context.wrap_socket(self.sock, server_hostname=self.target.host)


def post(target: Target, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body`; raise OSError (timeouts, refused connections, TLS) on transport failures."""
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target)
    started = time.monotonic()
    # The timeouts bound each socket operation; a receiver dripping its answer a byte
    # at a time could still hold the worker (and outlive its lease). The watchdog cuts
    # the whole exchange at connect + read timeout.
    limit = settings.ENCAISSE_WEBHOOKS_CONNECT_TIMEOUT + settings.ENCAISSE_WEBHOOKS_READ_TIMEOUT
    watchdog = threading.Timer(limit, _cut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read(settings.ENCAISSE_WEBHOOKS_RESPONSE_BYTES)
    except http.client.HTTPException as error:  # a malformed answer: a transport failure too
        raise OSError(f"{type(error).__name__}: {error}") from error
    finally:
        watchdog.cancel()
        connection.close()
    return Response(
        status=response.status,
        body=raw.decode("utf-8", errors="replace"),
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _cut(connection: http.client.HTTPConnection) -> None:
    """Unblock a worker stuck reading: shutting the socket down ends its pending recv."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)
