"""Looking objects up for the caller: through the scoping selectors, or not at all.

An object outside the caller's portfolio is a 404, exactly like one that does
not exist (its existence is not revealed). An operation the caller's role may
never use is a 403 before any lookup, so it says nothing about the object
either: read tokens and managers never reach a write operation
(`auth._refuse_unsafe_when_read_only`), and the ledger's writes and the
settings call `require_editor` first.
"""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from encaisse.api.auth import caller
from encaisse.api.problems import forbidden, not_found

M = TypeVar("M", bound=Model)


def get_visible(queryset: "QuerySet[M]", **lookup: object) -> M:
    found = queryset.filter(**lookup).first()
    if found is None:
        raise not_found()
    return found


def require_editor(request: HttpRequest) -> None:
    """Finance and admins only: the ledger's writes and the settings."""
    if not caller(request).can_edit_ledger:
        raise forbidden()
