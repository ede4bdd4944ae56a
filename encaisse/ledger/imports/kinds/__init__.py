"""Stage 2b and 3 per kind: check rows against the ledger, then write them in bulk."""
