from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.customers.choices import ConsentPurpose, IdentityKind


class Tier(models.Model):
    """A customer segment with its own service promise (e.g. premium answered at once)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("customer tier")
        verbose_name_plural = _("customer tiers")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A company a customer belongs to; B2B customers are served as their organisation."""

    name = models.CharField(_("name"), max_length=200)
    # Polish tax id, ten digits without separators; empty for organisations abroad.
    nip = models.CharField(_("NIP"), max_length=10, blank=True, default="")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True)
    domain = models.CharField(_("e-mail domain"), max_length=200, blank=True, default="")
    # Lets every member of the organisation see each other's tickets in the portal.
    is_shared_tickets = models.BooleanField(default=False)
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["nip"], condition=~models.Q(nip=""), name="organisation_nip_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A person who contacts the company, through any number of channels (identities)."""

    name = models.CharField(_("name"), max_length=200, blank=True, default="")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="pl")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="customers")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="customers"
    )
    notes = models.TextField(blank=True, default="")
    # Set when this customer was merged into another; merged customers stay for the record.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_customers"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class Identity(models.Model):
    """One address a customer is reachable at: an e-mail, a phone number, a messenger id."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=20, choices=IdentityKind.choices)
    # Normalised (lower-cased e-mail, E.164-like phone) so matching is an exact lookup.
    address = models.CharField(max_length=254)
    is_verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        ordering = ["kind", "address"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "address"], name="identity_kind_address_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.address}"


class Consent(models.Model):
    """One answer a customer gave to a consent question, given or withdrawn, kept as it was
    given: the wording they saw, where and when. The newest answer for a purpose is the one in
    force; the older ones stay, the record a controller must be able to show (RODO art. 7)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    is_given = models.BooleanField()
    # The wording as the customer was shown it, when they gave the consent.
    text = models.TextField(blank=True, default="")
    # Where the answer came from: a channel, and that channel's own reference to the place
    # (e.g. "chat" and the conversation's number).
    source = models.CharField(max_length=40)
    source_reference = models.CharField(max_length=100, blank=True, default="")
    recorded_at = models.DateTimeField()
    # The agent who recorded an answer the customer gave them; None: the customer gave it.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "purpose", "recorded_at"], name="consent_in_force")
        ]

    def __str__(self) -> str:
        state = "given" if self.is_given else "withdrawn"
        return f"{self.purpose} {state} by customer {self.customer_id}"


class CustomerMerge(models.Model):
    """The record of one customer merged into another: what moved, so it can be undone."""

    source = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    moved_identity_ids = models.JSONField(default=list)
    # The rows other domains moved (tickets, chat conversations...): their ids by the name
    # each domain's merge handler is registered under, so an undo moves exactly those back.
    moved_ids = models.JSONField(default=dict)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the merge was undone: what moved went back to the source.
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")

    def __str__(self) -> str:
        return f"customer {self.source_id} merged into {self.target_id}"

    @property
    def moved_ticket_ids(self) -> list[int]:
        return list(self.moved_ids.get("tickets", []))
