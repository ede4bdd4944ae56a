"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"can_edit_ledger": bool(user and user.is_authenticated and user.can_edit_ledger)}
