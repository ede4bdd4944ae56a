"""The debtor portal's webhook event: the customer changed its billing contact.

Page views have no event (one per visit would flood the receivers); they are in
the customer's timeline.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from encaisse.webhooks import payloads, registry


def contact_data(contact: Any) -> payloads.Data:
    return {
        "customer": payloads.customer_ref(contact),
        "contact": {
            "id": contact.pk,
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
        },
        "by": "customer",
        **payloads.stamps(contact),
    }


registry.register(
    "portal.contact_updated",
    _("A customer changed its billing contact in the debtor portal."),
    contact_data,
)
