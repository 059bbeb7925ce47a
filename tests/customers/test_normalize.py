"""Normalisation of identities and Polish tax ids (NIP): pure functions, no database."""

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from okienko.customers.choices import IdentityKind
from okienko.customers.normalize import normalize_address, normalize_nip, normalize_phone

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)

nine_digits = st.lists(st.integers(min_value=0, max_value=9), min_size=9, max_size=9)


def check_digit(digits: list[int]) -> int:
    return sum(digit * weight for digit, weight in zip(digits, NIP_WEIGHTS, strict=True)) % 11


def spelled(digits: str, *, prefix: str, separator: str) -> str:
    """The NIP as people write it: 123-456-78-90, optionally after a PL prefix."""
    groups = [digits[0:3], digits[3:6], digits[6:8], digits[8:10]]
    return prefix + separator.join(groups)


# NIP


@given(
    digits=nine_digits,
    prefix=st.sampled_from(["", "PL", "pl", "PL ", "Pl"]),
    separator=st.sampled_from(["", "-", " ", " - "]),
)
def test_valid_nip_round_trips_in_any_usual_spelling(digits, prefix, separator):
    check = check_digit(digits)
    assume(check != 10)
    nip = "".join(map(str, digits)) + str(check)

    assert normalize_nip(spelled(nip, prefix=prefix, separator=separator)) == nip


@given(digits=nine_digits, offset=st.integers(min_value=1, max_value=9))
def test_nip_with_a_changed_check_digit_is_refused(digits, offset):
    check = check_digit(digits)
    assume(check != 10)
    wrong = (check + offset) % 10

    with pytest.raises(ValueError, match="checksum"):
        normalize_nip("".join(map(str, digits)) + str(wrong))


@st.composite
def digits_with_checksum_ten(draw: st.DrawFn) -> list[int]:
    """Nine digits whose weighted sum is 10 modulo 11, which no check digit can match."""
    first_eight = draw(st.lists(st.integers(min_value=0, max_value=9), min_size=8, max_size=8))
    partial = sum(digit * weight for digit, weight in zip(first_eight, NIP_WEIGHTS, strict=False))
    # The ninth weight is 7, and 8 is its inverse modulo 11.
    ninth = (10 - partial) * 8 % 11
    assume(ninth <= 9)
    return [*first_eight, ninth]


@given(digits=digits_with_checksum_ten(), last=st.integers(min_value=0, max_value=9))
def test_nip_whose_checksum_is_ten_is_never_valid(digits, last):
    assert check_digit(digits) == 10

    with pytest.raises(ValueError, match="checksum"):
        normalize_nip("".join(map(str, digits)) + str(last))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5260001246", "5260001246"),
        ("526-000-12-46", "5260001246"),
        ("PL 526-000-12-46", "5260001246"),
        (" pl526 000 12 46 ", "5260001246"),
        ("123-45-63-218", "1234563218"),
    ],
)
def test_nip_examples(value, expected):
    assert normalize_nip(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "10 digits"),
        ("526000124", "10 digits"),
        ("52600012460", "10 digits"),
        ("526.000.12.46", "10 digits"),
        ("DE5260001246", "10 digits"),
        ("5260001247", "checksum"),
    ],
)
def test_nip_refusals(value, message):
    with pytest.raises(ValueError, match=message):
        normalize_nip(value)


# Phone numbers


polish_numbers = st.from_regex(r"[1-9][0-9]{8}", fullmatch=True)
separators = st.sampled_from(["", " ", "-", "."])


def grouped(number: str, separator: str) -> str:
    return separator.join([number[0:3], number[3:6], number[6:9]])


@given(number=polish_numbers, separator=separators, prefix=st.sampled_from(["", "+48", "0048"]))
def test_polish_numbers_in_any_spelling_become_plus_48(number, separator, prefix):
    assert normalize_phone(prefix + separator + grouped(number, separator)) == "+48" + number


@given(
    spelling=st.one_of(
        st.builds(grouped, polish_numbers, separators),
        st.from_regex(r"\+[0-9]{7,15}", fullmatch=True),
        st.from_regex(r"00[0-9]{7,15}", fullmatch=True),
        st.from_regex(r"\+48 \([0-9]{2}\) [0-9]{3}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    )
)
def test_normalize_phone_is_idempotent_on_its_own_output(spelling):
    normalized = normalize_phone(spelling)

    assert re.fullmatch(r"\+[0-9]{7,15}", normalized)
    assert normalize_phone(normalized) == normalized


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("601 234 567", "+48601234567"),
        ("(22) 123-45-67", "+48221234567"),
        ("0048 601 234 567", "+48601234567"),
        ("+49 30 1234567", "+49301234567"),
        (" +48.601.234.567 ", "+48601234567"),
    ],
)
def test_phone_examples(value, expected):
    assert normalize_phone(value) == expected


@pytest.mark.parametrize("value", ["", "123", "601 234 56x", "++48601234567", "+1234567890123456"])
def test_phone_refusals(value):
    with pytest.raises(ValueError, match="Not a phone number"):
        normalize_phone(value)


# Identity addresses


@pytest.mark.parametrize(
    ("kind", "address", "expected"),
    [
        (IdentityKind.EMAIL, " Jan.Kowalski@Poczta.Example ", "jan.kowalski@poczta.example"),
        (IdentityKind.EMAIL, "Marilù.Gioffré@Università.it", "marilù.gioffré@università.it"),
        (IdentityKind.EMAIL, "biuro@moja_firma.pl", "biuro@moja_firma.pl"),
        (IdentityKind.PHONE, "601 234 567", "+48601234567"),
        (IdentityKind.WHATSAPP, "0048601234567", "+48601234567"),
        (IdentityKind.MESSENGER, " 1234567890123456 ", "1234567890123456"),
        (IdentityKind.TELEGRAM, "Jan_K", "Jan_K"),
    ],
)
def test_identity_addresses_are_normalised_by_kind(kind, address, expected):
    assert normalize_address(kind, address) == expected


@pytest.mark.parametrize(
    ("kind", "address", "message"),
    [
        (IdentityKind.EMAIL, "jan.kowalski", "Not an e-mail address"),
        (IdentityKind.EMAIL, "jan kowalski@poczta.example", "Not an e-mail address"),
        (IdentityKind.EMAIL, "jan@@poczta.example", "Not an e-mail address"),
        (IdentityKind.EMAIL, "jan@localhost", "Not an e-mail address"),
        (IdentityKind.EMAIL, "<jan@poczta.example>", "Not an e-mail address"),
        (IdentityKind.EMAIL, "jan@poczta.", "Not an e-mail address"),
        (IdentityKind.EMAIL, "x" * 250 + "@a.pl", "Not an e-mail address"),
        (IdentityKind.PHONE, "nie mam", "Not a phone number"),
        (IdentityKind.TELEGRAM, "   ", "1 to 254 characters"),
        (IdentityKind.MESSENGER, "x" * 255, "1 to 254 characters"),
        ("fax", "+48221234567", "Unknown identity kind"),
    ],
)
def test_invalid_identity_addresses_are_refused(kind, address, message):
    with pytest.raises(ValueError, match=message):
        normalize_address(kind, address)
