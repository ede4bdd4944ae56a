"""The debtor portal's links and what the customer does there (SPEC §9, docs/portal.md).

A link's token is HMAC-SHA256(SECRET_KEY, nonce), 43 url-safe characters; the
row keeps the nonce and the token's SHA-256 only. A request is recognised by the
digest of the token it carries; the same live link is printed again on the next
reminders (the token derived anew from the nonce) while at least half its
validity remains, so that a customer's reminders in a row carry one link.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.ledger.models import Contact, Customer
from encaisse.ledger.models.customer import ContactRole
from encaisse.ledger.services.contacts import contact_add, contact_update
from encaisse.lib import clock
from encaisse.lib.changes import assign_changes, changes_payload
from encaisse.lib.errors import Message, ValidationFailed
from encaisse.resolution.models import PortalLink, PortalSettings
from encaisse.webhooks.emit import event_emit

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
VIEW_LOG_PERIOD = dt.timedelta(hours=1)  # at most one "viewed" entry per link per hour
LAST_SEEN_PRECISION = dt.timedelta(minutes=1)
LINK_DAYS_BOUNDS = (1, 365)
# Written on every entry of something the customer did in the portal: the
# timelines say "the customer" instead of "System".
BY_CUSTOMER = "customer"


class LinkState(Enum):
    VALID = "valid"
    UNKNOWN = "unknown"  # malformed, tampered or never issued
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class IssuedLink:
    link: PortalLink
    token: str

    @property
    def url(self) -> str:
        return portal_url(self.token)


@dataclass(frozen=True, slots=True)
class Resolved:
    state: LinkState
    link: PortalLink | None = None


def _token(nonce: str) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), f"portal:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def portal_url(token: str) -> str:
    """The absolute address of the portal a token opens (ENCAISSE_PUBLIC_URL + path)."""
    return settings.ENCAISSE_PUBLIC_URL + reverse("portal", kwargs={"token": token})


def link_token(link: PortalLink) -> str | None:
    """The token of `link`, derived again; None when it cannot be (SECRET_KEY changed)."""
    token = _token(link.nonce)
    return token if hmac.compare_digest(_digest(token), link.digest) else None


def _live(customer: Customer, now: dt.datetime) -> Q:
    return Q(customer=customer, revoked_at__isnull=True, expires_at__gt=now)


@transaction.atomic
def portal_link_create(*, customer: Customer, actor: User | None) -> IssuedLink:
    """A new link for `customer`, valid for the portal settings' number of days."""
    now = clock.now()
    days = PortalSettings.current().link_days
    nonce = secrets.token_urlsafe(24)
    token = _token(nonce)
    link = PortalLink.objects.create(
        customer=customer,
        nonce=nonce,
        digest=_digest(token),
        created_at=now,
        created_by=actor,
        expires_at=now + dt.timedelta(days=days),
    )
    activity_record(
        verb="resolution.portal.link_created",
        actor=actor,
        customer_id=customer.pk,
        payload={"link": link.pk, "expires_on": link.expires_at.date().isoformat()},
    )
    return IssuedLink(link, token)


@transaction.atomic
def portal_link_for(*, customer: Customer, actor: User | None = None) -> IssuedLink:
    """The link to print on a message to `customer`: the latest live one while at
    least half its validity remains, else a new one (created in the caller's
    transaction: the email and the PDF rendered in it carry the same link)."""
    now = clock.now()
    for link in PortalLink.objects.filter(_live(customer, now)).order_by("-created_at")[:3]:
        token = link_token(link)
        if token is not None and link.expires_at - now >= (link.expires_at - link.created_at) / 2:
            return IssuedLink(link, token)
    return portal_link_create(customer=customer, actor=actor)


@transaction.atomic
def portal_links_revoke(*, customer: Customer, actor: User) -> int:
    """Revoke every live link of `customer`; how many were (0: nothing written)."""
    now = clock.now()
    count = PortalLink.objects.filter(customer=customer, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    if count:
        activity_record(
            verb="resolution.portal.links_revoked",
            actor=actor,
            customer_id=customer.pk,
            payload={"count": count},
        )
    return count


def portal_link_resolve(token: str) -> Resolved:
    """What a token from a URL opens; never raises on any string."""
    if not TOKEN_PATTERN.fullmatch(token):
        return Resolved(LinkState.UNKNOWN)
    digest = _digest(token)
    link = PortalLink.objects.select_related("customer").filter(digest=digest).first()
    if link is None or not hmac.compare_digest(link.digest, digest):
        return Resolved(LinkState.UNKNOWN)
    if link.revoked_at is not None:
        return Resolved(LinkState.REVOKED, link)
    if link.expires_at <= clock.now():
        return Resolved(LinkState.EXPIRED, link)
    return Resolved(LinkState.VALID, link)


@transaction.atomic
def portal_visit(*, link: PortalLink) -> bool:
    """Record a page view: `last_seen_at` (to the minute), and a timeline entry at
    most once per link per hour (the conditional UPDATE decides, so concurrent
    views write one). True when an entry was written."""
    now = clock.now()
    stale = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - LAST_SEEN_PRECISION)
    PortalLink.objects.filter(stale, pk=link.pk).update(last_seen_at=now)
    due = Q(last_logged_at__isnull=True) | Q(last_logged_at__lte=now - VIEW_LOG_PERIOD)
    if not PortalLink.objects.filter(due, pk=link.pk).update(last_logged_at=now):
        return False
    activity_record(
        verb="resolution.portal.viewed",
        actor=None,
        customer_id=link.customer_id,
        payload={"by": BY_CUSTOMER, "link": link.pk},
    )
    return True


def billing_contact(customer: Customer) -> Contact | None:
    """The contact the portal shows and edits: the first who receives reminders,
    else the first billing contact, else none (the customer then creates one)."""
    contacts = list(customer.contacts.all())
    preferred = [c for c in contacts if c.preferred_for_reminders]
    billing = [c for c in contacts if c.role == ContactRole.BILLING]
    chosen = preferred or billing
    return chosen[0] if chosen else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PHONE = re.compile(r"\+?[0-9 ().\-/]{4,30}")


def portal_contact_check(*, name: str, email: str, phone: str) -> dict[str, str]:
    """The values trimmed, or ValidationFailed naming every bad field (nothing written)."""
    errors: dict[str, list[Message]] = {}
    values = {"name": name.strip(), "email": email.strip(), "phone": phone.strip()}
    for field, value in values.items():
        if _CONTROL.search(value):
            errors[field] = [_("Line breaks and control characters are not allowed.")]
    if "name" not in errors and not 1 <= len(values["name"]) <= 200:
        errors["name"] = [_("Enter a name (at most 200 characters).")]
    if "email" not in errors:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
        if len(values["email"]) > 254:
            errors["email"] = [_("Enter a valid email address.")]
    if "phone" not in errors and values["phone"] and not _PHONE.fullmatch(values["phone"]):
        errors["phone"] = [_("Enter a phone number: digits, spaces and + ( ) . - / only.")]
    if errors:
        raise ValidationFailed(errors)
    return values


@transaction.atomic
def portal_contact_update(*, link: PortalLink, name: str, email: str, phone: str) -> Contact:
    """The customer changes its billing contact (the one reminders go to).

    The timeline entry is the customer's, with each changed field's previous and
    new value; the ledger's contact rules (one email per customer) still apply.
    """
    values = portal_contact_check(name=name, email=email, phone=phone)
    customer = Customer.objects.select_for_update().get(pk=link.customer_id)
    contact = billing_contact(customer)
    if contact is None:
        contact = contact_add(
            actor=None,
            customer=customer,
            role=ContactRole.BILLING,
            preferred_for_reminders=True,
            log=False,
            **values,
        )
        changes = {field: {"from": "", "to": value} for field, value in values.items() if value}
    else:
        probe = Contact(**{f: getattr(contact, f) for f in values})
        changed = assign_changes(probe, values)
        if not changed:
            return contact
        changes = changes_payload(changed)
        contact = contact_update(actor=None, contact=contact, log=False, **values)
    activity_record(
        verb="resolution.portal.contact_updated",
        actor=None,
        customer_id=customer.pk,
        payload={"by": BY_CUSTOMER, "contact": contact.pk, "changes": changes},
    )
    event_emit(type="portal.contact_updated", obj=contact)
    return contact


@transaction.atomic
def portal_settings_update(*, actor: User | None, link_days: int | None = None) -> PortalSettings:
    """The validity of new portal links (links already issued keep their expiry)."""
    row = PortalSettings.objects.select_for_update().get(pk=PortalSettings.current().pk)
    if link_days is None:
        return row
    low, high = LINK_DAYS_BOUNDS
    if not low <= link_days <= high:
        raise ValidationFailed.single(
            "link_days",
            _("A portal link is valid between %(low)s and %(high)s days.")
            % {"low": low, "high": high},
        )
    changes = assign_changes(row, {"link_days": link_days})
    if changes:
        row.save(update_fields=["link_days"])
        activity_record(
            verb="resolution.portal.settings_updated",
            actor=actor,
            payload={"changes": changes_payload(changes)},
        )
    return row
