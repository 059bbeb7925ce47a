"""Domain errors raised by actions and selectors; the API and views turn them into responses."""


class DomainError(Exception):
    """Base of every error a domain operation reports to its caller."""

    status_code = 400
    title = "Invalid request"

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it exists."""

    status_code = 404
    title = "Not found"


class PermissionDenied(DomainError):
    """The caller may see the object but not do this to it."""

    status_code = 403
    title = "Forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, a stale state, a reused key)."""

    status_code = 409
    title = "Conflict"


class InvalidInput(DomainError):
    """The values are well-formed but break a business rule."""

    status_code = 422
    title = "Unprocessable input"
