"""The demo staff in the database: one admin, one finance, one manager, five sales reps."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from encaisse.accounts.models import Team, User
from encaisse.demo.staff import DEMO_PASSWORD, STAFF, STAFF_EMAIL_DOMAIN


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: str
    team: str
    full_name: str


@transaction.atomic
def ensure_demo_users() -> list[DemoLogin]:
    """Create (or reset) the demo users and teams; return their logins, admin first.

    Idempotent: re-running restores names, roles, teams and the demo password.
    """
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    teams = {
        name: Team.objects.get_or_create(name=name)[0]
        for name in sorted({member.team for member in STAFF if member.team})
    }
    logins = []
    for member in STAFF:
        user, _created = User.objects.update_or_create(
            username=member.username,
            defaults={
                "first_name": member.first_name,
                "last_name": member.last_name,
                "email": f"{member.username}@{STAFF_EMAIL_DOMAIN}",
                "role": member.role,
                "team": teams.get(member.team),
                "language": "fr",
                "is_staff": member.role == "admin",
                "is_superuser": member.role == "admin",
                "is_active": True,
                "password": password_hash,
            },
        )
        if member.leads:
            Team.objects.filter(name=member.leads).update(lead=user)
        logins.append(
            DemoLogin(
                member.username, DEMO_PASSWORD, member.role, member.team, user.get_full_name()
            )
        )
    return logins


def demo_logins() -> list[DemoLogin]:
    """The demo logins when this database holds the demo company's staff, else [].

    The demo is recognised by all of its usernames with their demo e-mail
    addresses, not by one name: a real company may well have an `admin`.
    """
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=[member.username for member in STAFF],
            email__endswith=f"@{STAFF_EMAIL_DOMAIN}",
        )
    }
    if len(users) < len(STAFF):
        return []
    return [
        DemoLogin(
            member.username,
            DEMO_PASSWORD,
            member.role,
            member.team,
            users[member.username].get_full_name(),
        )
        for member in STAFF
    ]
