"""Pages answer a domain ``NotFound`` the way Django answers a missing page."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponseBase

from okienko.core.errors import NotFound


class NotFoundAsPageMiddleware:
    """A selector that refuses an object the user may not see raises ``NotFound``; a page view
    lets it through and the visitor gets the ordinary 404 page, which reveals nothing. (The API
    turns the same error into problem+json itself.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(exception.detail) from exception
