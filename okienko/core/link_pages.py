"""The pages a single-use link e-mailed to someone opens: the link's token is in their address."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from okienko.core.errors import DomainError

P = ParamSpec("P")
LinkView = Callable[Concatenate[HttpRequest, str, P], HttpResponseBase]
TOO_MANY_REQUESTS = 429


def link_page(
    *, count_opening: Callable[..., None], template: str
) -> Callable[[LinkView[P]], LinkView[P]]:
    """Wrap the view of a link's page (it takes the token). ``count_opening(client_ip=...)``
    counts the page against the client's limit and raises a ``DomainError`` once it is over:
    the client gets ``template`` with ``throttled`` (429) before the token is looked at, so
    tokens cannot be tried at speed. No answer hands the token on to another site."""

    def decorate(view: LinkView[P]) -> LinkView[P]:
        @wraps(view)
        def wrapped(
            request: HttpRequest, token: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponseBase:
            response: HttpResponseBase
            try:
                count_opening(client_ip=request.META.get("REMOTE_ADDR", ""))
            except DomainError:
                response = render(request, template, {"throttled": True}, status=TOO_MANY_REQUESTS)
            else:
                response = view(request, token, *args, **kwargs)
            response["Referrer-Policy"] = "no-referrer"
            return response

        return wrapped

    return decorate
