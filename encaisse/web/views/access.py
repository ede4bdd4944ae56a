"""Who may act: finance and admins change dunning settings and act on the outbox.

Sales reps and managers read (scoped by the selectors); an action they may
not take is a 403, while an object outside their portfolio stays a 404
(the views look the object up through the scoped selector first).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer


def finance_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Finance and admins only (403 for everyone else, login page when signed out)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.can_edit_ledger:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def require_editor(user: User) -> None:
    if not user.can_edit_ledger:
        raise PermissionDenied


def may_remind(user: User, customer: Customer) -> bool:
    """Finance, admins, and the customer's own account manager send manual reminders."""
    return user.can_edit_ledger or (user.pk is not None and user.pk == customer.account_manager_id)
