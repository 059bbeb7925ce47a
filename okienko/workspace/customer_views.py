"""Customer and organisation pages: the directory, a customer's profile with their whole
conversation across channels, editing, identities, and merging duplicates (with an undo)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.models import Agent
from okienko.core import errors
from okienko.customers import actions
from okienko.customers.actions import IdentityInput
from okienko.customers.choices import IdentityKind
from okienko.customers.models import Customer
from okienko.customers.selectors import (
    access_customer,
    access_customer_merge,
    access_identity,
    access_organisation,
    can_merge_customers,
    consent_record,
    customer_with_identity,
    list_customers,
    list_organisations,
    merges_of,
    organisation_members,
    visible_organisations,
)
from okienko.tickets.selectors import TicketFilters, customer_timeline, list_tickets
from okienko.workspace.customer_forms import (
    CustomerForm,
    IdentityForm,
    MergeCustomerForm,
    OrganisationForm,
)
from okienko.workspace.views import PAGE_SIZE, UNPROCESSABLE, _agent, _int_or_none

TIMELINE_PAGE = 30
CUSTOMER_TICKETS_SHOWN = 50


def _merger(request: HttpRequest) -> Agent:
    agent = _agent(request)
    if not can_merge_customers(agent):
        raise PermissionDenied(_("Only supervisors and administrators merge customers."))
    return agent


def _directory(
    request: HttpRequest, template: str, lister: Callable[..., list[Any]]
) -> HttpResponse:
    """One page of a directory (customers, organisations): searched, newest first, keyset."""
    agent = _agent(request)
    query = request.GET.get("q", "").strip()[:200]
    before_id = _int_or_none(request.GET.get("before"))
    found = lister(agent, query=query, before_id=before_id, limit=PAGE_SIZE + 1)
    page = found[:PAGE_SIZE]
    context = {
        "items": page,
        "query": query,
        "next_before": page[-1].pk if len(found) > PAGE_SIZE else None,
        "is_first_page": before_id is None,
    }
    return render(request, template, context)


@login_required
@require_GET
def customers(request: HttpRequest) -> HttpResponse:
    """The customer directory: search by name or any address, newest first."""
    return _directory(request, "workspace/customers.html", list_customers)


def _profile_context(
    request: HttpRequest, agent: Agent, customer: Customer, **forms: Any
) -> dict[str, Any]:
    before_id = _int_or_none(request.GET.get("before"))
    timeline = customer_timeline(agent, customer.pk, before_id=before_id, limit=TIMELINE_PAGE + 1)
    shown = timeline[:TIMELINE_PAGE]
    return {
        "customer": customer,
        "tickets": list_tickets(
            agent,
            TicketFilters(requester_id=customer.pk),
            before_id=None,
            limit=CUSTOMER_TICKETS_SHOWN,
        ),
        "timeline": shown,
        "timeline_next": shown[-1].pk if len(timeline) > TIMELINE_PAGE else None,
        "is_first_page": before_id is None,
        "merges": merges_of(agent, customer),
        "consents": consent_record(customer),
        "can_merge": can_merge_customers(agent),
        "customer_form": forms.get("customer_form")
        or CustomerForm(customer=customer, organisations=visible_organisations(agent)),
        "identity_form": forms.get("identity_form") or IdentityForm(),
        "merge_form": forms.get("merge_form") or MergeCustomerForm(),
    }


@login_required
@require_GET
def customer_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A customer: details, identities, tickets and the conversation across channels."""
    agent = _agent(request)
    customer = access_customer(agent, customer_id)
    return render(request, "workspace/customer.html", _profile_context(request, agent, customer))


def _failed(request: HttpRequest, agent: Agent, customer: Customer, **forms: Any) -> HttpResponse:
    context = _profile_context(request, agent, customer, **forms)
    return render(request, "workspace/customer.html", context, status=UNPROCESSABLE)


@login_required
@require_POST
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    agent = _agent(request)
    customer = access_customer(agent, customer_id)
    form = CustomerForm(request.POST, customer=customer, organisations=visible_organisations(agent))
    if form.is_valid():
        try:
            actions.do_update_customer(customer=customer, changes=form.changes(), acting_user=agent)
        except errors.DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("workspace:customer", customer_id=customer.pk)
    return _failed(request, agent, access_customer(agent, customer_id), customer_form=form)


@login_required
@require_POST
def identity_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    agent = _agent(request)
    customer = access_customer(agent, customer_id)
    form = IdentityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_add_identity(
                customer=customer,
                identity=IdentityInput(data["kind"], data["address"]),
                acting_user=agent,
            )
        except errors.DomainError as error:
            form.add_error("address", error.detail)
        else:
            messages.success(request, _("Address added."))
            return redirect("workspace:customer", customer_id=customer.pk)
    return _failed(request, agent, customer, identity_form=form)


@login_required
@require_POST
def identity_remove(request: HttpRequest, customer_id: int, identity_id: int) -> HttpResponse:
    agent = _agent(request)
    customer = access_customer(agent, customer_id)
    identity = access_identity(agent, customer, identity_id)
    actions.do_remove_identity(identity=identity, acting_user=agent)
    messages.success(request, _("Address removed."))
    return redirect("workspace:customer", customer_id=customer.pk)


def _duplicate(agent: Agent, text: str) -> Customer | None:
    """The customer a merge form names: by number, or by any of their e-mail addresses."""
    text = text.strip().removeprefix("#")
    if text.isdigit():
        try:
            return access_customer(agent, int(text))
        except errors.NotFound:
            return None
    return customer_with_identity(IdentityKind.EMAIL, text)


@login_required
@require_POST
def customer_merge(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Merge a duplicate into this customer; the profile then offers to undo it."""
    agent = _merger(request)
    customer = access_customer(agent, customer_id)
    form = MergeCustomerForm(request.POST)
    if form.is_valid():
        duplicate = _duplicate(agent, form.cleaned_data["duplicate"])
        if duplicate is None:
            form.add_error("duplicate", _("No customer has this number or e-mail."))
        else:
            try:
                actions.do_merge_customers(source=duplicate, target=customer, acting_user=agent)
            except errors.DomainError as error:
                form.add_error("duplicate", error.detail)
            else:
                messages.success(
                    request,
                    _("%(duplicate)s is merged into this customer.") % {"duplicate": duplicate},
                )
                return redirect("workspace:customer", customer_id=customer.pk)
    return _failed(request, agent, customer, merge_form=form)


@login_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    """Undo a customer merge: the duplicate is a customer of its own again."""
    agent = _merger(request)
    merge = access_customer_merge(agent, merge_id)
    try:
        source = actions.do_undo_customer_merge(merge=merge, acting_user=agent)
    except errors.DomainError as error:
        messages.error(request, error.detail)
        return redirect("workspace:customer", customer_id=merge.target_id)
    messages.success(
        request, _("Merge undone: %(customer)s is on their own again.") % {"customer": source}
    )
    return redirect("workspace:customer", customer_id=source.pk)


@login_required
@require_GET
def organisations(request: HttpRequest) -> HttpResponse:
    """The organisations: search by name, NIP or e-mail domain."""
    return _directory(request, "workspace/organisations.html", list_organisations)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_page(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """An organisation: its details (editable, NIP checked) and its people."""
    agent = _agent(request)
    organisation = access_organisation(agent, organisation_id)
    form = OrganisationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_organisation(
                organisation=organisation, changes=form.cleaned_data, acting_user=agent
            )
        except errors.DomainError as error:
            form.add_error("nip" if "nip" in error.errors else None, error.detail)
        else:
            messages.success(request, _("Organisation saved."))
            return redirect("workspace:organisation", organisation_id=organisation.pk)
        organisation = access_organisation(agent, organisation_id)
    context = {
        "organisation": organisation,
        "members": list(organisation_members(agent, organisation)[:PAGE_SIZE]),
        "form": form,
    }
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "workspace/organisation.html", context, status=status)
