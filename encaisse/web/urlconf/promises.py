"""Promises to pay, due-date extensions, holds and the approvals queue."""

from django.urls import path

from encaisse.web.views import approvals, promises

urlpatterns = [
    path(
        "customers/<int:pk>/promises/new/",
        promises.customer_promise_new,
        name="customer_promise_new",
    ),
    path("customers/<int:pk>/holds/new/", promises.customer_hold_new, name="customer_hold_new"),
    path(
        "invoices/<int:pk>/extensions/new/",
        promises.invoice_extension_new,
        name="invoice_extension_new",
    ),
    path("invoices/<int:pk>/holds/new/", promises.invoice_hold_new, name="invoice_hold_new"),
    path("promises/<int:pk>/cancel/", promises.promise_cancel_view, name="promise_cancel"),
    path("holds/<int:pk>/release/", promises.hold_release_view, name="hold_release"),
    path(
        "extensions/<int:pk>/approve/",
        approvals.extension_approve_view,
        name="extension_approve",
    ),
    path("extensions/<int:pk>/refuse/", approvals.extension_refuse_view, name="extension_refuse"),
    path("resolution/promises/", promises.promise_list, name="resolution_promises"),
    path("resolution/holds/", promises.hold_list, name="resolution_holds"),
    path("resolution/approvals/", approvals.approvals_page, name="resolution_approvals"),
]
