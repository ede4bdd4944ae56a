from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionConfig(AppConfig):
    name = "encaisse.resolution"
    label = "resolution"
    verbose_name = _("Resolution")

    def ready(self) -> None:
        from encaisse.resolution import events_payment_plans, tasks_payment_plans  # noqa: F401
        from encaisse.resolution.services import instalment_reminders  # noqa: F401
