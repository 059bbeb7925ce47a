from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxesConfig(AppConfig):
    name = "okienko.inboxes"
    label = "inboxes"
    verbose_name = _("Inboxes")

    def ready(self) -> None:
        from anymail.signals import inbound

        from okienko.core.events import subscribe, subscribe_batch
        from okienko.core.processes import register_embedded_service
        from okienko.customers.actions import register_merge_handler
        from okienko.inboxes.chat import events as chat_events
        from okienko.inboxes.chat.actions import (
            do_move_chats_to_customer,
            do_return_chats_to_customer,
        )
        from okienko.inboxes.email.watcher import MailWatcher
        from okienko.inboxes.email.webhooks import record_provider_inbound
        from okienko.inboxes.selectors import inbox_id_of_ticket
        from okienko.inboxes.tasks import (
            queue_chat_email_link,
            queue_email_reply,
            queue_processing,
            queue_sending,
        )
        from okienko.sla.selectors import register_inbox_lookup

        subscribe_batch("inbound.received")(queue_processing)
        subscribe("ticket.message_added")(queue_email_reply)
        subscribe("delivery.queued")(queue_sending)
        subscribe("chat.email_link_requested")(queue_chat_email_link)
        register_inbox_lookup(inbox_id_of_ticket)
        register_merge_handler(
            "chat_conversations", do_move_chats_to_customer, undo=do_return_chats_to_customer
        )
        chat_events.register()
        # `okienko serve` watches mailboxes with IMAP IDLE; the scaled layout runs `email watch`.
        register_embedded_service("imap-idle", MailWatcher)
        # The providers' webhooks: the only way in anymail offers is its signal.
        inbound.connect(record_provider_inbound, dispatch_uid="okienko-inbound-email")
