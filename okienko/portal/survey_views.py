"""The satisfaction survey a customer reaches from the e-mail: no sign-in, the link's secret is
the key. Opening the link only shows the question (mail scanners open links too); the answer
counts when the customer sends it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from okienko.core.errors import Conflict
from okienko.feedback.actions import do_answer_csat
from okienko.feedback.forms import CsatForm
from okienko.feedback.selectors import survey_by_token
from okienko.portal import throttle
from okienko.portal.views import TOO_MANY_REQUESTS, UNPROCESSABLE, activate_language

# Per client address: generous for an office behind one address, tight for guessing tokens.
SURVEY_REQUESTS_PER_WINDOW = 60
SURVEY_WINDOW_SECONDS = 600
CONFLICT = 409


@require_http_methods(["GET", "POST"])
def csat(request: HttpRequest, token: str) -> HttpResponse:
    client_ip = request.META.get("REMOTE_ADDR", "")
    if not throttle.hit(
        "csat", client_ip, limit=SURVEY_REQUESTS_PER_WINDOW, window_seconds=SURVEY_WINDOW_SECONDS
    ):
        activate_language(request, None)
        return _notice(
            request,
            _("Too many requests"),
            _("This page was opened too many times from your network. Try again in a few minutes."),
            TOO_MANY_REQUESTS,
        )
    survey = survey_by_token(token)
    activate_language(request, survey.ticket.requester)
    if request.method == "POST":
        form = CsatForm(request.POST)
        if form.is_valid():
            try:
                do_answer_csat(
                    survey=survey,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except Conflict:
                return _notice(
                    request,
                    _("This request is closed"),
                    _("Your rating was received earlier and can no longer change. Thank you!"),
                    CONFLICT,
                )
            return _notice(
                request,
                _("Thank you!"),
                _("We have your rating. It helps us answer better."),
                200,
            )
    else:
        initial = {"rating": request.GET.get("rating") or survey.rating, "comment": survey.comment}
        form = CsatForm(initial=initial)
    status = UNPROCESSABLE if form.errors else 200
    return _no_index(
        render(request, "portal/csat.html", {"form": form, "survey": survey}, status=status)
    )


def _notice(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    context = {"title": title, "text": text}
    return _no_index(render(request, "portal/notice.html", context, status=status))


def _no_index(response: HttpResponse) -> HttpResponse:
    # The token is in the address: keep it out of search engines and other sites' logs.
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
