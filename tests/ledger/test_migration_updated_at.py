"""Migration ledger.0009 on a ledger with rows of every kind: the back-fill, on both databases
(PostgreSQL refused a first version: see the migration's contacts comment)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("ledger", "0008_allocation_via_cash_application")]
AFTER = [("ledger", "0009_updated_at")]
T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 2, 5, 8, 0, tzinfo=dt.UTC)


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def sql(statement: str, params: list[object]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.lastrowid or 0


def test_every_row_gets_its_timestamps_from_what_was_known() -> None:
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_customer (external_key, name, name_key, siren, siret, "
                "vat_number, address, postal_code, city, country, language, currency, "
                "terms_end_of_month, risk_class, external_rating, status, tags, open_balance, "
                "created_at, updated_at) VALUES ('C1', 'A', 'a', '', '', '', '', '', '', 'FR', "
                "'fr', 'EUR', %s, '', '', 'active', '[]', 0, %s, %s)",
                [False, T0, T0],
            )
            cursor.execute("SELECT id FROM ledger_customer")
            customer = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO ledger_contact (customer_id, name, role, email, phone, "
                "preferred_for_reminders) VALUES (%s, 'Marie', 'billing', '', '', %s)",
                [customer, True],
            )
            cursor.execute(
                "INSERT INTO ledger_invoice (external_key, number, customer_id, issue_date, "
                "due_date, currency, amount, balance, status, po_reference, pdf, source, "
                "created_at) VALUES ('F1', 'F1', %s, '2026-01-01', '2026-01-31', 'EUR', 10, 10, "
                "'open', '', '', 'csv', %s)",
                [customer, T0],
            )
            cursor.execute(
                "INSERT INTO ledger_payment (external_key, customer_id, date, currency, amount, "
                "allocated, method, bank_reference, remittance, source, created_at) VALUES "
                "('P1', %s, '2026-01-02', 'EUR', 10, 0, 'transfer', '', '', 'csv', %s)",
                [customer, T0],
            )
            cursor.execute("SELECT id FROM ledger_invoice")
            invoice = cursor.fetchone()[0]
            cursor.execute("SELECT id FROM ledger_payment")
            payment = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO ledger_allocation (invoice_id, payment_id, amount, currency, "
                "created_at) VALUES (%s, %s, 10, 'EUR', %s)",
                [invoice, payment, T0],
            )
            cursor.execute("SELECT id FROM ledger_allocation")
            allocation = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO ledger_allocation (invoice_id, payment_id, amount, currency, "
                "reverses_id, created_at) VALUES (%s, %s, -10, 'EUR', %s, %s)",
                [invoice, payment, allocation, T1],
            )
            cursor.execute(
                "INSERT INTO ledger_importbatch (kind, filename, sha256, status, valid_rows_only,"
                " counts, errors, started_at) VALUES ('fec', 'x.txt', '', 'applied', %s, '{}', "
                "'[]', %s)",
                [False, T0],
            )
        migrate(AFTER)
        from encaisse.ledger.models import Allocation, Contact, ImportBatch, Invoice, Payment

        contact = Contact.objects.get()
        assert (contact.created_at, contact.updated_at) == (T0, T0)
        assert Invoice.objects.get().updated_at == T0
        assert Payment.objects.get().updated_at == T0
        stamps = dict(Allocation.objects.values_list("amount", "updated_at"))
        assert stamps == {10: T1, -10: T1}  # the reversed one: when its reversal was made
        assert ImportBatch.objects.get().source == "fec"
    finally:
        migrate(AFTER)
