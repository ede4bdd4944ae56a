"""A test-only URLconf: the product's routes plus one view that fails."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [
    path("boom/", boom),
    path("", include("encaisse.urls")),
]
