#!/usr/bin/env python3
"""Push a folder of CSV exports to Encaisse through its REST API (docs/api.md).

    python examples/sync_csv.py --url http://127.0.0.1:8000 --token enc_… exports/

Files are sent by kind, customers first (invoices name them): customers*.csv,
invoices*.csv, credit_notes*.csv, payments*.csv. Each file goes in calls of at
most 1 000 rows to /api/v1/<kind>/bulk, all or nothing per call; a call carries
an Idempotency-Key made of the file's digest and the chunk's number, so running
the script again after a failure never pushes a chunk twice. The column names
are the import's (docs/imports.md): the API reads them as a file upload would.
Standard library only, so that it runs wherever Python 3.10+ does.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

CHUNK = 1000
KINDS = [("customers", "customers"), ("invoices", "invoices"),
         ("credit_notes", "credit-notes"), ("payments", "payments")]  # fmt: skip
RETRIED = {429, 500, 502, 503, 504}


def rows_of(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else _decode(raw)
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    return [{k: v for k, v in row.items() if k and v not in (None, "")} for row in reader]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def post(url: str, token: str, body: dict, key: str) -> tuple[int, dict]:
    data = json.dumps(body).encode()
    for attempt in range(6):
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Idempotency-Key": key,
        })  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            if error.code not in RETRIED or attempt == 5:
                return error.code, json.load(error)
            time.sleep(float(error.headers.get("Retry-After") or 2**attempt))
        except urllib.error.URLError:
            if attempt == 5:
                raise
            time.sleep(2**attempt)
    raise AssertionError("unreachable")


def push(base: str, token: str, kind: str, path: str, file: Path) -> bool:
    rows = rows_of(file)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
    ok = True
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        status, answer = post(
            f"{base}/api/v1/{path}/bulk", token, {"records": chunk}, f"{digest}-{start}"
        )
        if status == 200:
            print(f"{file.name} rows {start + 1}-{start + len(chunk)}: "
                  f"{answer['created']} created, {answer['updated']} updated, "
                  f"{answer['unchanged']} unchanged")  # fmt: skip
            continue
        ok = False
        print(f"{file.name} rows {start + 1}-{start + len(chunk)}: refused ({status})",
              file=sys.stderr)  # fmt: skip
        for error in answer.get("errors", []):
            where = error.get("pointer", "").split("/")
            line = f"line {start + int(where[2]) + 2}" if len(where) > 2 else "file"
            field = where[3] if len(where) > 3 else ""
            print(f"  {line} {field}: {error['detail']}", file=sys.stderr)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="a write token of a finance user")
    args = parser.parse_args()
    ok = True
    for kind, path in KINDS:
        for file in sorted(args.folder.glob(f"{kind}*.csv")):
            ok = push(args.url.rstrip("/"), args.token, kind, path, file) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
