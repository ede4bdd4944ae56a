from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionConfig(AppConfig):
    name = "encaisse.resolution"
    label = "resolution"
    verbose_name = _("Resolution")

    def ready(self) -> None:
        from encaisse.resolution import (  # noqa: F401  (each registers its events, listeners)
            events_disputes,
            events_handover,
            events_payment_plans,
            events_portal,
            events_promises,
            tasks_payment_plans,
            tasks_promises,
        )
        from encaisse.resolution.services import instalment_reminders  # noqa: F401
