from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.core.models import SingleUseLink
from okienko.customers.models import Customer


class SignInLink(SingleUseLink):
    """A single-use link that signs a customer in to the portal, e-mailed on request."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    # The address the link was asked for and sent to (one of the customer's identities).
    email = models.EmailField(max_length=254)

    class Meta:
        verbose_name = _("portal sign-in link")
        verbose_name_plural = _("portal sign-in links")
        indexes = [models.Index(fields=["created_at"], name="signinlink_created")]

    def __str__(self) -> str:
        return f"sign-in link {self.pk} for customer {self.customer_id}"
