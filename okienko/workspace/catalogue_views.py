"""The admin's settings pages for what customers and tickets are described with: customer
tiers, ticket categories, tags and custom fields. Admins only: everyone else gets 403."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.models import Agent
from okienko.core import errors
from okienko.customers.actions import do_save_tier
from okienko.customers.selectors import access_tier, tiers
from okienko.tickets.actions import do_delete_unused_tag, do_save_category, do_save_custom_field
from okienko.tickets.selectors import (
    access_category,
    access_custom_field,
    access_tag,
    categories,
    custom_fields,
    tags_in_use,
)
from okienko.workspace.settings_forms import CategoryForm, CustomFieldForm, TierForm
from okienko.workspace.settings_views import _settings_admin
from okienko.workspace.views import UNPROCESSABLE


@dataclass(frozen=True)
class Catalogue:
    """One kind of item the admin lists, creates and edits on the same kind of page."""

    title: Promise
    headers: tuple[Promise, ...]
    items: Callable[[], Any]
    cells: Callable[[Any], list[Any]]
    form: type[forms.Form]
    access: Callable[[Agent, int], Any]
    # Saves the valid form's data onto the item (None: a new one) through the domain's action.
    save: Callable[[dict[str, Any], Any, Agent], Any]


CATALOGUES: dict[str, Catalogue] = {
    "tiers": Catalogue(
        title=gettext_lazy("Customer tiers"),
        headers=(gettext_lazy("Name"), gettext_lazy("Short name"), gettext_lazy("Position")),
        items=tiers,
        cells=lambda tier: [tier.name, tier.slug, tier.position],
        form=TierForm,
        access=access_tier,
        save=lambda data, tier, admin: do_save_tier(
            tier=tier,
            name=data["name"],
            slug=data.get("slug", ""),
            position=data["position"],
            acting_user=admin,
        ),
    ),
    "categories": Catalogue(
        title=gettext_lazy("Categories"),
        headers=(gettext_lazy("Name"), gettext_lazy("Under")),
        items=lambda: categories().order_by("parent__name", "name"),
        cells=lambda category: [category.name, category.parent.name if category.parent else "—"],
        form=CategoryForm,
        access=access_category,
        save=lambda data, category, admin: do_save_category(
            category=category, name=data["name"], parent=data["parent"], acting_user=admin
        ),
    ),
    "fields": Catalogue(
        title=gettext_lazy("Custom fields"),
        headers=(gettext_lazy("Label"), gettext_lazy("Key"), gettext_lazy("Type")),
        items=custom_fields,
        cells=lambda field: [field.label, field.key, field.get_field_type_display()],
        form=CustomFieldForm,
        access=access_custom_field,
        save=lambda data, field, admin: do_save_custom_field(
            field=field,
            label=data["label"],
            key=data.get("key", ""),
            field_type=data.get("field_type", ""),
            choices=data["choices"],
            is_required_to_solve=data["is_required_to_solve"],
            acting_user=admin,
        ),
    ),
}


def _catalogue(kind: str) -> Catalogue:
    try:
        return CATALOGUES[kind]
    except KeyError as error:
        raise Http404("No such settings page") from error


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest, kind: str, item_id: int | None = None) -> HttpResponse:
    """The list of one kind of item with a form: a new item, or the item ``item_id``."""
    admin = _settings_admin(request)
    spec = _catalogue(kind)
    item = spec.access(admin, item_id) if item_id is not None else None
    form = spec.form(request.POST or None, instance=item)  # type: ignore[call-arg]
    if request.method == "POST" and form.is_valid():
        try:
            spec.save(form.cleaned_data, item, admin)
        except errors.DomainError as error:
            field = next((name for name in error.errors if name in form.fields), None)
            form.add_error(field, error.detail)
        else:
            messages.success(request, _("Saved."))
            return redirect("workspace:settings_catalogue", kind=kind)
    rows = [
        (
            reverse("workspace:settings_catalogue_item", args=[kind, row.pk]),
            list(zip(spec.headers, spec.cells(row), strict=True)),
        )
        for row in spec.items()
    ]
    context = {"kind": kind, "spec": spec, "rows": rows, "form": form, "item": item}
    status = UNPROCESSABLE if form.errors else 200
    return render(request, "workspace/settings_catalogue.html", context, status=status)


@login_required
@require_GET
def tag_list(request: HttpRequest) -> HttpResponse:
    """The tags with how many tickets carry each; unused ones can go."""
    _settings_admin(request)
    return render(request, "workspace/settings_tags.html", {"tags": tags_in_use()})


@login_required
@require_POST
def tag_delete(request: HttpRequest, tag_id: int) -> HttpResponse:
    admin = _settings_admin(request)
    tag = access_tag(admin, tag_id)
    try:
        do_delete_unused_tag(tag=tag, acting_user=admin)
    except errors.DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Tag removed."))
    return redirect("workspace:settings_tags")
