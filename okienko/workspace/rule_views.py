"""Admin pages for automation rules and macros: the lists and the builders (no JSON to write)."""

from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent
from okienko.automation.actions import (
    DryRun,
    built_rule,
    do_delete_macro,
    do_delete_rule,
    do_dry_run,
    do_save_macro,
    do_save_rule,
)
from okienko.automation.choices import RuleKind
from okienko.automation.placeholders import Rendered
from okienko.automation.selectors import (
    access_macro,
    access_rule,
    all_macros,
    preview_reply,
    rules,
)
from okienko.core.errors import InvalidInput, NotFound
from okienko.tickets.models import Ticket
from okienko.tickets.selectors import access_ticket
from okienko.workspace.rule_forms import MacroBuilder, RuleBuilder

UNPROCESSABLE = 422


def _admin(request: HttpRequest) -> Agent:
    user = request.user
    if not isinstance(user, Agent) or user.role != Role.ADMIN:
        raise PermissionDenied(_("Only admins change automation rules and macros."))
    return user


Builder = TypeVar("Builder", RuleBuilder, MacroBuilder)


def _builder(request: HttpRequest, builder_class: type[Builder], **saved: Any) -> Builder:
    """The builder as saved (GET), as a draft redrawn to suit its rows, or as submitted."""
    if request.method == "GET":
        return builder_class(**saved)
    if request.GET.get("redraw"):
        add = request.POST.get("add", "")
        return builder_class.redrawn(request.POST, add=add, **saved)
    return builder_class(request.POST, **saved)


def _is_submission(request: HttpRequest) -> bool:
    """A POST to save or try, not one that only redraws the rows."""
    return request.method == "POST" and not request.GET.get("redraw")


def _ticket_to_try(request: HttpRequest, agent: Agent) -> Ticket:
    """The ticket a draft is tried on; NotFound or ValueError when it is not one the agent may
    see."""
    return access_ticket(agent, int(request.POST.get("ticket") or 0))


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    ordered = rules().order_by("kind", "position", "name")
    return render(request, "workspace/rules.html", {"rules": ordered})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int | None = None, kind: str = "") -> HttpResponse:
    """Build a rule row by row; try it on a ticket (dry run) before saving it."""
    agent = _admin(request)
    rule = access_rule(rule_id) if rule_id is not None else None
    kind = rule.kind if rule is not None else kind
    if kind not in RuleKind.values:
        raise Http404
    dry_run: DryRun | None = None
    builder = _builder(request, RuleBuilder, rule=rule, kind=kind)
    if _is_submission(request) and builder.is_valid():
        try:
            if "dry_run" in request.POST:
                ticket = _ticket_to_try(request, agent)
                dry_run = do_dry_run(rule=built_rule(builder.rule_input()), ticket=ticket)
            else:
                saved = do_save_rule(data=builder.rule_input(), rule=rule)
                messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
                return redirect("workspace:rule", rule_id=saved.pk)
        except InvalidInput as error:
            builder.add_error(error.detail, error.errors)
        except (NotFound, ValueError):
            builder.form.add_error(None, _("There is no ticket with that number you may see."))
    failed = _is_submission(request) and not dry_run
    context = {"builder": builder, "rule": rule, "kind": kind, "dry_run": dry_run}
    return render(
        request, "workspace/rule_form.html", context, status=UNPROCESSABLE if failed else 200
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    _admin(request)
    rule = access_rule(rule_id)
    do_delete_rule(rule=rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("workspace:rules")


@login_required
@require_GET
def macro_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return render(request, "workspace/macros.html", {"macros": all_macros()})


@login_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, macro_id: int | None = None) -> HttpResponse:
    """Build a macro: its reply and the changes it makes; preview the reply on a ticket."""
    agent = _admin(request)
    macro = access_macro(macro_id, active_only=False) if macro_id is not None else None
    preview: Rendered | None = None
    builder = _builder(request, MacroBuilder, macro=macro)
    if _is_submission(request) and builder.is_valid():
        try:
            if "preview" in request.POST:
                ticket = _ticket_to_try(request, agent)
                preview = preview_reply(builder.macro_input().reply, ticket, agent)
            else:
                saved = do_save_macro(data=builder.macro_input(), macro=macro)
                messages.success(request, _("Macro “%(name)s” saved.") % {"name": saved.name})
                return redirect("workspace:macro", macro_id=saved.pk)
        except InvalidInput as error:
            builder.add_error(error.detail, error.errors)
        except (NotFound, ValueError):
            builder.form.add_error(None, _("There is no ticket with that number you may see."))
    failed = _is_submission(request) and not preview
    context = {"builder": builder, "macro": macro, "preview": preview}
    return render(
        request, "workspace/macro_form.html", context, status=UNPROCESSABLE if failed else 200
    )


@login_required
@require_POST
def macro_delete(request: HttpRequest, macro_id: int) -> HttpResponse:
    _admin(request)
    macro = access_macro(macro_id, active_only=False)
    do_delete_macro(macro=macro)
    messages.success(request, _("Macro “%(name)s” deleted.") % {"name": macro.name})
    return redirect("workspace:macros")
