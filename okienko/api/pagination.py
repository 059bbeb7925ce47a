"""Opaque keyset cursors: the id the next page starts below (or, for a list in deadline order,
the deadline and id it continues after), so deep pages stay cheap."""

import base64
import binascii

from okienko.core.errors import InvalidInput
from okienko.tickets.selectors import DeadlineKey

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = decoded.partition(":")
        if prefix != "id":
            raise ValueError(prefix)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidInput(
            "Invalid cursor", errors={"cursor": ["not a cursor we issued"]}
        ) from error


def next_cursor(ids: list[int], limit: int) -> str | None:
    """The cursor of the following page, if this page was full."""
    return encode_cursor(ids[-1]) if len(ids) == limit else None


def encode_deadline_cursor(key: DeadlineKey) -> str:
    return base64.urlsafe_b64encode(f"due:{key.token}".encode()).decode().rstrip("=")


def decode_deadline_cursor(cursor: str | None) -> DeadlineKey | None:
    if not cursor:
        return None
    key = None
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, token = decoded.partition(":")
        if prefix == "due":
            key = DeadlineKey.from_token(token)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        key = None
    if key is None:
        raise InvalidInput("Invalid cursor", errors={"cursor": ["not a cursor we issued"]})
    return key


def next_deadline_cursor(keys: list[DeadlineKey], limit: int) -> str | None:
    """The cursor of the following page in deadline order, if this page was full."""
    return encode_deadline_cursor(keys[-1]) if len(keys) == limit else None
