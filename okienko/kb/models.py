from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okienko.kb.choices import ArticleStatus, Visibility

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #1f5fbf."))


class Category(models.Model):
    """A group of articles in the help center (orders, delivery, returns...).

    ``name`` and ``description`` are in the default language; ``translations`` holds the
    other languages as ``{"en": {"name": ..., "description": ...}}``."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("knowledge-base category")
        verbose_name_plural = _("knowledge-base categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One language version of a knowledge-base article.

    Translations of an article point at its original through ``source``; the original's own
    ``source`` is empty. The Markdown ``body`` is rendered (and sanitised) when shown."""

    # Empty only for a draft (e.g. captured from a ticket reply): publishing needs one.
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("category"),
    )
    language = models.CharField(_("language"), max_length=8, default="pl")
    slug = models.SlugField(_("slug"), max_length=150, allow_unicode=False)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related articles"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kb_articles",
        verbose_name=_("owner"),
    )
    review_due = models.DateField(_("review due"), null=True, blank=True)
    # The due date a reminder went out for, so the daily sweep reminds once per due date.
    review_reminded_for = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    views = models.PositiveIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("helpful"), default=0)
    not_helpful_count = models.PositiveIntegerField(_("not helpful"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="kb_article_language_slug"),
            models.UniqueConstraint(
                fields=["source", "language"], name="kb_article_one_translation_per_language"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "visibility", "language"], name="kb_article_public"),
            models.Index(fields=["review_due"], name="kb_article_review_due"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    @property
    def group_id(self) -> int:
        """The id shared by an article and all its translations: the original's."""
        return self.source_id or self.pk

    @property
    def is_outdated(self) -> bool:
        return self.review_due is not None and self.review_due <= timezone.localdate()


class ArticleVersion(models.Model):
    """An article's title and body as one edit left them; every edit adds one."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


def _attachment_path(instance: "ArticleAttachment", filename: str) -> str:
    return f"kb/{timezone.now():%Y/%m}/{filename}"


class ArticleAttachment(models.Model):
    """An image or file an article shows or links to."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")

    def __str__(self) -> str:
        return self.filename


class ArticleFeedback(models.Model):
    """A reader's answer to "did this help?", with an optional comment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    is_helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        indexes = [models.Index(fields=["article", "-id"], name="kb_feedback_article")]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.is_helpful else '-'}"


class Brand(models.Model):
    """How the public help center looks: name, logo and colours (one row, edited by admins)."""

    name = models.CharField(_("name"), max_length=100, default="Okienko")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.FileField(_("logo"), upload_to="kb/brand/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1f5fbf", validators=[HEX_COLOUR]
    )
    header_colour = models.CharField(
        _("header colour"), max_length=7, default="#ffffff", validators=[HEX_COLOUR]
    )

    class Meta:
        verbose_name = _("help-center brand")
        verbose_name_plural = _("help-center brand")

    def __str__(self) -> str:
        return self.name


class DeflectionAttempt(models.Model):
    """A new request a customer was writing in the portal when they opened an article the
    portal suggested for it; whether they still submitted the request.

    ``key`` is the random key of that one request form; ``submitted_at`` is set when the form
    was submitted after all. An attempt not submitted for a while counts as deflected: the
    article answered the question (see ``selectors.deflection_rate``)."""

    key = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    # The last suggested article opened.
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    articles_opened = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("deflection attempt")
        verbose_name_plural = _("deflection attempts")
        indexes = [models.Index(fields=["opened_at"], name="kb_deflection_opened")]

    def __str__(self) -> str:
        return f"{self.key}: {'submitted' if self.submitted_at else 'not submitted'}"
