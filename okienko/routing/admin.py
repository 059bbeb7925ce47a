from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from okienko.routing.choices import SkillKind
from okienko.routing.models import AgentRouting, Skill, TeamRouting


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "value"]
    list_filter = ["kind"]


@admin.register(AgentRouting)
class AgentRoutingAdmin(admin.ModelAdmin):
    list_display = ["agent", "presence", "capacity", "last_seen_at"]
    list_filter = ["presence"]
    fields = ["agent", "capacity", "skills", "presence", "last_seen_at"]
    readonly_fields = ["presence", "last_seen_at"]
    filter_horizontal = ["skills"]


class TeamRoutingForm(forms.ModelForm):
    skill_kinds = forms.MultipleChoiceField(
        label=_("route by skills"),
        choices=SkillKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A ticket goes only to an agent with these skills"),
    )

    class Meta:
        model = TeamRouting
        fields = [
            "team",
            "strategy",
            "skill_kinds",
            "rebalance_when_offline",
            "escalation_team",
            "escalate_on_breach",
        ]

    def clean_skill_kinds(self) -> list[Any]:
        return list(self.cleaned_data["skill_kinds"])


@admin.register(TeamRouting)
class TeamRoutingAdmin(admin.ModelAdmin):
    form = TeamRoutingForm
    list_display = ["team", "strategy", "escalation_team", "escalate_on_breach"]
