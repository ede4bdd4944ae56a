"""Import pages, mounted under imports/ (finance and admins only)."""

from django.urls import path

from encaisse.web.views import imports

urlpatterns = [
    path("", imports.import_list, name="imports"),
    path("new/", imports.import_new, name="import_new"),
    path("review/", imports.import_review, name="import_review"),
    path("apply/", imports.import_apply, name="import_apply"),
    path("<int:pk>/", imports.import_detail, name="import_detail"),
    path("template/<str:kind>.csv", imports.import_template, name="import_template"),
]
