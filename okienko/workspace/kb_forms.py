"""Forms of the knowledge-base pages in the workspace: they parse; the kb actions do the work."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from okienko.accounts.selectors import assignable_agents
from okienko.kb.choices import ArticleStatus, Visibility
from okienko.kb.documents import CategoryInput
from okienko.kb.models import Article, Category
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


def language_name(code: str) -> str:
    """The language's name in the language of the page: "angielski" on a Polish page."""
    return str(translation.get_language_info(code)["name_translated"])


class KbCategoryForm(forms.Form):
    """A help-center category: its name and description in the default language and in each
    other one, its address and its place in the order."""

    slug = forms.SlugField(
        label=_("Address (slug)"),
        max_length=100,
        required=False,
        help_text=_("Made from the name when empty"),
    )
    position = forms.IntegerField(
        label=_("Position"), min_value=0, initial=0, help_text=_("Lower comes first")
    )

    def __init__(self, *args: Any, category: Category | None = None, **kwargs: Any) -> None:
        default = settings.LANGUAGE_CODE
        self.other_languages = [code for code, _name in settings.LANGUAGES if code != default]
        if category is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {
                "slug": category.slug,
                "position": category.position,
                f"name_{default}": category.name,
                f"description_{default}": category.description,
            }
            for code in self.other_languages:
                text = category.translations.get(code) or {}
                initial[f"name_{code}"] = text.get("name", "")
                initial[f"description_{code}"] = text.get("description", "")
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for code in [default, *self.other_languages]:
            language = language_name(code)
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": language},
                max_length=100,
                required=code == default,
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": language},
                max_length=300,
                required=False,
            )
        self.order_fields(
            [
                *(
                    f"{part}_{code}"
                    for code in [default, *self.other_languages]
                    for part in ("name", "description")
                ),
                "slug",
                "position",
            ]
        )

    def category_input(self) -> CategoryInput:
        data = self.cleaned_data
        default = settings.LANGUAGE_CODE
        return CategoryInput(
            slug=data["slug"],
            name=data[f"name_{default}"],
            description=data[f"description_{default}"],
            position=data["position"],
            translations={
                code: {"name": data[f"name_{code}"], "description": data[f"description_{code}"]}
                for code in self.other_languages
                if data[f"name_{code}"] or data[f"description_{code}"]
            },
        )
