from django.contrib import admin

from okienko.ai.models import InboxBot


@admin.register(InboxBot)
class InboxBotAdmin(admin.ModelAdmin):
    list_display = ["inbox", "is_enabled", "hand_off_team"]
    list_filter = ["is_enabled"]
