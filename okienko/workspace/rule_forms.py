"""The rule and macro builders: automation rules and macros as form rows instead of JSON.

Each condition row is field, operator and a value whose input suits the field (a list of teams,
a yes/no, free text...); each operation row is a type and the inputs that type takes. The rows
become exactly the JSON the automation registries check, so the builder cannot say more or less
than the API.
"""

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.automation.actions import MacroInput, RuleInput
from okienko.automation.choices import Match, RuleKind, TriggerEvent
from okienko.automation.conditions import FIELDS, OPERATOR_LABELS
from okienko.automation.models import Macro, Rule
from okienko.automation.operations import OPERATIONS
from okienko.automation.placeholders import PLACEHOLDERS
from okienko.automation.selectors import value_choices

LIST_OPERATORS = ("in", "not_in")
VALUELESS_OPERATORS = ("is_empty", "is_set")
_NONE = [("", "—")]
# A change of a row's field, operator or action redraws the builder (inputs to suit it).
REDRAW = {
    "hx-post": "?redraw=1",
    "hx-trigger": "change",
    "hx-target": "#rule-builder",
    "hx-select": "#rule-builder",
    "hx-swap": "outerHTML",
}


def _current(form: forms.Form, name: str, default: str) -> str:
    """What a row's selector says now: the submitted value, else the initial one."""
    if form.is_bound:
        return str(form.data.get(form.add_prefix(name)) or default)
    return str(form.initial.get(name) or default)


def _typed(kind: str, raw: str) -> Any:
    raw = raw.strip()
    if kind == "number":
        try:
            number = float(raw.replace(",", "."))
        except ValueError as error:
            raise forms.ValidationError(_("Write a number, e.g. 24 or 1.5")) from error
        return int(number) if number.is_integer() else number
    if kind == "id":
        return int(raw) if raw else None
    if kind == "boolean":
        return raw == "true"
    return raw


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ConditionRow(forms.Form):
    field = forms.ChoiceField(
        label=_("Field"),
        choices=[(name, spec.description) for name, spec in FIELDS.items()],
        widget=forms.Select(attrs=REDRAW),
    )
    operator = forms.ChoiceField(
        label=_("Operator"),
        choices=list(OPERATOR_LABELS.items()),
        widget=forms.Select(attrs=REDRAW),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_name = _current(self, "field", next(iter(FIELDS)))
        operator = _current(self, "operator", "is")
        choices = value_choices(field_name)
        label = _("Value")
        value_field: forms.Field
        if operator in VALUELESS_OPERATORS:
            value_field = forms.CharField(label=label, required=False, widget=forms.HiddenInput)
        elif choices is not None and operator in LIST_OPERATORS:
            value_field = forms.MultipleChoiceField(label=label, choices=choices)
        elif choices is not None:
            value_field = forms.ChoiceField(label=label, choices=_NONE + choices, required=False)
        elif operator in LIST_OPERATORS:
            value_field = forms.CharField(label=label, help_text=_("Separate with commas"))
        else:
            value_field = forms.CharField(label=label, required=False)
        self.fields["value"] = value_field

    @classmethod
    def initial_of(cls, condition: dict[str, Any]) -> dict[str, Any]:
        value = condition.get("value")
        field_name = condition["field"]
        if isinstance(value, list):
            shown = [_shown(item) for item in value]
            value = shown if value_choices(field_name) is not None else ", ".join(shown)
        else:
            value = _shown(value)
        return {"field": field_name, "operator": condition["operator"], "value": value}

    def condition(self) -> dict[str, Any]:
        """The row as the JSON condition the registry checks."""
        data = self.cleaned_data
        kind = FIELDS[data["field"]].kind
        raw = data.get("value")
        if data["operator"] in VALUELESS_OPERATORS:
            value: Any = None
        elif data["operator"] in LIST_OPERATORS:
            items = raw if isinstance(raw, list) else str(raw or "").split(",")
            value = [_typed(kind, item) for item in items if str(item).strip()]
        else:
            value = _typed(kind, str(raw or ""))
        return {"field": data["field"], "operator": data["operator"], "value": value}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "field" in cleaned and "operator" in cleaned and not self.has_error("value"):
            try:
                self.condition()
            except forms.ValidationError as error:
                self.add_error("value", error)
        return cleaned


class OperationRow(forms.Form):
    type = forms.ChoiceField(
        label=_("Action"),
        choices=[(name, op.label) for name, op in OPERATIONS.items()],
        widget=forms.Select(attrs=REDRAW),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operation_type = _current(self, "type", next(iter(OPERATIONS)))
        for param in OPERATIONS[self.operation_type].params:
            self.fields[param] = self._param_field(param)

    def _param_field(self, param: str) -> forms.Field:
        if param == "value":
            choices = value_choices(self.operation_type.removeprefix("set_")) or []
            return forms.ChoiceField(label=_("Value"), choices=choices)
        if param in ("agent_id", "team_id"):
            label = _("Agent") if param == "agent_id" else _("Team")
            return forms.ChoiceField(
                label=label, choices=_NONE + (value_choices(param) or []), required=False
            )
        if param == "to":
            whom = value_choices("to") or []
            return forms.ChoiceField(
                label=_("Whom"), choices=whom, widget=forms.Select(attrs=REDRAW)
            )
        if param == "tags":
            return forms.CharField(label=_("Tags"), help_text=_("Separate with commas"))
        if param == "url":
            return forms.URLField(label=_("Address"), max_length=500, assume_scheme="https")
        return forms.CharField(
            label=_("Text"),
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Placeholders such as {{ ticket.number }} or {{ customer.first_name }}"),
        )

    @classmethod
    def initial_of(cls, operation: dict[str, Any]) -> dict[str, Any]:
        initial = {key: _shown(value) for key, value in operation.items() if key != "tags"}
        if "tags" in operation:
            initial["tags"] = ", ".join(operation["tags"])
        return initial

    def operation(self) -> dict[str, Any]:
        """The row as the JSON operation the registry checks."""
        data = self.cleaned_data
        operation: dict[str, Any] = {"type": data["type"]}
        for param in OPERATIONS[data["type"]].params:
            value = data.get(param)
            if param in ("agent_id", "team_id"):
                operation[param] = int(value) if value else None
            elif param == "tags":
                operation[param] = [tag.strip() for tag in str(value).split(",") if tag.strip()]
            else:
                operation[param] = value
        if operation.get("to") not in (None, "agent"):
            operation.pop("agent_id", None)
        return operation


ConditionRows = formset_factory(ConditionRow, extra=0, can_delete=True)
OperationRows = formset_factory(OperationRow, extra=0, can_delete=True)


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    event = forms.ChoiceField(label=_("When"), choices=TriggerEvent.choices, required=False)
    match = forms.ChoiceField(
        label=_("Conditions that must hold"),
        choices=Match.choices,
        widget=forms.RadioSelect,
        initial=Match.ALL,
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    reply = forms.CharField(
        label=_("Reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=format_lazy(
            _("Placeholders: {names}"),
            names=", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS),
        ),
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("macro", "Active"), required=False, initial=True
    )


ROW_SETS: dict[str, Any] = {"conditions": ConditionRows, "operations": OperationRows}


def _new_row(part: str) -> dict[str, Any]:
    if part == "conditions":
        return {"field": next(iter(FIELDS)), "operator": "is"}
    return {"type": next(iter(OPERATIONS))}


class RowsBuilder:
    """A settings form with rows of conditions and/or operations: bound to a submission, or
    filled from a saved object or from a draft being redrawn (``initial``: the form's values
    under ``form`` and each part's rows)."""

    form_class: type[forms.Form]
    parts: tuple[str, ...]

    def __init__(self, data: Any, *, initial: dict[str, Any]) -> None:
        self.form = self.form_class(data, initial=initial["form"])
        # A submission stands on its own: rows compared with a saved object's initial rows
        # would count as unchanged, and unchanged extra rows as empty.
        self.rows = {
            part: ROW_SETS[part](
                data, initial=None if data is not None else initial[part], prefix=part
            )
            for part in self.parts
        }

    @property
    def conditions(self) -> Any:
        return self.rows["conditions"]

    @property
    def operations(self) -> Any:
        return self.rows["operations"]

    @classmethod
    def draft(cls, data: Any, *, add: str = "") -> dict[str, Any]:
        """The submission as ``initial``, unvalidated, so that each row's inputs suit its field
        or action, with an empty row more under ``add`` (one of ``parts``)."""

        def rows(prefix: str) -> list[dict[str, Any]]:
            found = []
            for index in range(int(data.get(f"{prefix}-TOTAL_FORMS") or 0)):
                key = f"{prefix}-{index}-"
                if data.get(f"{key}DELETE"):
                    continue
                row = {
                    name.removeprefix(key): values[0] if len(values) == 1 else values
                    for name, values in data.lists()
                    if name.startswith(key)
                }
                found.append(row)
            if add == prefix:
                found.append(_new_row(prefix))
            return found

        fields = {
            name: bool(data.get(name)) if isinstance(field, forms.BooleanField) else data.get(name)
            for name, field in cls.form_class.base_fields.items()
        }
        return {"form": fields, **{part: rows(part) for part in cls.parts}}

    def is_valid(self) -> bool:
        valid = [self.form.is_valid(), *(rows.is_valid() for rows in self.rows.values())]
        return all(valid)

    def kept_rows(self, part: str) -> list[Any]:
        return [row for row in self.rows[part] if not _deleted(row)]

    def add_error(self, message: str, errors: dict[str, list[str]]) -> None:
        """Show the action's refusal: on the row or field it names, else on the whole form."""
        placed = False
        for where, problems in errors.items():
            if where in self.form.fields:
                self.form.add_error(where, f"{message}: {', '.join(problems)}")
                placed = True
            for part in self.parts:
                if where.startswith(f"{part}["):
                    index = int(where[len(part) + 1 : where.index("]")])
                    kept = self.kept_rows(part)
                    if index < len(kept):
                        kept[index].add_error(None, "; ".join(problems))
                        placed = True
        if not placed:
            details = "; ".join(f"{key}: {', '.join(v)}" for key, v in errors.items())
            self.form.add_error(None, f"{message}. {details}" if details else message)


class RuleBuilder(RowsBuilder):
    form_class = RuleForm
    parts = ("conditions", "operations")

    def __init__(
        self,
        data: Any = None,
        *,
        rule: Rule | None,
        kind: str,
        initial: dict[str, Any] | None = None,
    ) -> None:
        self.rule = rule
        self.kind = kind
        super().__init__(data, initial=initial or self._initial(rule))
        if kind == RuleKind.TRIGGER:
            self.form.fields["event"].required = True
        else:
            del self.form.fields["event"]

    @classmethod
    def redrawn(cls, data: Any, *, rule: Rule | None, kind: str, add: str = "") -> "RuleBuilder":
        return cls(rule=rule, kind=kind, initial=cls.draft(data, add=add))

    @staticmethod
    def _initial(rule: Rule | None) -> dict[str, Any]:
        if rule is None:
            return {"form": {}, "conditions": [], "operations": [{"type": "add_tags"}]}
        return {
            "form": {
                "name": rule.name,
                "description": rule.description,
                "event": rule.event,
                "match": rule.match,
                "position": rule.position,
                "is_active": rule.is_active,
            },
            "conditions": [ConditionRow.initial_of(c) for c in rule.conditions],
            "operations": [OperationRow.initial_of(o) for o in rule.operations],
        }

    def rule_input(self) -> RuleInput:
        data = self.form.cleaned_data
        return RuleInput(
            kind=self.kind,
            name=data["name"],
            description=data["description"],
            event=data.get("event") or "",
            match=data["match"],
            position=data["position"],
            is_active=data["is_active"],
            conditions=[row.condition() for row in self.kept_rows("conditions")],
            operations=[row.operation() for row in self.kept_rows("operations")],
        )


class MacroBuilder(RowsBuilder):
    """A macro: its reply with placeholders and rows of the ticket changes it makes."""

    form_class = MacroForm
    parts = ("operations",)

    def __init__(
        self, data: Any = None, *, macro: Macro | None, initial: dict[str, Any] | None = None
    ) -> None:
        self.macro = macro
        super().__init__(data, initial=initial or self._initial(macro))

    @classmethod
    def redrawn(cls, data: Any, *, macro: Macro | None, add: str = "") -> "MacroBuilder":
        return cls(macro=macro, initial=cls.draft(data, add=add))

    @staticmethod
    def _initial(macro: Macro | None) -> dict[str, Any]:
        if macro is None:
            return {"form": {}, "operations": []}
        return {
            "form": {"name": macro.name, "reply": macro.reply, "is_active": macro.is_active},
            "operations": [OperationRow.initial_of(o) for o in macro.operations],
        }

    def macro_input(self) -> MacroInput:
        data = self.form.cleaned_data
        return MacroInput(
            name=data["name"],
            reply=data["reply"],
            is_active=data["is_active"],
            operations=[row.operation() for row in self.kept_rows("operations")],
        )


def _deleted(row: forms.Form) -> bool:
    return bool(row.cleaned_data.get("DELETE"))
