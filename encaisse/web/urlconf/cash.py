"""Cash-application pages, mounted under cash/ (finance and admins only)."""

from django.urls import path

from encaisse.web.views import cash, cash_actions

urlpatterns = [
    path("", cash.workspace, name="cash_application"),
    path("settings/", cash.cash_settings, name="cash_settings"),
    path("confident/", cash_actions.confident, name="cash_apply_confident"),
    path("<str:kind>/<int:pk>/apply/", cash_actions.apply, name="cash_apply"),
    path("<str:kind>/<int:pk>/split/", cash_actions.split, name="cash_split"),
    path("allocations/<int:pk>/undo/", cash_actions.undo, name="cash_undo"),
]
