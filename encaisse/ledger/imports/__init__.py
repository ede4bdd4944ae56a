"""File imports into the ledger: CSV (customers, invoices, payments, credit notes) and FEC.

`import_file` is the service; see docs/imports.md for the formats and rules.
"""

from encaisse.ledger.imports.pipeline import import_file
from encaisse.ledger.imports.report import ImportReport, RowError

__all__ = ["ImportReport", "RowError", "import_file"]
