"""Resolution pages: disputes, their reasons and their root causes."""

from django.urls import path

from encaisse.web.views import disputes, disputes_actions, disputes_reports

urlpatterns = [
    path("resolution/disputes/", disputes.dispute_list, name="disputes"),
    path("resolution/disputes/causes/", disputes_reports.causes, name="dispute_causes"),
    path("resolution/disputes/reasons/", disputes_reports.reasons, name="dispute_reasons"),
    path(
        "resolution/disputes/reasons/<int:pk>/",
        disputes_reports.reason_edit,
        name="dispute_reason",
    ),
    path("resolution/disputes/<uuid:public_id>/", disputes.dispute_detail, name="dispute"),
    path(
        "resolution/disputes/<uuid:public_id>/assign/",
        disputes_actions.assign,
        name="dispute_assign",
    ),
    path(
        "resolution/disputes/<uuid:public_id>/progress/",
        disputes_actions.progress,
        name="dispute_progress",
    ),
    path(
        "resolution/disputes/<uuid:public_id>/resolve/",
        disputes_actions.resolve,
        name="dispute_resolve",
    ),
    path(
        "resolution/disputes/<uuid:public_id>/reject/",
        disputes_actions.reject,
        name="dispute_reject",
    ),
    path(
        "resolution/disputes/<uuid:public_id>/attachments/",
        disputes_actions.attach,
        name="dispute_attach",
    ),
    path(
        "resolution/attachments/<uuid:public_id>/",
        disputes.attachment_download,
        name="dispute_attachment",
    ),
    path(
        "customers/<int:pk>/disputes/new/",
        disputes.dispute_new_for_customer,
        name="dispute_new_customer",
    ),
    path(
        "invoices/<int:pk>/disputes/new/",
        disputes.dispute_new_for_invoice,
        name="dispute_new_invoice",
    ),
]
