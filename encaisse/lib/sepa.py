"""SEPA credit transfer helpers: structured creditor references and the EPC QR payload.

- ISO 11649 "RF" creditor reference: "RF" + two check digits (ISO 7064 mod 97-10)
  + up to 21 letters and digits, checked by python-stdnum.
- EPC069-12 ("SEPA credit transfer" QR code, version 002): twelve lines at most,
  separated by LF, nothing after the last element given:
  BCD / 002 / 1 (UTF-8) / SCT / BIC (optional in 002) / beneficiary name (≤ 70) /
  IBAN / EUR amount (e.g. EUR1234.50, 0.01 to 999999999.99) / purpose (empty) /
  structured reference (≤ 35) / unstructured remittance (≤ 140, empty when a
  structured reference is given) / information to the payer (≤ 70).
"""

from __future__ import annotations

import re
from decimal import Decimal

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

RF_BODY_MAX = 21
EPC_MAX_AMOUNT = Decimal("999999999.99")


def rf_reference(seed: str) -> str:
    """The RF creditor reference built on `seed`'s letters and digits (compact form).

    ValueError when `seed` has no letter or digit or more than 21 of them.
    """
    body = re.sub(r"[^A-Z0-9]", "", seed.upper())
    if not body or len(body) > RF_BODY_MAX:
        raise ValueError(f"an RF reference holds 1 to {RF_BODY_MAX} letters and digits")
    check = mod_97_10.calc_check_digits(body + "RF")
    return str(iso11649.validate(f"RF{check}{body}"))


def rf_format(reference: str) -> str:
    """ "RF18539007547034" → "RF18 5390 0754 7034" (how people type it)."""
    return str(iso11649.format(reference))


def epc_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    bic: str = "",
    reference: str = "",
    text: str = "",
    information: str = "",
) -> str:
    """The EPC069-12 (version 002) payload of a euro credit transfer.

    ValueError for an amount outside 0.01..999 999 999.99 or a missing name/IBAN.
    """
    name = " ".join(name.split())[:70]
    if not name or not iban:
        raise ValueError("a transfer needs the beneficiary's name and IBAN")
    amount = amount.quantize(Decimal("0.01"))
    if not (Decimal("0.01") <= amount <= EPC_MAX_AMOUNT):
        raise ValueError("the amount of an EPC QR code is between 0.01 and 999999999.99")
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        bic.replace(" ", "").upper(),
        name,
        iban.replace(" ", "").upper(),
        f"EUR{amount}",
        "",  # purpose
        reference.replace(" ", "")[:35],
        "" if reference else " ".join(text.split())[:140],
        " ".join(information.split())[:70],
    ]
    while lines[-1] == "":
        lines.pop()
    return "\n".join(lines)
