"""The demo company and its people (pure data; `users.py` writes them to the database).

Every demo login uses DEMO_PASSWORD: this is demo data, meant to be public.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "demo-encaisse-2026"  # public demo credential, documented in docs/demo.md


@dataclass(frozen=True, slots=True)
class StaffMember:
    username: str
    first_name: str
    last_name: str
    role: str  # accounts.Role value
    team: str  # "" = no team
    leads: str = ""  # name of the team this person leads


TEAM_NORTH = "Équipe Nord"
TEAM_SOUTH = "Équipe Sud"

STAFF: tuple[StaffMember, ...] = (
    StaffMember("admin", "Agnès", "Marchand", "admin", ""),
    StaffMember("finance", "Florence", "Castel", "finance", ""),
    StaffMember("manager", "Marc", "Delorme", "manager", TEAM_NORTH, leads=TEAM_NORTH),
    StaffMember("commercial1", "Claire", "Besson", "sales", TEAM_NORTH),
    StaffMember("commercial2", "Julien", "Perret", "sales", TEAM_NORTH),
    StaffMember("commercial3", "Sofia", "Haddad", "sales", TEAM_NORTH),
    # Team South is led by its senior rep, so both kinds of team lead are in the demo.
    StaffMember("commercial4", "Romain", "Vasseur", "sales", TEAM_SOUTH, leads=TEAM_SOUTH),
    StaffMember("commercial5", "Nadia", "Lemoine", "sales", TEAM_SOUTH),
)
SALES_USERNAMES: tuple[str, ...] = tuple(m.username for m in STAFF if m.role == "sales")
STAFF_EMAIL_DOMAIN = "atelier-lumiere.example.fr"


@dataclass(frozen=True, slots=True)
class CompanyProfile:
    legal_name: str
    address: str
    email: str
    phone: str
    bic: str


COMPANY = CompanyProfile(
    legal_name="Atelier Lumière SAS",
    address="12 rue des Artisans\n69002 Lyon",
    email=f"relances@{STAFF_EMAIL_DOMAIN}",
    phone="04 72 00 12 34",
    bic="BNPAFRPPXXX",
)
