"""The resolution objects, one module per object (imported here for Django)."""

from encaisse.resolution.models import handover, write_off  # noqa: F401
from encaisse.resolution.models.disputes import *  # noqa: F403
from encaisse.resolution.models.extensions import Extension, ExtensionStatus  # noqa: F401
from encaisse.resolution.models.payment_plans import Instalment, PaymentPlan, PlanInvoice  # noqa: F401
from encaisse.resolution.models.portal import PortalLink, PortalSettings  # noqa: F401
from encaisse.resolution.models.promises import Promise, PromiseSource, PromiseStatus  # noqa: F401
