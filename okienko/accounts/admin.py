from django.contrib import admin
from django.contrib.auth.models import Group

from okienko.accounts.models import Agent, ApiToken, Team
from okienko.core.admin_mixins import ReadOnlyAdmin


@admin.register(Agent)
class AgentAdmin(ReadOnlyAdmin):
    list_display = ["name", "email", "role", "language", "is_active", "last_login"]
    list_filter = ["role", "is_active", "teams"]
    search_fields = ["name", "email"]
    exclude = ["password", "user_permissions", "groups"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    filter_horizontal = ["members"]
    search_fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "agent", "name", "created_at", "last_used_at", "revoked_at"]
    exclude = ["digest"]


# Access is decided by roles (admin, supervisor, agent), not by Django's permission groups.
admin.site.unregister(Group)
