"""The admin's page for the assistant bot: per chat inbox whether it answers first and how
sure it must be, the optional language model and a test of its connection, what was sent to
that model, and the bot's figures. Admins only: everyone else gets 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okienko.ai.actions import (
    LanguageModelTest,
    do_set_inbox_bot,
    do_set_language_model,
    do_test_language_model,
)
from okienko.ai.models import InboxBot, LanguageModelSettings
from okienko.ai.selectors import (
    access_chat_inbox,
    bot_metrics,
    chat_inbox_bots,
    language_model_calls,
    language_model_settings,
)
from okienko.core import errors
from okienko.workspace.settings_forms import InboxBotForm, LanguageModelForm
from okienko.workspace.settings_views import _settings_admin
from okienko.workspace.views import UNPROCESSABLE, _is_htmx

# How many of the latest calls to the language model the page lists.
CALLS_SHOWN = 50


def _inbox_form(bot: InboxBot, data: QueryDict | None = None) -> InboxBotForm:
    initial = {
        "is_enabled": bot.is_enabled,
        "confidence_threshold": bot.confidence_threshold,
        "hand_off_team": bot.hand_off_team_id,
    }
    return InboxBotForm(data, prefix=f"inbox-{bot.inbox_id}", initial=initial)


def _model_form(
    configured: LanguageModelSettings, data: QueryDict | None = None
) -> LanguageModelForm:
    initial = {
        "is_enabled": configured.is_enabled,
        "base_url": configured.base_url,
        "model": configured.model,
        "timeout_seconds": configured.timeout_seconds,
    }
    return LanguageModelForm(data, initial=initial)


def _page(
    request: HttpRequest,
    *,
    inbox_forms: dict[int, InboxBotForm] | None = None,
    model_form: LanguageModelForm | None = None,
    test: LanguageModelTest | None = None,
) -> HttpResponse:
    configured = language_model_settings()
    chosen = inbox_forms or {}
    inboxes = [
        (entry.inbox, chosen.get(entry.inbox.pk) or _inbox_form(entry.bot))
        for entry in chat_inbox_bots()
    ]
    context = {
        "inboxes": inboxes,
        "model_form": model_form or _model_form(configured),
        "has_api_key": bool(configured.api_key),
        "calls": language_model_calls(limit=CALLS_SHOWN),
        "bot": bot_metrics(),
        "test": test,
    }
    failed = any(form.errors for _inbox, form in inboxes) or (model_form and model_form.errors)
    return render(
        request, "workspace/settings_bot.html", context, status=UNPROCESSABLE if failed else 200
    )


@login_required
@require_GET
def bot_settings(request: HttpRequest) -> HttpResponse:
    _settings_admin(request)
    return _page(request)


@login_required
@require_POST
def inbox_bot(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """Save the bot settings of one chat inbox."""
    admin = _settings_admin(request)
    inbox = access_chat_inbox(admin, inbox_id)
    form = _inbox_form(InboxBot(inbox=inbox), request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_set_inbox_bot(
                inbox=inbox,
                is_enabled=data["is_enabled"],
                hand_off_team=data["hand_off_team"],
                confidence_threshold=data["confidence_threshold"],
            )
        except errors.DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Bot settings of %(inbox)s saved.") % {"inbox": inbox})
            return redirect("workspace:settings_bot")
    return _page(request, inbox_forms={inbox.pk: form})


@login_required
@require_POST
def language_model(request: HttpRequest) -> HttpResponse:
    """Save the language model setting."""
    admin = _settings_admin(request)
    form = _model_form(language_model_settings(), request.POST)
    if form.is_valid():
        do_set_language_model(**form.cleaned_data, acting_user=admin)
        messages.success(request, _("Language model settings saved."))
        return redirect("workspace:settings_bot")
    return _page(request, model_form=form)


@login_required
@require_POST
def language_model_test(request: HttpRequest) -> HttpResponse:
    """Send the saved language model one short request and show whether it answered (htmx:
    the result and the log of calls; otherwise the whole page)."""
    admin = _settings_admin(request)
    test = do_test_language_model(acting_user=admin)
    if not _is_htmx(request):
        return _page(request, test=test)
    context = {"test": test, "calls": language_model_calls(limit=CALLS_SHOWN), "oob": True}
    return render(request, "workspace/partials/_language_model_test.html", context)
