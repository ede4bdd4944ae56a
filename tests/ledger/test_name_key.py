"""Every path that writes a customer's name keeps its folded key (`Customer.name_key`),
which the lists sort by and search in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps as django_apps
from django.db import connection

from encaisse.demo.loader import load_into_database
from encaisse.ledger.models import Customer
from encaisse.ledger.models.fields import FOLDED_MAX_LENGTH
from encaisse.lib.text import folded
from tests.conftest import make_customer
from tests.imports.helpers import run
from tests.imports.test_fec_rules import HEADER, line

pytestmark = pytest.mark.django_db


def keys_match() -> bool:
    rows = list(Customer.objects.values_list("name", "name_key"))
    return bool(rows) and all(key == folded(name) for name, key in rows)


def test_the_service_and_a_renaming_save_fold_the_name() -> None:
    customer = make_customer(None, "Société Générale d’Équipement")
    assert customer.name_key == "societe generale d'equipement"
    customer.name = "Œnologie Ängström"
    customer.save(update_fields=["name"])
    assert Customer.objects.get(pk=customer.pk).name_key == "oenologie angstrom"


def test_the_csv_import_folds_the_names_it_creates_and_updates() -> None:
    header = "external_key,name\n"
    assert run("customers", header + "C1,Élan Vital\nC2,Zoé\n").status == "applied"
    assert keys_match()
    assert run("customers", header + "C1,Écluse du Rhône\n").status == "applied"
    assert Customer.objects.get(external_key="C1").name_key == "ecluse du rhone"
    assert keys_match()


def test_the_fec_import_folds_the_names_it_creates() -> None:
    text = HEADER + line("VT", "1", "41100000", "ÉTÉ", "F1", "120,00", "0")
    text += line("VT", "1", "70600000", "", "F1", "0", "120,00")
    report = run("fec", text, filename="fec.txt")
    assert report.status == "applied", (report.file_error, report.errors)
    assert Customer.objects.get().name_key == "client ete"  # CompAuxLib "Client ÉTÉ"


def test_the_demo_loader_folds_the_names() -> None:
    load_into_database(invoices=300, seed=7, today=dt.date(2026, 3, 15))
    assert keys_match()


def test_the_migration_folds_the_names_already_there() -> None:
    fill_keys = __import__(
        "encaisse.ledger.migrations.0006_customer_name_key", fromlist=["fill_keys"]
    ).fill_keys
    for name in ("Été", "Agence de la Côte", "ANDRÉ"):
        make_customer(None, name)
    Customer.objects.update(name_key="")
    fill_keys(django_apps, None)
    assert keys_match()


def test_a_name_that_folds_longer_than_the_column_is_cut() -> None:
    customer = make_customer(None, "ﷺ" * 200)  # one character, 18 once decomposed
    assert len(Customer.objects.get(pk=customer.pk).name_key) == FOLDED_MAX_LENGTH


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL column collation")
def test_postgresql_compares_the_key_byte_by_byte_whatever_the_database_locale() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'ledger_customer' AND column_name = 'name_key'"
        )
        assert cursor.fetchone() == ("C",)
