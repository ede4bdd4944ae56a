"""The client address the sign-in lockout and the reset throttle count, behind proxies or not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from encaisse.accounts.client_ip import client_ip


def address(settings: Any, proxies: int, remote: str, forwarded: str | None = None) -> str | None:
    settings.ENCAISSE_TRUSTED_PROXIES = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/login/", **extra))


def test_without_a_proxy_the_forwarded_header_is_ignored(settings: Any) -> None:
    assert address(settings, 0, "203.0.113.9") == "203.0.113.9"
    assert address(settings, 0, "203.0.113.9", "6.6.6.6") == "203.0.113.9"  # forged


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a forged left part
        (2, "10.0.0.3", "198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (1, "2001:db8::2", "2001:db8::7", "2001:db8::7"),
        (1, "203.0.113.9", None, "203.0.113.9"),  # came around the proxy
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),  # never store garbage
    ],
)
def test_behind_trusted_proxies_the_client_is_just_left_of_them(
    settings: Any, proxies: int, remote: str, forwarded: str | None, client: str
) -> None:
    assert address(settings, proxies, remote, forwarded) == client
