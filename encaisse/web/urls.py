"""Web routes, one module per domain so that each area grows on its own."""

from django.urls import include, path

urlpatterns = [
    path("", include("encaisse.web.urlconf.core")),
    path("", include("encaisse.web.urlconf.ledger")),
    path("", include("encaisse.web.urlconf.dunning")),
    path("", include("encaisse.web.urlconf.promises")),
    path("imports/", include("encaisse.web.urlconf.imports")),
    path("cash/", include("encaisse.web.urlconf.cash")),
    path("settings/webhooks/", include("encaisse.web.urlconf.webhooks")),
    path("", include("encaisse.web.urlconf.portal")),
    path("", include("encaisse.web.urlconf.disputes")),
    path("", include("encaisse.web.urlconf.handover")),
    path("", include("encaisse.web.urlconf.payment_plans")),
]
