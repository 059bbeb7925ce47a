"""The public survey page a customer reaches from the e-mail: no sign-in, the link's secret is
the key. Opening the link only shows the question (mail scanners open links too); the answer
counts when the customer sends it."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from okienko.core.errors import Conflict, NotFound
from okienko.feedback.actions import do_answer_csat
from okienko.feedback.forms import CsatForm
from okienko.feedback.selectors import survey_by_token


@require_http_methods(["GET", "POST"])
def csat(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = survey_by_token(token)
    except NotFound as error:
        raise Http404(error.detail) from error
    translation.activate(survey.ticket.requester.language)
    request.LANGUAGE_CODE = translation.get_language()
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
                return render(request, "feedback/closed.html", {"survey": survey}, status=409)
            return render(request, "feedback/thanks.html", {"survey": survey})
    else:
        initial = {"rating": request.GET.get("rating") or survey.rating, "comment": survey.comment}
        form = CsatForm(initial=initial)
    status = 422 if form.errors else 200
    return render(request, "feedback/csat.html", {"form": form, "survey": survey}, status=status)
