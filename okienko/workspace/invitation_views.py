"""The page an invited agent opens from the e-mail: set a password, and be signed in.

Opening the link only shows the form, so a mail scanner that opens links does not use it up;
the form's POST uses it. The token is in the address: the page hands it on to no other site
(``same-origin`` referrers only; ``no-referrer`` would make browsers send ``Origin: null`` with
the form, which the CSRF check refuses).
Each client may try only so many links per window, like the portal's sign-in.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from okienko.accounts.actions import do_accept_agent_invitation
from okienko.accounts.selectors import invited_agent
from okienko.core.errors import NotFound
from okienko.portal import throttle
from okienko.workspace.settings_forms import InvitationPasswordForm

NOT_FOUND = 404
UNPROCESSABLE = 422
TOO_MANY_REQUESTS = 429


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    window = settings.PORTAL_SIGN_IN_WINDOW_MINUTES * 60
    allowed = throttle.hit(
        "agent-invitation-ip",
        request.META.get("REMOTE_ADDR", ""),
        limit=settings.PORTAL_SIGN_IN_PER_IP,
        window_seconds=window,
    )
    agent = invited_agent(token) if allowed else None
    if agent is not None:
        translation.activate(agent.language)
    form = InvitationPasswordForm(agent, request.POST or None) if agent is not None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            agent = do_accept_agent_invitation(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except NotFound:
            form = None
        else:
            login(request, agent)
            messages.success(request, _("Your password is set. Welcome to Okienko!"))
            return redirect("workspace:inbox")
    if not allowed:
        status = TOO_MANY_REQUESTS
    elif form is None:
        status = NOT_FOUND
    else:
        status = UNPROCESSABLE if form.errors else 200
    context = {"form": form, "invited": agent, "too_many": not allowed}
    response = render(request, "workspace/invitation.html", context, status=status)
    response["Referrer-Policy"] = "same-origin"
    return response
