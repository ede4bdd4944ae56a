"""What a customer can do from the portal: a registry, so that each action is one
view and one template (docs/portal.md, "Adding an action").

An action registers a key, a title and a one-line description (both lazily
translated) and its view, which `web.views.portal.portal_action` calls with the
request and the resolved `PortalVisit` after the link was checked; the portal's
home lists every registered action in registration order, and its URL is
`/portal/<token>/actions/<key>/`. Disputes, promises, instalment plans and
extensions register theirs next to their own views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from encaisse.web.views.portal import PortalVisit

ActionView = Callable[[HttpRequest, "PortalVisit"], HttpResponse]


@dataclass(frozen=True, slots=True)
class PortalAction:
    key: str  # a slug, in the URL
    title: Promise
    description: Promise
    view: ActionView
    # False hides the action for a customer (e.g. nothing open to promise on).
    available: Callable[[Any], bool] = lambda visit: True


ACTIONS: dict[str, PortalAction] = {}


def portal_action(
    key: str,
    title: Promise,
    description: Promise,
    available: Callable[[Any], bool] | None = None,
) -> Callable[[ActionView], ActionView]:
    """Register the decorated view as the portal action `key`."""

    def register(view: ActionView) -> ActionView:
        if key in ACTIONS:
            raise ValueError(f"portal action {key!r} is registered twice")
        ACTIONS[key] = PortalAction(key, title, description, view, available or (lambda v: True))
        return view

    return register


def actions_for(visit: Any) -> list[PortalAction]:
    return [action for action in ACTIONS.values() if action.available(visit)]
