from django.contrib import admin

from okienko.core.admin_mixins import ReadOnlyAdmin, ReadOnlyInline
from okienko.tickets.models import Category, CustomField, Message, Tag, Ticket, TicketEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "field_type", "is_required_to_solve"]


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "author_kind", "author_agent", "direction", "is_public", "text"]
    fk_name = "ticket"


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "field", "old_value", "new_value", "actor_agent", "rule"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "subject",
        "status",
        "priority",
        "channel",
        "requester",
        "assignee",
        "team",
        "created_at",
    ]
    list_display_links = ["id", "subject"]
    list_filter = ["status", "priority", "channel", "team", "category"]
    search_fields = ["subject"]
    list_select_related = ["requester", "assignee", "team"]
    inlines = [MessageInline, TicketEventInline]
    show_full_result_count = False
