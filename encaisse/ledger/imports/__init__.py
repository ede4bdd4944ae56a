"""File imports into the ledger: CSV (customers, invoices, payments, credit notes) and FEC.

`import_file` is the service for files, `import_records` for the API's upserts (the
same pipeline); see docs/imports.md for the formats and rules.
"""

from encaisse.ledger.imports.pipeline import import_file
from encaisse.ledger.imports.record_results import (
    MAX_RECORDS,
    Outcome,
    RecordError,
    RecordOutcome,
    RecordsResult,
)
from encaisse.ledger.imports.records import import_records
from encaisse.ledger.imports.report import ImportReport, RowError

__all__ = [
    "MAX_RECORDS",
    "ImportReport",
    "Outcome",
    "RecordError",
    "RecordOutcome",
    "RecordsResult",
    "RowError",
    "import_file",
    "import_records",
]
