from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "encaisse.web"
    verbose_name = _("Web interface")

    def ready(self) -> None:
        # Describers of other domains' timeline events register themselves on
        # import; importing them here (not from timeline.py) avoids a cycle.
        from encaisse.web import (
            timeline_disputes,  # noqa: F401
            timeline_dunning,  # noqa: F401
            timeline_handover,  # noqa: F401
            timeline_payment_plans,  # noqa: F401
            timeline_portal,  # noqa: F401
            timeline_promises,  # noqa: F401
        )
        from encaisse.web.views import portal_plan, portal_resolution  # noqa: F401
