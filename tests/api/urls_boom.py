"""A test-only URLconf: the product's routes plus an API path that writes, then fails."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from encaisse.ledger.models import Customer
from encaisse.ledger.services.contacts import contact_add


@csrf_exempt
def write_then_fail(request: HttpRequest) -> HttpResponse:
    customer = Customer.objects.get(external_key=request.GET["customer"])
    contact_add(actor=None, customer=customer, name="Half-done")
    raise RuntimeError("a bug after a write")


urlpatterns = [
    path("api/boom/", write_then_fail),
    path("", include("encaisse.urls")),
]
