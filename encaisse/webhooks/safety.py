"""Outbound safety: where a webhook may be sent (docs/webhooks.md, "Outbound safety").

An endpoint's URL is checked when it is saved, and its host resolved again
at each delivery; the delivery then connects to the very address checked, so
a DNS answer that changes between the check and the connection (rebinding)
cannot point a request at the internal network.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(Exception):
    """The URL may not receive webhooks; the message says why, translated."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent on the request line
    address: str  # the checked IP address to connect to


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str) -> Target:
    """Parse, check the scheme, resolve and check every address; raise UnsafeURL."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsafeURL(_("Enter an http or https URL."))
    if parts.scheme == "http" and not settings.ENCAISSE_WEBHOOKS_ALLOW_HTTP:
        raise UnsafeURL(_("Webhooks are sent over https only."))
    if parts.username or parts.password:
        raise UnsafeURL(_("The URL may not contain a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL(_("The port is not valid.")) from None
    addresses = resolve(parts.hostname, port)
    if not settings.ENCAISSE_WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address)):
                raise UnsafeURL(
                    _("%(host)s resolves to a private or reserved address (%(address)s).")
                    % {"host": parts.hostname, "address": address}
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(_("The host %(host)s could not be resolved.") % {"host": host}) from None
    # Every address is checked (a name with one public and one private address is refused).
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
