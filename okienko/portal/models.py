from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.customers.models import Customer


class SignInLink(models.Model):
    """A single-use link that signs a customer in to the portal, e-mailed on request.

    Only the SHA-256 digest of the link's token is kept, set when the e-mail is sent (the token
    itself never reaches the database or the task queue); ``used_at`` is set by the one sign-in
    it allows, through a conditional update.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    # The address the link was asked for and sent to (one of the customer's identities).
    email = models.EmailField(max_length=254)
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("portal sign-in link")
        verbose_name_plural = _("portal sign-in links")
        indexes = [models.Index(fields=["created_at"], name="signinlink_created")]

    def __str__(self) -> str:
        return f"sign-in link {self.pk} for customer {self.customer_id}"
