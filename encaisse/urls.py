from django.contrib import admin
from django.urls import include, path, re_path

from encaisse.api.app import api, unknown_path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_path, name="api-unknown-path"),
    path("", include("encaisse.web.urls")),
]
