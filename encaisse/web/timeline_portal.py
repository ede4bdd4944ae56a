"""Timeline sentences for the debtor portal (registered on import by web.apps)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from encaisse.web.timeline import day, describes, settings_changed


@describes("resolution.portal.viewed")
def _viewed(p: dict[str, Any]) -> str:
    return _("The customer opened their portal")


@describes("resolution.portal.link_created")
def _link_created(p: dict[str, Any]) -> str:
    return _("Portal link created, valid until %(date)s") % {"date": day(p, "expires_on")}


@describes("resolution.portal.links_revoked")
def _links_revoked(p: dict[str, Any]) -> str:
    count = int(p["count"])
    return ngettext("%(count)d portal link revoked", "%(count)d portal links revoked", count) % {
        "count": count
    }


@describes("resolution.portal.contact_updated")
def _contact_updated(p: dict[str, Any]) -> str:
    labels = {"name": _("name"), "email": _("email"), "phone": _("phone")}
    parts = [
        f"{labels.get(field, field)}: {change.get('from') or '—'} → {change.get('to') or '—'}"
        for field, change in p["changes"].items()
        if isinstance(change, dict)
    ]
    return _("The customer updated their billing contact (%(changes)s)") % {
        "changes": "; ".join(parts)
    }


@describes("resolution.portal.settings_updated")
def _settings_updated(p: dict[str, Any]) -> str:
    return settings_changed(_("Portal settings changed"), p["changes"])
