from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AiConfig(AppConfig):
    name = "okienko.ai"
    label = "ai"
    verbose_name = _("Assistant bot")

    def ready(self) -> None:
        from okienko.ai.first_responder import BotFirstResponder
        from okienko.ai.tasks import answer_customer_message, embed_changed_articles
        from okienko.core.events import subscribe
        from okienko.inboxes.chat.responders import register_first_responder

        subscribe("ticket.created")(answer_customer_message)
        subscribe("ticket.message_added")(answer_customer_message)
        subscribe("kb.article_changed")(embed_changed_articles)
        subscribe("kb.article_deleted")(embed_changed_articles)
        register_first_responder(BotFirstResponder())
