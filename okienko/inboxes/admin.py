from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from okienko.core.admin_mixins import ReadOnlyAdmin
from okienko.core.errors import Conflict
from okienko.inboxes.actions import do_reprocess_inbound
from okienko.inboxes.models import InboundItem, Inbox

RAW_PREVIEW_BYTES = 20_000


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "address", "team", "is_default", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(InboundItem)
class InboundItemAdmin(ReadOnlyAdmin):
    list_display = ["id", "received_at", "inbox", "status", "outcome", "sender", "subject", "error"]
    list_filter = ["status", "outcome", "inbox"]
    search_fields = ["sender", "subject", "external_id"]
    exclude = ["raw"]
    readonly_fields = ["raw_preview"]
    actions = ["reprocess"]
    show_full_result_count = False

    @admin.display(description=_("raw message (start)"))
    def raw_preview(self, item: InboundItem) -> str:
        return bytes(item.raw[:RAW_PREVIEW_BYTES]).decode("utf-8", errors="replace")

    @admin.action(description=_("Process the selected quarantined items again"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundItem]) -> None:
        for item in queryset.select_related("inbox"):
            try:
                item = do_reprocess_inbound(item=item, acting_user=request.user)  # type: ignore[arg-type]
            except Conflict as error:
                self.message_user(request, str(error), messages.WARNING)
                continue
            self.message_user(request, f"{item.pk}: {item.status} {item.error}".strip())
