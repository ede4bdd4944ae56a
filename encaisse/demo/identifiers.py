"""French company identifiers that pass python-stdnum's checks (SIREN, SIRET, VAT, IBAN)."""

from __future__ import annotations

from stdnum import luhn

# SIREN bases are a bijection of the customer index, so that a 100 000-customer
# ledger never repeats a SIREN: base = 30 000 000 + (A·index + offset) mod 70 000 000,
# with A coprime to 70 000 000 (= 2⁷·5⁷·7).
_SPAN = 70_000_000
_MULTIPLIER = 32_452_843


def siren_for(index: int, offset: int) -> str:
    """A valid 9-digit SIREN (8 digits + Luhn check digit), unique per index."""
    base = f"{30_000_000 + (_MULTIPLIER * index + offset) % _SPAN:08d}"
    return base + luhn.calc_check_digit(base)


def siret_for(siren: str, establishment: int = 1) -> str:
    """SIRET = SIREN + 4-digit establishment number + Luhn check digit over the 14 digits."""
    base = f"{siren}{establishment:04d}"
    return base + luhn.calc_check_digit(base)


def vat_for(siren: str) -> str:
    """French intra-community VAT number: FR + key + SIREN, key = (12 + 3·(SIREN mod 97)) mod 97."""
    key = (12 + 3 * (int(siren) % 97)) % 97
    return f"FR{key:02d}{siren}"


def french_iban(bank: str, branch: str, account: str) -> str:
    """A French IBAN (FR76-style) with a correct RIB key and IBAN check digits."""
    rib_key = 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97)
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    check = 98 - int(bban + "152700") % 97  # "FR00" moved to the end, letters as numbers
    return f"FR{check:02d}{bban}"
