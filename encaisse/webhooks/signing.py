"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

signature = "v1," + base64(HMAC-SHA256(secret bytes, "{webhook-id}.{webhook-timestamp}.{body}")),
where the secret bytes are the base64 part of the `whsec_…` secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from encaisse.webhooks.models import SECRET_PREFIX


def secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": "Encaisse-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
