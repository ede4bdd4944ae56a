"""Handovers, collection agencies and write-offs (docs/handover.md, docs/write-offs.md)."""

from django.urls import path

from encaisse.web.views import handover, write_offs

urlpatterns = [
    path("customers/<int:pk>/hand-over/", handover.handover_new, name="handover_new"),
    path("customers/<int:pk>/write-off/", write_offs.write_off_new, name="write_off_new"),
    path("resolution/handovers/", handover.handover_list, name="handovers"),
    path("resolution/handovers/<uuid:public_id>/", handover.handover_detail, name="handover"),
    path(
        "resolution/handovers/<uuid:public_id>/case-file/",
        handover.handover_case_file,
        name="handover_case_file",
    ),
    path(
        "resolution/handovers/<uuid:public_id>/recall/",
        handover.handover_recall_view,
        name="handover_recall",
    ),
    path(
        "resolution/handovers/<uuid:public_id>/close/",
        handover.handover_close_view,
        name="handover_close",
    ),
    path("resolution/write-offs/", write_offs.write_off_list, name="write_offs"),
    path("resolution/write-offs/<uuid:public_id>/", write_offs.write_off_detail, name="write_off"),
    path(
        "resolution/write-offs/<uuid:public_id>/approve/",
        write_offs.write_off_approve_view,
        name="write_off_approve",
    ),
    path(
        "resolution/write-offs/<uuid:public_id>/reject/",
        write_offs.write_off_reject_view,
        name="write_off_reject",
    ),
    path(
        "resolution/write-offs/<uuid:public_id>/reverse/",
        write_offs.write_off_reverse_view,
        name="write_off_reverse",
    ),
    path("settings/agencies/", handover.agency_list, name="agencies"),
    path("settings/agencies/<int:pk>/", handover.agency_edit, name="agency"),
    path("settings/write-offs/", write_offs.write_off_settings, name="write_off_settings"),
]
