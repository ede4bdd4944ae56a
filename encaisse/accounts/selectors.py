"""Portfolio scoping: the one place that decides whose customers a user may see.

Every view, export and search starts from these selectors (SPEC §1.5).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from encaisse.accounts.models import Role, User

# The members of the teams a user leads, kept on the user object: a page calls
# the scoping selectors several times (lists, counts, the dunning day), and one
# lookup per request is enough. Django loads `request.user` afresh for every
# request, so a change of team shows from the next one.
_TEAM_MEMBERS = "_portfolio_team_member_ids"


def portfolio_owner_ids(user: User) -> set[int] | None:
    """Ids of the account managers whose customers `user` may see.

    1. Admin and finance: None, meaning "every customer".
    2. Anyone else: themselves, plus the members of every team they lead
       (looked up once per user object).
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.sees_whole_ledger:
        return None
    members: frozenset[int] | None = getattr(user, _TEAM_MEMBERS, None)
    if members is None:
        members = frozenset(User.objects.filter(team__lead=user).values_list("pk", flat=True))
        setattr(user, _TEAM_MEMBERS, members)
    return {user.pk, *members}


def users_visible_to(user: User) -> QuerySet[User]:
    owners = portfolio_owner_ids(user)
    users = User.objects.filter(is_active=True)
    if owners is None:
        return users
    return users.filter(pk__in=owners)


def account_managers_visible_to(user: User) -> QuerySet[User]:
    """Sales people (and team leads) a user may filter lists by."""
    return users_visible_to(user).filter(Q(role=Role.SALES) | Q(role=Role.MANAGER))
