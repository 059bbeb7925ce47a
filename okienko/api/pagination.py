"""Opaque keyset cursors: the id the next page starts below, so deep pages stay cheap."""

import base64
import binascii

from okienko.core.errors import InvalidInput

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
