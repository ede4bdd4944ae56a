"""Ledger pages: customers, invoices, payments and their CSV exports."""

from django.urls import path

from encaisse.web.views import ledger_customers, ledger_invoices, ledger_payments

urlpatterns = [
    path("customers/", ledger_customers.customer_list, name="customers"),
    path("customers/export.csv", ledger_customers.customer_export, name="customers_export"),
    path("customers/<int:pk>/", ledger_customers.customer_detail, name="customer"),
    path("invoices/", ledger_invoices.invoice_list, name="invoices"),
    path("invoices/export.csv", ledger_invoices.invoice_export, name="invoices_export"),
    path("invoices/<int:pk>/", ledger_invoices.invoice_detail, name="invoice"),
    path("payments/", ledger_payments.payment_list, name="payments"),
    path("payments/export.csv", ledger_payments.payment_export, name="payments_export"),
]
