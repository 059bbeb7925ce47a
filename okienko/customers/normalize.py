"""Pure normalisation and validation of customer identities and Polish tax ids."""

import re

from okienko.customers.choices import IdentityKind

_NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
# Lenient on purpose: whatever a mail server delivered from is an address we must be able to
# answer and match, including internationalised ones (RFC 6531: "marilù@università.it") and
# hosts with underscores. Only what cannot be a mailbox is refused.
_LOCAL_CHARACTER = r"[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f]"
_DOMAIN_LABEL = r"[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f.]+"
_EMAIL = re.compile(rf"{_LOCAL_CHARACTER}+@{_DOMAIN_LABEL}(\.{_DOMAIN_LABEL})+")
MAX_EMAIL_LENGTH = 254


def normalize_nip(value: str) -> str:
    """Return the ten digits of a valid NIP, or raise ``ValueError``.

    Accepts the usual spellings: ``123-456-32-18``, ``PL1234563218``.
    """
    digits = re.sub(r"[\s\-]", "", value.strip().upper()).removeprefix("PL")
    if not re.fullmatch(r"\d{10}", digits):
        raise ValueError("NIP must have 10 digits")
    checksum = sum(int(d) * w for d, w in zip(digits, _NIP_WEIGHTS, strict=False)) % 11
    if checksum == 10 or checksum != int(digits[9]):
        raise ValueError("NIP checksum does not match")
    return digits


def normalize_phone(value: str) -> str:
    """Return the number in international form; nine bare digits are taken as Polish."""
    number = _PHONE_SEPARATORS.sub("", value.strip())
    if number.startswith("00"):
        number = "+" + number[2:]
    if re.fullmatch(r"\d{9}", number):
        number = "+48" + number
    if not re.fullmatch(r"\+\d{7,15}", number):
        raise ValueError("Not a phone number")
    return number


def normalize_address(kind: str, address: str) -> str:
    """Return the canonical form of an identity address, or raise ``ValueError``."""
    address = address.strip()
    if kind == IdentityKind.EMAIL:
        if len(address) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(address):
            raise ValueError("Not an e-mail address")
        return address.lower()
    if kind in {IdentityKind.PHONE, IdentityKind.WHATSAPP}:
        return normalize_phone(address)
    if kind in IdentityKind.values:
        if not address or len(address) > 254:
            raise ValueError("Identifier must have 1 to 254 characters")
        return address
    raise ValueError(f"Unknown identity kind {kind!r}")
