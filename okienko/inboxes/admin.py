from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from okienko.core.admin_mixins import ReadOnlyAdmin
from okienko.core.errors import Conflict
from okienko.inboxes.actions import do_reprocess_inbound, do_set_up_chat_widget
from okienko.inboxes.choices import InboxKind
from okienko.inboxes.email.imap import ImapError, check_connection
from okienko.inboxes.models import (
    EMAIL_ACCOUNT_SECRETS,
    ChatWidget,
    EmailAccount,
    InboundItem,
    Inbox,
)
from okienko.inboxes.selectors import email_account_of

RAW_PREVIEW_BYTES = 20_000


class EmailAccountForm(forms.ModelForm):
    """Passwords are write-only: shown empty, and an empty field keeps the stored one."""

    imap_password = forms.CharField(
        label=_("IMAP password"), required=False, widget=forms.PasswordInput
    )
    smtp_password = forms.CharField(
        label=_("SMTP password"), required=False, widget=forms.PasswordInput
    )
    imap_oauth_token = forms.CharField(
        label=_("OAuth2 access token"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Logs in to IMAP and SMTP (XOAUTH2) instead of the passwords."),
    )
    oauth_token_url = forms.URLField(
        label=_("OAuth2 token endpoint"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("e.g. https://oauth2.googleapis.com/token"),
    )
    oauth_client_secret = forms.CharField(
        label=_("OAuth2 client secret"), required=False, widget=forms.PasswordInput
    )
    oauth_refresh_token = forms.CharField(
        label=_("OAuth2 refresh token"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_(
            "With the token endpoint, client ID and secret of your provider's app (Google, "
            "Microsoft 365), the access token is renewed automatically before it expires."
        ),
    )

    class Meta:
        model = EmailAccount
        fields = [
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_username",
            "imap_password",
            "imap_oauth_token",
            "oauth_token_url",
            "oauth_client_id",
            "oauth_client_secret",
            "oauth_refresh_token",
            "imap_folder",
            "imap_archive_folder",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_username",
            "smtp_password",
            "sends_acknowledgement",
            "signature",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field in EMAIL_ACCOUNT_SECRETS:
            if not cleaned.get(field) and self.instance.pk:
                cleaned[field] = getattr(self.instance, field)
        return cleaned


class EmailAccountInline(admin.StackedInline):
    model = EmailAccount
    form = EmailAccountForm
    can_delete = False
    # One blank account form on a new inbox; an inbox has at most one.
    extra = 1
    max_num = 1
    readonly_fields = [
        "imap_last_uid",
        "imap_last_error",
        "imap_checked_at",
        "imap_oauth_expires_at",
    ]
    fieldsets = [
        (
            _("Fetching (IMAP)"),
            {
                "fields": [
                    ("imap_host", "imap_port", "imap_security"),
                    ("imap_username", "imap_password"),
                    ("imap_oauth_token", "imap_oauth_expires_at"),
                    ("oauth_token_url", "oauth_client_id"),
                    ("oauth_client_secret", "oauth_refresh_token"),
                    ("imap_folder", "imap_archive_folder"),
                    ("imap_checked_at", "imap_last_uid", "imap_last_error"),
                ]
            },
        ),
        (
            _("Sending (SMTP)"),
            {
                "fields": [
                    ("smtp_host", "smtp_port", "smtp_security"),
                    ("smtp_username", "smtp_password"),
                    "sends_acknowledgement",
                    "signature",
                ]
            },
        ),
    ]


class ChatWidgetInline(admin.StackedInline):
    """A web chat inbox's widget: how it looks, what it asks, where it may run, how to embed it."""

    model = ChatWidget
    can_delete = False
    extra = 1
    max_num = 1
    fields = [
        "brand_colour",
        "greeting_pl",
        "greeting_en",
        "asks_for_details",
        "offers_marketing_consent",
        "allowed_origins",
        "embed_code",
        "try_link",
    ]
    readonly_fields = ["embed_code", "try_link"]

    @admin.display(description=_("embed code"))
    def embed_code(self, widget: ChatWidget) -> str:
        if not widget.pk:
            return "—"
        return (
            f'<script src="{settings.PUBLIC_URL}{static("chat/widget.js")}" '
            f'data-okienko-chat="{widget.public_key}" async></script>'
        )

    @admin.display(description=_("try it"))
    def try_link(self, widget: ChatWidget) -> str:
        if not widget.pk:
            return "—"
        url = reverse("chat:try", args=[widget.public_key])
        return format_html('<a href="{}" target="_blank">{}</a>', url, url)


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "address", "team", "is_default", "is_active"]
    list_filter = ["kind", "is_active"]
    inlines = [EmailAccountInline, ChatWidgetInline]

    def get_inlines(self, request: HttpRequest, obj: Inbox | None) -> list[type[Any]]:
        # An inbox shows the settings of its own kind (a new one those of a mailbox).
        if obj is not None and obj.kind == InboxKind.CHAT:
            return [ChatWidgetInline]
        return [EmailAccountInline]

    actions = ["test_connection"]

    def save_model(self, request: HttpRequest, obj: Inbox, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # A new inbox's form shows no widget section (its kind was not chosen yet): a chat
            # inbox gets its widget now, working from this first save.
            do_set_up_chat_widget(inbox=obj)

    @admin.action(description=_("Test the mailbox connection (IMAP)"))
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Inbox]) -> None:
        for inbox in queryset:
            account = email_account_of(inbox)
            if account is None or not account.imap_host:
                self.message_user(request, f"{inbox}: " + _("no IMAP server set"), messages.WARNING)
                continue
            try:
                summary = check_connection(account)
            except ImapError as error:
                self.message_user(request, f"{inbox}: {error}", messages.ERROR)
                continue
            self.message_user(request, f"{inbox}: {summary}", messages.SUCCESS)


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
