"""Abstract models that several domains build on."""

from django.db import models


class SingleUseLink(models.Model):
    """A link e-mailed to someone that works once, until it expires.

    Only the SHA-256 digest of the link's token is kept, set when the e-mail is sent
    (``core.tokens.send_link_token``); ``used_at`` is set by the one use it allows, through a
    conditional update.
    """

    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
