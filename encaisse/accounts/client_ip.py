"""The client's address, as counted by the sign-in lockout and the password-reset throttle.

Without a reverse proxy (ENCAISSE_TRUSTED_PROXIES=0) it is REMOTE_ADDR and
X-Forwarded-For is ignored: anyone can write that header. Behind N trusted
proxies, each appends the address it received the request from, so the chain
"X-Forwarded-For, REMOTE_ADDR" ends with N addresses our proxies wrote, and the
client is the one just before them; whatever stands further left was written
by the client and may be forged.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies: int = settings.ENCAISSE_TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    if remote:
        chain.append(remote)
    if not chain:
        return None
    # A shorter chain than expected reached us past the proxies: its left-most is the client.
    candidate = chain[max(0, len(chain) - 1 - proxies)]
    # The address is stored (an inet column on PostgreSQL): never a malformed one.
    return candidate if _valid(candidate) else remote
