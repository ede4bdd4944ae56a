"""Stage 2a, per-cell validation: a small declarative schema per kind of file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from encaisse.ledger.imports import fields as f
from encaisse.ledger.imports.reader import FileError
from encaisse.ledger.imports.report import ImportReport


@dataclass(frozen=True)
class Column:
    name: str
    parse: f.Parser
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class Row:
    """A row whose cells all parsed; `values` holds only the columns present in the file."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]

    def bind(self, header: list[str]) -> list[tuple[int, Column]]:
        """Map the file's header to our columns; FileError when a required one is missing."""
        positions: list[tuple[int, Column]] = []
        for column in self.columns:
            names = (column.name, *column.aliases)
            index = next((header.index(n) for n in names if n in header), None)
            if index is not None:
                positions.append((index, column))
            elif column.required:
                raise FileError(
                    _("Missing required column %(column)s (found: %(found)s).")
                    % {"column": column.name, "found": ", ".join(header) or "-"}
                )
        return positions

    def rows(
        self, cells: Iterator[tuple[int, list[str]]], header: list[str], report: ImportReport
    ) -> Iterator[Row]:
        """Parse every cell; report each bad cell and yield only the rows that parsed."""
        # Hot loop (a million rows): plain tuples and local names, no per-cell lookups.
        bound = [(index, column.name, column.parse, column.required)
                 for index, column in self.bind(header)]  # fmt: skip
        add_error = report.add_error
        for line, raw in cells:
            report.rows += 1
            values: dict[str, Any] = {}
            ok = True
            width = len(raw)
            for index, name, parse, required in bound:
                cell = raw[index].strip() if index < width else ""
                if not cell:
                    if required:
                        add_error(line, name, _("required value is missing"))
                        ok = False
                    continue
                try:
                    values[name] = parse(cell)
                except ValueError as exc:
                    add_error(line, name, str(exc))
                    ok = False
            if ok:
                yield Row(line, values)
            else:
                report.error_rows += 1


CUSTOMERS = Schema(
    (
        Column("external_key", f.text(64), True, ("code", "code_client", "customer_key", "id")),
        Column("name", f.text(200), True, ("nom", "raison_sociale", "company")),
        Column("siren", f.siren_number),
        Column("siret", f.siret_number),
        Column("vat_number", f.vat_number, aliases=("vat", "tva", "numero_tva", "tva_intracom")),
        Column("address", f.text(250), aliases=("adresse",)),
        Column("postal_code", f.text(16), aliases=("code_postal", "cp")),
        Column("city", f.text(120), aliases=("ville",)),
        Column("country", f.upper_code(2), aliases=("pays",)),
        Column("language", f.choice("fr", "en"), aliases=("langue",)),
        Column("currency", f.upper_code(3), aliases=("devise",)),
        Column("terms_days", f.integer, aliases=("delai_paiement", "payment_terms")),
        Column("terms_end_of_month", f.boolean, aliases=("fin_de_mois",)),
        Column("account_manager", f.text(150), aliases=("commercial", "sales_rep")),
        Column("credit_limit", f.amount, aliases=("encours_autorise", "plafond")),
        Column("risk_class", f.choice("a", "b", "c", "d"), aliases=("classe_risque",)),
        Column(
            "status",
            f.choice("prospect", "active", "on_hold", "agency", "insolvency", "closed"),
            aliases=("statut",),
        ),
        Column("tags", f.pipe_list, aliases=("etiquettes",)),
        Column("contact_name", f.text(200), aliases=("contact", "contact_nom")),
        Column("contact_email", f.text(254), aliases=("email", "contact_mail")),
        Column("contact_phone", f.text(40), aliases=("telephone", "phone")),
    )
)

INVOICES = Schema(
    (
        Column("external_key", f.text(64), aliases=("id", "cle")),
        Column("number", f.text(64), True, ("numero", "numero_facture", "invoice_number")),
        Column("customer_key", f.text(64), True, ("code_client", "client", "customer")),
        Column("issue_date", f.date, True, ("date", "date_facture", "date_emission")),
        Column("due_date", f.date, aliases=("echeance", "date_echeance")),
        Column("amount", f.positive_amount, True, ("montant", "montant_ttc", "amount_incl_tax")),
        Column("amount_excl_tax", f.amount, aliases=("montant_ht",)),
        Column("currency", f.upper_code(3), aliases=("devise",)),
        Column("po_reference", f.text(64), aliases=("bon_de_commande", "po")),
    )
)

PAYMENTS = Schema(
    (
        Column("external_key", f.text(64), True, ("id", "reference_transaction")),
        Column("customer_key", f.text(64), True, ("code_client", "client", "customer")),
        Column("date", f.date, True, ("date_paiement", "date_reglement")),
        Column("amount", f.positive_amount, True, ("montant",)),
        Column("currency", f.upper_code(3), aliases=("devise",)),
        Column(
            "method",
            f.choice("transfer", "direct_debit", "cheque", "card", "cash", "other"),
            aliases=("mode", "mode_reglement"),
        ),
        Column("bank_reference", f.text(120), aliases=("reference", "reference_bancaire")),
        Column("remittance", f.text(500), aliases=("libelle", "remittance_text")),
        Column("invoice_numbers", f.pipe_list, aliases=("factures", "invoices")),
    )
)

CREDIT_NOTES = Schema(
    (
        Column("external_key", f.text(64), aliases=("id", "cle")),
        Column("number", f.text(64), True, ("numero", "numero_avoir")),
        Column("customer_key", f.text(64), True, ("code_client", "client", "customer")),
        Column("issue_date", f.date, True, ("date", "date_avoir")),
        Column("amount", f.positive_amount, True, ("montant", "montant_ttc")),
        Column("invoice_number", f.text(64), aliases=("facture", "numero_facture")),
        Column("reason", f.text(200), aliases=("motif",)),
    )
)
