"""Instalment plans (Resolution): proposal from a customer, list, detail, decisions."""

from django.urls import path

from encaisse.web.views import payment_plans

urlpatterns = [
    path("customers/<int:pk>/plans/new/", payment_plans.plan_new, name="payment_plan_new"),
    path(
        "customers/<int:pk>/plans/preview/",
        payment_plans.plan_preview,
        name="payment_plan_preview",
    ),
    path("resolution/plans/", payment_plans.plan_list, name="payment_plans"),
    path("resolution/plans/<uuid:public_id>/", payment_plans.plan_detail, name="payment_plan"),
    path(
        "resolution/plans/<uuid:public_id>/approve/",
        payment_plans.plan_approve_view,
        name="payment_plan_approve",
    ),
    path(
        "resolution/plans/<uuid:public_id>/refuse/",
        payment_plans.plan_refuse_view,
        name="payment_plan_refuse",
    ),
    path(
        "resolution/plans/<uuid:public_id>/cancel/",
        payment_plans.plan_cancel_view,
        name="payment_plan_cancel",
    ),
]
