from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okienko.ai.models import InboxBot, LanguageModelCall, LanguageModelSettings
from okienko.core.admin_mixins import ReadOnlyAdmin


@admin.register(InboxBot)
class InboxBotAdmin(admin.ModelAdmin):
    list_display = ["inbox", "is_enabled", "hand_off_team"]
    list_filter = ["is_enabled"]


class LanguageModelSettingsForm(forms.ModelForm):
    """The key is write-only: shown empty, and an empty field keeps the stored one."""

    api_key = forms.CharField(label=_("API key"), required=False, widget=forms.PasswordInput)
    # A local model usually answers over plain http on the same machine.
    base_url = forms.URLField(
        label=_("endpoint"),
        assume_scheme="http",
        help_text=_("OpenAI-compatible API root; /chat/completions is added."),
    )

    class Meta:
        model = LanguageModelSettings
        fields = ["is_enabled", "base_url", "model", "api_key", "timeout_seconds"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("api_key") and self.instance.pk:
            cleaned["api_key"] = self.instance.api_key
        return cleaned


@admin.register(LanguageModelSettings)
class LanguageModelSettingsAdmin(admin.ModelAdmin):
    form = LanguageModelSettingsForm
    list_display = ["model", "base_url", "is_enabled"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One model for the bot: the first row is the setting.
        return not LanguageModelSettings.objects.exists()


@admin.register(LanguageModelCall)
class LanguageModelCallAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ticket", "model", "duration_ms", "error"]
    search_fields = ["answer", "error"]
    date_hierarchy = "created_at"
