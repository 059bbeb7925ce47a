"""Admin pages for business calendars and SLA policies, in words rather than JSON: opening hours
as "08:00-16:00" per weekday, conditions as choices. Saving goes through the SLA actions, so
open tickets get their deadlines recomputed."""

from typing import Any

from django import forms
from django.contrib import admin
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okienko.core.errors import InvalidInput
from okienko.customers.models import Organisation, Tier
from okienko.inboxes.models import Inbox
from okienko.sla.actions import (
    CalendarInput,
    PolicyInput,
    TargetInput,
    do_save_calendar,
    do_save_policy,
    validate_calendar,
)
from okienko.sla.models import Calendar, Policy, PolicyTarget
from okienko.tickets.choices import Channel, Priority
from okienko.tickets.models import Category

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
HOURS_HELP = _(
    'e.g. "08:00-16:00" or "08:00-12:00, 13:00-17:00"; "00:00-24:00" all day; empty: closed'
)


def _parse_intervals(text: str) -> list[list[str]]:
    intervals = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        start, separator, end = part.partition("-")
        if not separator:
            raise forms.ValidationError(_("Write hours as 08:00-16:00"))
        end = end.strip()
        intervals.append([start.strip(), "00:00" if end == "24:00" else end])
    return intervals


def _format_intervals(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{'24:00' if end == '00:00' else end}" for start, end in intervals)


def _lines(text: str) -> list[tuple[str, str]]:
    """ "2026-12-31 rest of the line" lines as (date, rest)."""
    pairs = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        date, _space, rest = line.partition(" ")
        pairs.append((date, rest.strip()))
    return pairs


def _day_field(weekday: int) -> forms.CharField:
    return forms.CharField(
        label=WEEKDAYS[weekday], required=False, help_text=HOURS_HELP if weekday == 0 else ""
    )


class CalendarForm(forms.ModelForm):
    day_0 = _day_field(0)
    day_1 = _day_field(1)
    day_2 = _day_field(2)
    day_3 = _day_field(3)
    day_4 = _day_field(4)
    day_5 = _day_field(5)
    day_6 = _day_field(6)
    closed_days_text = forms.CharField(
        label=_("closed days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('One per line: "2026-12-31 Inventory"; public holidays need no entry'),
    )
    open_days_text = forms.CharField(
        label=_("extra working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('One per line: "2026-11-14 08:00-16:00"'),
    )

    class Meta:
        model = Calendar
        fields = ["name", "time_zone", "country", "is_default"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.hours if self.instance.pk else {}
        for weekday in range(7):
            intervals = hours.get(str(weekday), [])
            if not self.instance.pk:
                intervals = [["08:00", "16:00"]] if weekday < 5 else []
            self.fields[f"day_{weekday}"].initial = _format_intervals(intervals)
        self.fields["closed_days_text"].initial = "\n".join(
            f"{day['date']} {day.get('name', '')}".strip() for day in self.instance.closed_days
        )
        self.fields["open_days_text"].initial = "\n".join(
            f"{day['date']} {_format_intervals(day['hours'])}" for day in self.instance.open_days
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hours = {}
        for weekday in range(7):
            try:
                intervals = _parse_intervals(cleaned.get(f"day_{weekday}", ""))
            except forms.ValidationError as error:
                self.add_error(f"day_{weekday}", error)
                continue
            if intervals:
                hours[str(weekday)] = intervals
        try:
            open_days = [
                {"date": date, "hours": _parse_intervals(rest)}
                for date, rest in _lines(cleaned.get("open_days_text", ""))
            ]
        except forms.ValidationError as error:
            self.add_error("open_days_text", error)
            return cleaned
        closed_days = [
            {"date": date, "name": rest}
            for date, rest in _lines(cleaned.get("closed_days_text", ""))
        ]
        self.calendar_input = CalendarInput(
            name=cleaned.get("name", ""),
            time_zone=cleaned.get("time_zone", ""),
            country=cleaned.get("country", ""),
            hours=hours,
            closed_days=closed_days,
            open_days=open_days,
            is_default=cleaned.get("is_default", False),
        )
        candidate = Calendar(
            time_zone=self.calendar_input.time_zone,
            country=self.calendar_input.country,
            hours=hours,
            closed_days=closed_days,
            open_days=open_days,
        )
        try:
            validate_calendar(candidate)
        except InvalidInput as error:
            raise forms.ValidationError(error.detail) from error
        return cleaned


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "time_zone", "country", "is_default"]

    fieldsets = [
        (None, {"fields": ["name", "time_zone", "country", "is_default"]}),
        (_("Opening hours"), {"fields": [f"day_{weekday}" for weekday in range(7)]}),
        (_("Exceptions"), {"fields": ["closed_days_text", "open_days_text"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Calendar, form: Any, change: bool) -> None:
        saved = do_save_calendar(data=form.calendar_input, calendar=obj if change else None)
        obj.pk = saved.pk


class TargetFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            minutes = form.cleaned_data.get("minutes")
            if minutes is not None and minutes < 1 and not form.cleaned_data.get("DELETE"):
                form.add_error("minutes", _("At least one minute"))


class TargetInline(admin.TabularInline):
    model = PolicyTarget
    formset = TargetFormSet
    fields = ["priority", "metric", "minutes", "business_hours"]
    extra = 3


class PolicyForm(forms.ModelForm):
    """Conditions as choices; an empty choice matches every ticket."""

    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=Channel.choices, required=False
    )
    priorities = forms.MultipleChoiceField(
        label=_("priorities"), choices=Priority.choices, required=False
    )
    tiers = forms.ModelMultipleChoiceField(
        label=_("customer tiers"), queryset=Tier.objects.all(), required=False
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("organisations"), queryset=Organisation.objects.all(), required=False
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("categories (with their subcategories)"),
        queryset=Category.objects.all(),
        required=False,
    )
    tags = forms.CharField(
        label=_("tags"), required=False, help_text=_("Comma-separated; any of them matches")
    )
    inboxes = forms.ModelMultipleChoiceField(
        label=_("inboxes"), queryset=Inbox.objects.all(), required=False
    )

    class Meta:
        model = Policy
        fields = ["name", "description", "position", "is_active", "calendar", "warn_percent"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        conditions = self.instance.conditions or {}
        self.fields["channels"].initial = conditions.get("channel", [])
        self.fields["priorities"].initial = conditions.get("priority", [])
        self.fields["tiers"].initial = Tier.objects.filter(slug__in=conditions.get("tier", []))
        self.fields["organisations"].initial = conditions.get("organisation", [])
        self.fields["categories"].initial = conditions.get("category", [])
        self.fields["tags"].initial = ", ".join(conditions.get("tag", []))
        self.fields["inboxes"].initial = conditions.get("inbox", [])
        self.fields["calendar"].initial = Calendar.objects.filter(is_default=True).first()

    def conditions(self) -> dict[str, list[Any]]:
        data = self.cleaned_data
        values: dict[str, list[Any]] = {
            "channel": list(data["channels"]),
            "priority": list(data["priorities"]),
            "tier": [tier.slug for tier in data["tiers"]],
            "organisation": [organisation.pk for organisation in data["organisations"]],
            "category": [category.pk for category in data["categories"]],
            "tag": [tag.strip() for tag in data["tags"].split(",") if tag.strip()],
            "inbox": [inbox.pk for inbox in data["inboxes"]],
        }
        return {name: accepted for name, accepted in values.items() if accepted}


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    inlines = [TargetInline]
    list_display = ["name", "position", "is_active", "calendar", "warn_percent"]
    list_editable = ["position", "is_active"]
    fieldsets = [
        (None, {"fields": ["name", "description", "position", "is_active"]}),
        (
            _("Applies to tickets with (empty: any)"),
            {
                "fields": [
                    "channels",
                    "priorities",
                    "tiers",
                    "organisations",
                    "categories",
                    "tags",
                    "inboxes",
                ]
            },
        ),
        (_("How time counts"), {"fields": ["calendar", "warn_percent"]}),
    ]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        policy = form.instance
        do_save_policy(
            policy=policy,
            data=PolicyInput(
                name=policy.name,
                description=policy.description,
                position=policy.position,
                is_active=policy.is_active,
                conditions=form.conditions(),
                calendar=policy.calendar,
                warn_percent=policy.warn_percent,
                targets=[
                    TargetInput(
                        priority=target.priority,
                        metric=target.metric,
                        minutes=target.minutes,
                        business_hours=target.business_hours,
                    )
                    for target in policy.targets.all()
                ],
            ),
        )
