"""Admin pages of rules and macros. Conditions and operations are edited as JSON here; the
help lists every field, operator and operation the registries know."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from okienko.automation.actions import MacroInput, RuleInput, do_save_macro, do_save_rule
from okienko.automation.conditions import FIELDS, OPERATORS, normalise_conditions
from okienko.automation.models import Macro, Rule, RuleFiring
from okienko.automation.operations import OPERATIONS, normalise_operations
from okienko.automation.placeholders import PLACEHOLDERS, unknown_placeholders
from okienko.core.admin_mixins import ReadOnlyAdmin
from okienko.core.errors import InvalidInput

CONDITIONS_HELP = format_lazy(
    _(
        "A list of conditions, each an object with field, operator and value. Fields: {fields}. "
        "Operators: {operators}."
    ),
    fields=", ".join(FIELDS),
    operators=", ".join(OPERATORS),
)
OPERATIONS_HELP = format_lazy(
    _(
        "A list of operations, each an object with a type and its values. Types: {types}. "
        "Texts may use the placeholders {placeholders}."
    ),
    types=", ".join(OPERATIONS),
    placeholders=", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS),
)


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = [
            "kind",
            "event",
            "name",
            "description",
            "position",
            "is_active",
            "match",
            "conditions",
            "operations",
        ]
        help_texts = {"conditions": CONDITIONS_HELP, "operations": OPERATIONS_HELP}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, normalise in (
            ("conditions", normalise_conditions),
            ("operations", normalise_operations),
        ):
            try:
                cleaned[name] = normalise(cleaned.get(name) or [])
            except InvalidInput as error:
                self.add_error(name, f"{error.detail}: {error.errors}")
        return cleaned


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ["name", "kind", "event", "position", "is_active"]
    list_filter = ["kind", "event", "is_active"]
    list_editable = ["position", "is_active"]

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = do_save_rule(
            rule=obj if change else None,
            data=RuleInput(
                kind=data["kind"],
                name=data["name"],
                event=data.get("event", ""),
                description=data.get("description", ""),
                position=data.get("position") or 0,
                is_active=data.get("is_active", False),
                match=data["match"],
                conditions=data["conditions"],
                operations=data["operations"],
            ),
        )
        obj.pk = saved.pk


class MacroForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = ["name", "reply", "operations", "is_active"]
        help_texts = {"operations": OPERATIONS_HELP}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned["operations"] = normalise_operations(
                cleaned.get("operations") or [], allow_empty=True
            )
        except InvalidInput as error:
            self.add_error("operations", f"{error.detail}: {error.errors}")
        if unknown := unknown_placeholders(cleaned.get("reply", "")):
            self.add_error("reply", _("Unknown placeholders: %s") % ", ".join(unknown))
        return cleaned


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    form = MacroForm
    list_display = ["name", "is_active"]

    def save_model(self, request: HttpRequest, obj: Macro, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = do_save_macro(
            macro=obj if change else None,
            data=MacroInput(
                name=data["name"],
                reply=data.get("reply", ""),
                operations=data["operations"],
                is_active=data.get("is_active", False),
            ),
        )
        obj.pk = saved.pk


@admin.register(RuleFiring)
class RuleFiringAdmin(ReadOnlyAdmin):
    list_display = ["fired_at", "rule_name", "ticket", "key", "error"]
    list_filter = ["rule_name"]
