"""The resolution objects, one module per object (imported here for Django)."""

from encaisse.resolution.models.payment_plans import Instalment, PaymentPlan, PlanInvoice  # noqa: F401
