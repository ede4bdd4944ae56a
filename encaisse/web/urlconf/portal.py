"""The debtor portal: every URL starts with the link's token (docs/portal.md)."""

from django.urls import path

from encaisse.web.views import portal, portal_links

urlpatterns = [
    path("portal/<str:token>/", portal.portal_home, name="portal"),
    path("portal/<str:token>/statement.pdf", portal.portal_statement, name="portal_statement"),
    path(
        "portal/<str:token>/invoices/<path:key>/summary.pdf",
        portal.portal_invoice,
        name="portal_invoice",
    ),
    path(
        "portal/<str:token>/invoices/<path:key>/original.pdf",
        portal.portal_invoice_original,
        name="portal_invoice_original",
    ),
    path("portal/<str:token>/actions/<slug:key>/", portal.portal_action_view, name="portal_action"),
    # Finance, on the customer page.
    path(
        "customers/<int:pk>/portal/new-link/",
        portal_links.portal_link_new,
        name="portal_link_new",
    ),
    path(
        "customers/<int:pk>/portal/revoke/",
        portal_links.portal_links_revoke_view,
        name="portal_links_revoke",
    ),
]
