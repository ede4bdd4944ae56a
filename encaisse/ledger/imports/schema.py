"""Stage 2a, per-cell validation: a small declarative schema per kind of file.

Aliases are normalised header names (`reader.normalise_header`: "N° facture" →
"n_facture"): the spellings French spreadsheets and accounting exports use.
docs/imports.md lists them; a test checks that no alias means two columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from encaisse.ledger.imports import fields as f
from encaisse.ledger.imports.errors import FileError
from encaisse.ledger.imports.report import ImportReport


@dataclass(frozen=True)
class Column:
    name: str
    parse: f.Parser
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class Row:
    """One row of the file; `values` holds the cells that parsed, of the columns present.

    A `broken` row (some cell did not parse) is only checked against the ledger, so
    that its other errors are reported too; it is never written. `failed` is set once
    the row is counted in the report's `error_rows`.
    """

    line: int
    values: dict[str, Any]
    broken: bool = False
    failed: bool = False


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]

    def bind(self, header: list[str], labels: list[str]) -> list[tuple[int, Column]]:
        """Map the file's header to our columns; FileError when a required one is missing
        or when two columns of the file mean the same one of ours."""
        positions: list[tuple[int, Column]] = []
        for column in self.columns:
            names = (column.name, *column.aliases)
            found = [index for index, name in enumerate(header) if name in names]
            if len(found) > 1:
                raise FileError(
                    _("Columns %(first)s and %(second)s both give %(column)s: keep only one.")
                    % {
                        "first": labels[found[0]],
                        "second": labels[found[1]],
                        "column": column.name,
                    }
                )
            if found:
                positions.append((found[0], column))
            elif column.required:
                raise FileError(
                    _("Missing required column %(column)s (found: %(found)s).")
                    % {"column": column.name, "found": ", ".join(labels) or "-"}
                )
        return positions

    def rows(
        self,
        cells: Iterator[tuple[int, list[str]]],
        header: list[str],
        labels: list[str],
        report: ImportReport,
    ) -> Iterator[Row]:
        """Parse every cell; report each bad cell (all of them, under the file's own column
        names) and yield every row, those with a bad cell marked `broken`."""
        positions = self.bind(header, labels)
        report.columns = {column.name: labels[index] for index, column in positions}
        if "external_key" not in report.columns and "number" in report.columns:
            report.columns["external_key"] = report.columns["number"]  # the key defaults to it
        # Hot loop (a million rows): plain tuples and local names, no per-cell lookups.
        # The reader only yields rows as wide as the header.
        bound = [(index, column.name, column.parse, column.required) for index, column in positions]
        add_error = report.add_error
        for line, raw in cells:
            report.rows += 1
            values: dict[str, Any] = {}
            ok = True
            for index, name, parse, required in bound:
                cell = raw[index].strip()
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
                yield Row(line, values, broken=True, failed=True)


def names(spellings: str, *more: tuple[str, ...]) -> tuple[str, ...]:
    """Aliases written as one string: names("nom raison_sociale") → ("nom", "raison_sociale")."""
    return tuple(spellings.split()) + tuple(name for group in more for name in group)


def numbered(noun: str) -> tuple[str, ...]:
    """The ways a French header says "number of <noun>": N° facture, Nº facture, No
    facture, Num. facture, Numéro de facture, N° d'avoir… (normalised)."""
    of = "d" if noun[0] in "aeiouy" else "de"
    prefixes = ("n", "no", "num", "numero", f"n_{of}", f"no_{of}", f"numero_{of}")
    return tuple(f"{prefix}_{noun}" for prefix in prefixes)


CUSTOMER_KEY = names("code_client client customer compte_client code_tiers", numbered("client"))
ID = names("id cle identifiant")

CUSTOMERS = Schema(
    (
        Column(
            "external_key",
            f.text(64),
            True,
            names(
                "code code_client customer_key id identifiant compte_client code_tiers",
                numbered("client"),
            ),
        ),
        Column(
            "name",
            f.text(200),
            True,
            names(
                "nom raison_sociale company nom_du_client nom_client societe denomination "
                "denomination_sociale"
            ),
        ),
        Column("siren", f.siren_number, aliases=names("n_siren numero_siren")),
        Column("siret", f.siret_number, aliases=names("n_siret numero_siret")),
        Column(
            "vat_number",
            f.vat_number,
            aliases=names(
                "vat tva tva_intracom tva_intracommunautaire n_tva_intracom "
                "n_tva_intracommunautaire numero_tva_intracommunautaire",
                numbered("tva"),
            ),
        ),
        Column("address", f.text(250, multiline=True), aliases=names("adresse")),
        Column("postal_code", f.text(16), aliases=names("code_postal cp")),
        Column("city", f.text(120), aliases=names("ville commune")),
        Column("country", f.upper_code(2), aliases=names("pays code_pays")),
        Column("language", f.choice("fr", "en"), aliases=names("langue")),
        Column("currency", f.upper_code(3), aliases=names("devise")),
        Column(
            "terms_days",
            f.integer,
            aliases=names(
                "delai_paiement payment_terms delai_de_paiement "
                "delai_de_paiement_jours delai_reglement delai_de_reglement"
            ),
        ),
        Column("terms_end_of_month", f.boolean, aliases=names("fin_de_mois")),
        Column(
            "account_manager", f.text(150), aliases=names("commercial sales_rep charge_de_compte")
        ),
        Column(
            "credit_limit",
            f.non_negative_amount,
            aliases=names(
                "encours_autorise plafond plafond_de_credit limite_de_credit encours_maximum"
            ),
        ),
        Column(
            "risk_class",
            f.choice("a", "b", "c", "d"),
            aliases=names("classe_risque classe_de_risque"),
        ),
        Column(
            "status",
            f.choice("prospect", "active", "on_hold", "agency", "insolvency", "closed"),
            aliases=names("statut"),
        ),
        Column("tags", f.pipe_list, aliases=names("etiquettes")),
        Column(
            "contact_name",
            f.text(200),
            aliases=names("contact contact_nom nom_du_contact nom_contact"),
        ),
        Column(
            "contact_email",
            f.email,
            aliases=names(
                "email contact_mail e_mail mail courriel adresse_email adresse_e_mail "
                "email_du_contact e_mail_du_contact email_contact"
            ),
        ),
        Column(
            "contact_phone", f.text(40), aliases=names("telephone phone tel telephone_du_contact")
        ),
    )
)

INVOICES = Schema(
    (
        Column("external_key", f.text(64), aliases=ID),
        Column(
            "number", f.text(64), True, names("numero invoice_number facture", numbered("facture"))
        ),
        Column("customer_key", f.text(64), True, CUSTOMER_KEY),
        Column(
            "issue_date",
            f.date,
            True,
            names(
                "date date_facture date_emission date_de_facture date_de_facturation "
                "date_d_emission"
            ),
        ),
        Column(
            "due_date",
            f.date,
            aliases=names("echeance date_echeance date_d_echeance date_limite_de_paiement"),
        ),
        Column(
            "amount",
            f.positive_amount,
            True,
            names("montant montant_ttc amount_incl_tax total_ttc"),
        ),
        Column("amount_excl_tax", f.amount, aliases=names("montant_ht total_ht")),
        Column("currency", f.upper_code(3), aliases=names("devise")),
        Column(
            "po_reference",
            f.text(64),
            aliases=names(
                "bon_de_commande po ref_commande reference_commande", numbered("commande")
            ),
        ),
    )
)

PAYMENTS = Schema(
    (
        Column("external_key", f.text(64), True, names("id reference_transaction identifiant")),
        Column("customer_key", f.text(64), True, CUSTOMER_KEY),
        Column(
            "date",
            f.date,
            True,
            names(
                "date_paiement date_reglement date_de_paiement date_de_reglement "
                "date_encaissement date_d_encaissement"
            ),
        ),
        Column(
            "amount",
            f.positive_amount,
            True,
            names("montant montant_regle montant_paye montant_encaisse"),
        ),
        Column("currency", f.upper_code(3), aliases=names("devise")),
        Column(
            "method",
            f.choice("transfer", "direct_debit", "cheque", "card", "cash", "other"),
            aliases=names("mode mode_reglement mode_de_reglement mode_paiement mode_de_paiement"),
        ),
        Column("bank_reference", f.text(120), aliases=names("reference reference_bancaire ref")),
        Column("remittance", f.text(500, multiline=True), aliases=names("libelle remittance_text")),
        Column("invoice_numbers", f.pipe_list, aliases=names("factures invoices factures_reglees")),
    )
)

CREDIT_NOTES = Schema(
    (
        Column("external_key", f.text(64), aliases=ID),
        Column("number", f.text(64), True, names("numero avoir", numbered("avoir"))),
        Column("customer_key", f.text(64), True, CUSTOMER_KEY),
        Column("issue_date", f.date, True, names("date date_avoir date_de_l_avoir date_d_avoir")),
        Column("amount", f.positive_amount, True, names("montant montant_ttc total_ttc")),
        Column(
            "invoice_number",
            f.text(64),
            aliases=names("facture facture_d_origine", numbered("facture")),
        ),
        Column("reason", f.text(200, multiline=True), aliases=names("motif")),
    )
)

SCHEMAS = {
    "customers": CUSTOMERS,
    "invoices": INVOICES,
    "payments": PAYMENTS,
    "credit_notes": CREDIT_NOTES,
}
