"""The promise, extension and hold panels of the customer and invoice pages.

The pages include them with one line (`web/resolution/_customer_promises.html`,
`_invoice_promises.html`), which calls the template tags of
`templatetags/resolution_promises.py`; the htmx actions re-render the same
panel. The object is already resolved through the viewer's scope.
"""

from __future__ import annotations

from typing import Any

from django import forms

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer, Invoice
from encaisse.ledger.selectors import invoices_visible_to, open_invoices
from encaisse.lib import clock
from encaisse.resolution.models import ExtensionStatus, PromiseStatus
from encaisse.resolution.selectors.promises import (
    active_holds,
    extensions_visible_to,
    promises_visible_to,
)
from encaisse.resolution.services.extensions import effective_due_on
from encaisse.web.forms.promises import DecisionForm, ExtensionForm, HoldForm, PromiseForm


def may_act(user: User, customer: Customer) -> bool:
    """Finance, admins and the customer's own account manager record promises,
    ask for extensions and place holds; managers read."""
    return user.can_edit_ledger or (user.pk is not None and user.pk == customer.account_manager_id)


def customer_panel(
    user: User,
    customer: Customer,
    *,
    promise_form: PromiseForm | None = None,
    hold_form: HoldForm | None = None,
) -> dict[str, Any]:
    on = clock.today()
    # One query: a customer has a handful of promises, and the record counts them all.
    promises = list(promises_visible_to(user).filter(customer=customer).order_by("-id"))
    current = next((p for p in promises if p.status == PromiseStatus.OPEN), None)
    record = {status: 0 for status in PromiseStatus.values}
    for promise in promises:
        record[promise.status] += 1
    acts = may_act(user, customer)
    if acts and current is None and promise_form is None:
        promise_form = PromiseForm(
            open_invoices=open_invoices(invoices_visible_to(user).filter(customer=customer))
        )
    if acts and hold_form is None:
        hold_form = HoldForm()
    return {
        "customer": customer,
        "promise": current,
        "promise_history": [p for p in promises if p.status != PromiseStatus.OPEN][:5],
        "promise_record": record,
        "holds": list(active_holds(user, on).filter(customer=customer)),
        "promise_form": promise_form if acts and current is None else None,
        "hold_form": hold_form if acts else None,
        "may_act": acts,
        "may_decide": user.can_edit_ledger,
    }


def invoice_panel(
    user: User,
    invoice: Invoice,
    *,
    extension_form: ExtensionForm | None = None,
    hold_form: HoldForm | None = None,
) -> dict[str, Any]:
    on = clock.today()
    customer = invoice.customer
    extensions = list(extensions_visible_to(user).filter(invoice=invoice).order_by("-id")[:5])
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    acts = may_act(user, customer)
    open_now = invoice.is_open
    if acts and open_now and pending is None and extension_form is None:
        extension_form = ExtensionForm()
    if acts and hold_form is None:
        hold_form = HoldForm()
    return {
        "invoice": invoice,
        "customer": customer,
        "effective_due_on": effective_due_on(invoice),
        "extensions": extensions,
        "pending_extension": pending,
        "decision_form": DecisionForm() if user.can_edit_ledger and pending else None,
        "extension_form": extension_form if acts and open_now and pending is None else None,
        "holds": list(active_holds(user, on).filter(customer=customer, invoice=invoice)),
        "hold_form": hold_form if acts else None,
        "may_act": acts,
        "may_decide": user.can_edit_ledger,
    }


def errors_text(form: forms.Form) -> str:
    """A form's errors on one line, for a page reloaded without htmx."""
    return " ".join(str(message) for messages in form.errors.values() for message in messages)
