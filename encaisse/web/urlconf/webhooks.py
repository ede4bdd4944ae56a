"""Settings → Webhooks."""

from django.urls import path

from encaisse.web.views import webhooks

urlpatterns = [
    path("", webhooks.endpoint_list, name="webhook_endpoints"),
    path("new/", webhooks.endpoint_new, name="webhook_endpoint_new"),
    path("<int:pk>/", webhooks.endpoint_detail, name="webhook_endpoint"),
    path("<int:pk>/rotate/", webhooks.endpoint_rotate, name="webhook_endpoint_rotate"),
    path("<int:pk>/active/", webhooks.endpoint_toggle, name="webhook_endpoint_toggle"),
    path("<int:pk>/test/", webhooks.endpoint_test, name="webhook_endpoint_test"),
    path("<int:pk>/delete/", webhooks.endpoint_remove, name="webhook_endpoint_delete"),
    path(
        "deliveries/<int:pk>/redeliver/",
        webhooks.delivery_resend,
        name="webhook_delivery_redeliver",
    ),
]
