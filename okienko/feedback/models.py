from django.db import models
from django.utils.translation import gettext_lazy as _


class CsatSurvey(models.Model):
    """The satisfaction question a customer gets once their ticket is solved, and their answer."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="csat_survey"
    )
    email = models.EmailField(_("sent to"))
    # SHA-256 of the secret in the survey link: the database alone cannot answer for anyone.
    token_digest = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent"))
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, default="")
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="csat_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"CSAT #{self.ticket_id}: {self.rating or '—'}"
