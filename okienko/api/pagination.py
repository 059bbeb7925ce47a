"""Opaque keyset cursors: the id the next page starts below (or, for a list in deadline order,
the deadline and id it continues after), so deep pages stay cheap. A ranked list (search
results) continues at a position instead."""

import base64
import binascii

from okienko.core.errors import InvalidInput
from okienko.tickets.selectors import DeadlineKey

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def _encode(prefix: str, value: str) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{value}".encode()).decode().rstrip("=")


def _invalid() -> InvalidInput:
    return InvalidInput("Invalid cursor", errors={"cursor": ["not a cursor we issued"]})


def _decode(cursor: str, expected_prefix: str) -> str:
    """The value of a cursor ``_encode`` made with ``expected_prefix``; else ``InvalidInput``."""
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise _invalid() from error
    prefix, _, value = decoded.partition(":")
    if prefix != expected_prefix:
        raise _invalid()
    return value


def _decode_number(cursor: str, expected_prefix: str) -> int:
    try:
        number = int(_decode(cursor, expected_prefix))
    except ValueError as error:
        raise _invalid() from error
    if number < 0:
        raise _invalid()
    return number


def check_limit(limit: int) -> None:
    """Refuse a page size outside 1..MAX_PAGE_SIZE."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}")


def encode_cursor(last_id: int) -> str:
    return _encode("id", str(last_id))


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    return _decode_number(cursor, "id")


def next_cursor(ids: list[int], limit: int) -> str | None:
    """The cursor of the following page, if this page was full."""
    return encode_cursor(ids[-1]) if len(ids) == limit else None


def encode_deadline_cursor(key: DeadlineKey) -> str:
    return _encode("due", key.token)


def decode_deadline_cursor(cursor: str | None) -> DeadlineKey | None:
    if not cursor:
        return None
    key = DeadlineKey.from_token(_decode(cursor, "due"))
    if key is None:
        raise _invalid()
    return key


def next_deadline_cursor(keys: list[DeadlineKey], limit: int) -> str | None:
    """The cursor of the following page in deadline order, if this page was full."""
    return encode_deadline_cursor(keys[-1]) if len(keys) == limit else None


def decode_offset_cursor(cursor: str | None) -> int:
    """The position a ranked list continues at."""
    if not cursor:
        return 0
    return _decode_number(cursor, "at")


def next_offset_cursor(offset: int, returned: int, limit: int) -> str | None:
    """The cursor of the ranked list's following page, if this page was full."""
    return _encode("at", str(offset + returned)) if returned == limit else None
