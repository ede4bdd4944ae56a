"""Reading timelines; callers pass objects already scoped to the viewer."""

from __future__ import annotations

from django.db.models import QuerySet

from encaisse.collab.models import Activity


def timeline_for_customer(customer_id: int, *, limit: int = 100) -> QuerySet[Activity]:
    return Activity.objects.filter(customer_id=customer_id).select_related("actor", "invoice")[
        :limit
    ]


def timeline_for_invoice(invoice_id: int, *, limit: int = 100) -> QuerySet[Activity]:
    return Activity.objects.filter(invoice_id=invoice_id).select_related("actor")[:limit]
