"""Forms of the knowledge-base pages in the workspace: they parse; the kb actions do the work."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from okienko.accounts.selectors import assignable_agents
from okienko.kb.choices import ArticleStatus, Visibility
from okienko.kb.models import Article
from okienko.kb.selectors import categories
from okienko.workspace.forms import AgentChoiceField


class ArticleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.language})"


class ArticleForm(forms.Form):
    """An article's text and settings as the editor shows them."""

    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Address (slug)"),
        max_length=150,
        required=False,
        help_text=_("Made from the title when empty"),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=categories(), required=False, empty_label="—"
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    owner = AgentChoiceField(label=_("Owner"), queryset=assignable_agents(None), required=False)
    review_due = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22, "class": "markdown-input", "spellcheck": "true"}),
        help_text=_(
            "**bold**, *italic*, ## heading, - list, [text](address), [[slug]] links an article"
        ),
    )
    related = ArticleChoiceField(
        label=_("Related articles"),
        queryset=Article.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, article: Article | None = None, **kwargs: Any) -> None:
        if article is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": article.title,
                "slug": article.slug,
                "language": article.language,
                "category": article.category_id,
                "visibility": article.visibility,
                "owner": article.owner_id,
                "review_due": article.review_due,
                "body": article.body,
                "related": [other.pk for other in article.related.all()],
                "version": article.version,
            }
        super().__init__(*args, **kwargs)
        others = Article.objects.exclude(status=ArticleStatus.ARCHIVED).order_by("title")
        if article is not None:
            others = others.exclude(pk=article.pk)
        self.fields["related"].queryset = others  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "slug": data["slug"] or data["title"],
            "language": data["language"],
            "category": data["category"],
            "visibility": data["visibility"],
            "owner": data["owner"],
            "review_due": data["review_due"],
            "body": data["body"],
            "related": list(data["related"]),
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Image or file"))


class ArticleListForm(forms.Form):
    """The filters of the article list."""

    q = forms.CharField(label=_("Title"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any")), *ArticleStatus.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=categories(), required=False, empty_label=_("any")
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("any")), *settings.LANGUAGES], required=False
    )
    outdated = forms.BooleanField(label=_("Due for review"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", _("anyone")),
            ("none", _("nobody")),
            *[(str(agent.pk), agent.name) for agent in assignable_agents(None)],
        ]

    def owner_id(self) -> int | None:
        owner = self.cleaned_data.get("owner") or ""
        if owner == "none":
            return 0
        return int(owner) if owner.isdigit() else None
