"""Dunning pages: today's reminders, messages, plans and templates, a customer's reminders."""

from django.urls import path

from encaisse.web.views import (
    dunning_actions,
    dunning_customer,
    dunning_first_run,
    dunning_messages,
    dunning_plans,
    dunning_templates,
    dunning_today,
)

urlpatterns = [
    path("dunning/", dunning_today.today_page, name="dunning_today"),
    path("dunning/preview/", dunning_today.preview_page, name="dunning_preview"),
    path("dunning/first-run/", dunning_first_run.first_run, name="dunning_first_run"),
    path("dunning/messages/<int:pk>/", dunning_messages.message_detail, name="dunning_message"),
    path(
        "dunning/messages/<int:pk>/pdf/", dunning_messages.message_pdf, name="dunning_message_pdf"
    ),
    path(
        "dunning/messages/<int:pk>/approve/",
        dunning_actions.approve,
        name="dunning_message_approve",
    ),
    path("dunning/messages/<int:pk>/skip/", dunning_actions.skip, name="dunning_message_skip"),
    path("dunning/messages/<int:pk>/retry/", dunning_actions.retry, name="dunning_message_retry"),
    path("dunning/plans/", dunning_plans.plan_list, name="dunning_plans"),
    path("dunning/plans/new/", dunning_plans.plan_new, name="dunning_plan_new"),
    path("dunning/plans/<int:pk>/", dunning_plans.plan_detail, name="dunning_plan"),
    path("dunning/plans/<int:pk>/delete/", dunning_plans.plan_remove, name="dunning_plan_delete"),
    path("dunning/plans/<int:pk>/steps/new/", dunning_plans.step_new, name="dunning_step_new"),
    path("dunning/steps/<int:pk>/", dunning_plans.step_edit, name="dunning_step"),
    path("dunning/steps/<int:pk>/delete/", dunning_plans.step_remove, name="dunning_step_delete"),
    path("dunning/templates/", dunning_templates.template_list, name="dunning_templates"),
    path("dunning/templates/new/", dunning_templates.template_new, name="dunning_template_new"),
    path("dunning/templates/<int:pk>/", dunning_templates.template_edit, name="dunning_template"),
    path(
        "dunning/templates/<int:pk>/preview/",
        dunning_templates.template_preview,
        name="dunning_template_preview",
    ),
    path("customers/<int:pk>/remind/", dunning_customer.customer_remind, name="customer_remind"),
    path(
        "customers/<int:pk>/dunning-plan/",
        dunning_customer.customer_plan,
        name="customer_dunning_plan",
    ),
]
