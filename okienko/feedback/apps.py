from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "okienko.feedback"
    label = "feedback"
    verbose_name = _("Customer feedback")

    def ready(self) -> None:
        from okienko.core.events import subscribe
        from okienko.feedback.tasks import survey_solved_ticket

        subscribe("ticket.updated")(survey_solved_ticket)
