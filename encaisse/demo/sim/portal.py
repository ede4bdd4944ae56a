"""Simulated customers opening the personal link of a reminder they received.

A customer sent a message in the last few days opens its portal on a given day
with a chance that depends on its behaviour (prompt payers look, defaulters do
not); the visit goes through the portal's own service, so the timeline shows
"the customer opened their portal" as it would for a real click.
"""

from __future__ import annotations

import datetime as dt

from encaisse.demo.behaviours import Behaviour
from encaisse.demo.sim.chance import chance
from encaisse.demo.sim.world import World
from encaisse.dunning.models import DunningMessage, MessageState
from encaisse.lib import clock
from encaisse.resolution.models import PortalLink
from encaisse.resolution.services.portal import portal_visit

# Chance, per day, that a customer with a link received in the last days opens it.
_OPENS = {
    Behaviour.PROMPT: 0.35,
    Behaviour.SLOW: 0.20,
    Behaviour.CHRONIC_LATE: 0.10,
    Behaviour.DISPUTER: 0.30,
    Behaviour.DEFAULTER: 0.02,
}
RECENT_DAYS = 5


def portal_visits(world: World, day: dt.date) -> int:
    """Open the portals the day's customers look at; how many were opened."""
    now = clock.now()
    reminded = DunningMessage.objects.filter(
        state=MessageState.SENT, decided_on__gte=day - dt.timedelta(days=RECENT_DAYS)
    ).values("customer_id")
    links = PortalLink.objects.filter(
        customer_id__in=reminded, revoked_at__isnull=True, expires_at__gt=now
    ).order_by("customer_id", "-created_at")
    opened = 0
    seen: set[int] = set()
    for link in links.iterator():
        if link.customer_id in seen:
            continue  # the customer's latest link only
        seen.add(link.customer_id)
        account = world.accounts.get(link.customer_id)
        if account is None:
            continue
        if chance(world.seed, "portal", account.key, day).random() < _OPENS[account.behaviour]:
            portal_visit(link=link)
            opened += 1
    return opened
