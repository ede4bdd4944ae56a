"""One finance user applying a payment, as a real process (the concurrency test).

`python -m tests.ledger.cash_worker PAYMENT INVOICE AMOUNT [--hold S]`, run by
tests/ledger/test_cash_application_concurrency.py: it configures Django from
its environment, loads the payment (as the page it came from showed it),
prints "ready", waits for a line on stdin, applies AMOUNT of the payment to
the invoice, keeps its transaction open `--hold` seconds (the other user's
request arrives meanwhile), commits, and prints the outcome as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from decimal import Decimal

import django


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("payment", type=int)
    parser.add_argument("invoice", type=int)
    parser.add_argument("amount", type=Decimal)
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--wait", type=float, default=0.0)
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
    django.setup()
    from django.db import transaction
    from django.utils import translation

    from encaisse.ledger.models import Payment
    from encaisse.ledger.services import CashApplicationError, cash_apply

    translation.activate("en")  # the test reads the message in English
    payment = Payment.objects.get(pk=options.payment)
    print("ready", flush=True)
    sys.stdin.readline()
    time.sleep(options.wait)
    result: dict[str, object] = {"applied": False}
    try:
        with transaction.atomic():
            cash_apply(actor=None, source=payment, allocations=[(options.invoice, options.amount)])
            time.sleep(options.hold)
        result["applied"] = True
    except CashApplicationError as exc:
        result["error"] = str(exc)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
