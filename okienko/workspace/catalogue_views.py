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
from okienko.customers.actions import do_delete_tier, do_save_tier
from okienko.customers.selectors import access_tier, tier_usage, tiers
from okienko.tickets.actions import (
    do_delete_category,
    do_delete_unused_tag,
    do_merge_tags,
    do_rename_tag,
    do_save_category,
    do_save_custom_field,
)
from okienko.tickets.selectors import (
    access_category,
    access_custom_field,
    access_tag,
    categories,
    category_usage,
    custom_fields,
    tags,
    tags_in_use,
)
from okienko.workspace.settings_forms import (
    CategoryForm,
    CustomFieldForm,
    NameForm,
    ReplacementForm,
    TierForm,
)
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
    # What is in an item, by kind; and its removal, moving that to a replacement (or None).
    usage: Callable[[Any], dict[str, int]] | None = None
    delete: Callable[[Any, Any, Agent], None] | None = None


USAGE_LABELS = {
    "tickets": gettext_lazy("Tickets"),
    "subcategories": gettext_lazy("Subcategories"),
    "customers": gettext_lazy("Customers"),
    "organisations": gettext_lazy("Organisations"),
}
# Why a removal was refused, by the code the action gives.
REFUSALS = {
    "required": gettext_lazy("It is in use: choose where to move what is in it."),
    "same": gettext_lazy("Choose another one to move to."),
    "has subcategories": gettext_lazy("It has subcategories: move or remove them first."),
}


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
        usage=tier_usage,
        delete=lambda tier, replacement, admin: do_delete_tier(
            tier=tier, replacement=replacement, acting_user=admin
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
        usage=category_usage,
        delete=lambda category, replacement, admin: do_delete_category(
            category=category, replacement=replacement, acting_user=admin
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
    status = UNPROCESSABLE if form.errors else 200
    return _catalogue_page(request, kind, item, form, _removal(spec, item), status)


def _catalogue_page(
    request: HttpRequest,
    kind: str,
    item: Any,
    form: forms.Form,
    removal: dict[str, Any],
    status: int,
) -> HttpResponse:
    spec = CATALOGUES[kind]
    rows = [
        (
            reverse("workspace:settings_catalogue_item", args=[kind, row.pk]),
            list(zip(spec.headers, spec.cells(row), strict=True)),
        )
        for row in spec.items()
    ]
    context = {
        "kind": kind,
        "spec": spec,
        "rows": rows,
        "form": form,
        "item": item,
        **removal,
    }
    return render(request, "workspace/settings_catalogue.html", context, status=status)


def _removal(spec: Catalogue, item: Any, data: Any = None) -> dict[str, Any]:
    """The removal form of an item whose kind can be removed, and what is in the item."""
    if item is None or spec.delete is None or spec.usage is None:
        return {}
    usage = [(USAGE_LABELS[key], count) for key, count in spec.usage(item).items()]
    others = spec.items().exclude(pk=item.pk)
    return {"usage": usage, "removal": ReplacementForm(data, replacements=others)}


@login_required
@require_POST
def catalogue_delete(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    """Remove a tier or category, moving what is in it to the replacement chosen; refused
    with the reason when something stays in the way."""
    admin = _settings_admin(request)
    spec = _catalogue(kind)
    if spec.delete is None:
        raise Http404("This kind of item is not removed here")
    item = spec.access(admin, item_id)
    removal = _removal(spec, item, request.POST)
    form = removal["removal"]
    if form.is_valid():
        try:
            spec.delete(item, form.cleaned_data["replacement"], admin)
        except errors.DomainError as error:
            codes = [code for codes in error.errors.values() for code in codes]
            reason = next((REFUSALS[code] for code in codes if code in REFUSALS), error.detail)
            form.add_error("replacement", reason)
        else:
            messages.success(request, _("Removed."))
            return redirect("workspace:settings_catalogue", kind=kind)
    item_form = spec.form(instance=item)  # type: ignore[call-arg]
    return _catalogue_page(request, kind, item, item_form, removal, UNPROCESSABLE)


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


@login_required
@require_http_methods(["GET", "POST"])
def tag_edit(request: HttpRequest, tag_id: int) -> HttpResponse:
    """Rename a tag, or merge it into another; the tickets keep their tags either way."""
    admin = _settings_admin(request)
    tag = access_tag(admin, tag_id)
    operation = request.POST.get("operation") if request.method == "POST" else None
    rename = NameForm(request.POST if operation == "rename" else None, initial={"name": tag.name})
    merge = ReplacementForm(
        request.POST if operation == "merge" else None,
        replacements=tags().exclude(pk=tag.pk),
        required=True,
        label=_("Merge into"),
    )
    form = {"rename": rename, "merge": merge}.get(operation or "")
    if form is not None and form.is_valid():
        try:
            if form is rename:
                do_rename_tag(tag=tag, name=rename.cleaned_data["name"], acting_user=admin)
                messages.success(request, _("Tag renamed; its tickets keep it."))
            else:
                target = merge.cleaned_data["replacement"]
                do_merge_tags(source=tag, target=target, acting_user=admin)
                messages.success(
                    request,
                    _("Merged into %(name)s; its tickets carry that tag now.")
                    % {"name": target.name},
                )
        except errors.Conflict:
            rename.add_error("name", _("Another tag has this name: merge into it instead."))
        except errors.DomainError as error:
            form.add_error(None, error.detail)
        else:
            return redirect("workspace:settings_tags")
    context = {"tag": tag, "rename": rename, "merge": merge}
    status = UNPROCESSABLE if form is not None and form.errors else 200
    return render(request, "workspace/settings_tag.html", context, status=status)
