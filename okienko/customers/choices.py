from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    MESSENGER = "messenger", _("Messenger")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    # A web chat visitor, by their conversation: the browser is all we know of them.
    CHAT = "chat", _("Web chat visitor")


class ConsentPurpose(models.TextChoices):
    """What a customer may consent to (and withdraw from at any time)."""

    MARKETING = "marketing", _("Marketing information by e-mail")


# Tiers created on a new install; admins can rename, add or remove them.
DEFAULT_TIERS = [
    ("consumer", "Klient indywidualny (B2C)", 0),
    ("business", "Klient biznesowy (B2B)", 1),
    ("premium", "Klient premium", 2),
    ("mass", "Klient masowy", 3),
]
DEFAULT_TIER_SLUG = "consumer"
