"""Forms of the admin's settings pages: they parse and validate input; actions do the work."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.choices import Role
from okienko.accounts.models import Agent, Team
from okienko.accounts.selectors import teams
from okienko.customers.models import Tier
from okienko.tickets.choices import CustomFieldType
from okienko.tickets.models import Category, CustomField, Tag
from okienko.tickets.selectors import categories
from okienko.workspace.forms import narrow


class FirstAccess(models.TextChoices):
    """How a new agent gets their first password."""

    INVITE = "invite", _("E-mail an invitation: the agent sets their own password")
    SET_NOW = "set_now", _("Set a first password now")


class AgentForm(forms.Form):
    """An agent as the admin sets them up: a new one, invited by e-mail to set their password
    or given a first password, or an existing one's role, teams and whether they may sign in."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="pl")
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    access = forms.ChoiceField(
        label=_("Password"),
        choices=FirstAccess.choices,
        initial=FirstAccess.INVITE,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("First password (tell it to the agent; they change it after signing in)"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        required=False,
    )
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)

    def __init__(self, *args: Any, agent: Agent | None, **kwargs: Any) -> None:
        if agent is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": agent.name,
                    "email": agent.email,
                    "role": agent.role,
                    "language": agent.language,
                    "teams": [team.pk for team in agent.teams.all()],
                    "is_active": agent.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        narrow(self.fields["teams"], teams().prefetch_related(None))
        if agent is None:
            del self.fields["is_active"]
        else:
            # The e-mail is the sign-in name; a password is the agent's own to change.
            del self.fields["email"]
            del self.fields["access"]
            del self.fields["password"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("access") != FirstAccess.SET_NOW:
            data["password"] = None
        elif not data.get("password"):
            self.add_error("password", _("Type the first password, or send an invitation."))
        else:
            try:
                validate_password(data["password"])
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data

    @property
    def is_invitation(self) -> bool:
        return self.cleaned_data.get("access") == FirstAccess.INVITE

    def changes(self, agent: Agent) -> dict[str, Any]:
        """What differs from ``agent`` as it is, for ``do_update_agent``."""
        data = self.cleaned_data
        changes = {
            field: data[field]
            for field in ("name", "role", "language", "is_active")
            if data[field] != getattr(agent, field)
        }
        if {team.pk for team in data["teams"]} != {team.pk for team in agent.teams.all()}:
            changes["teams"] = list(data["teams"])
        return changes


class InvitationPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """The invited agent's first password, twice; the password rules as one line of help (the
    default is a list, which does not sit in a field's help paragraph)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())


class NameForm(forms.Form):
    """Just a name: a new team, or another name for one."""

    name = forms.CharField(label=_("Name"), max_length=100)


class ReplacementForm(forms.Form):
    """What takes the place of an item that goes: another of the same kind (a tag to merge
    into, a tier or category for what is in the one removed)."""

    replacement = forms.ModelChoiceField(
        label=_("Move to"), queryset=Tag.objects.none(), required=False, empty_label="—"
    )

    def __init__(
        self,
        *args: Any,
        replacements: QuerySet[Any],
        required: bool = False,
        label: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["replacement"]
        narrow(field, replacements)
        field.required = required
        field.label = label or field.label


class TierForm(forms.Form):
    """A customer tier; its slug is set once."""

    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.SlugField(label=_("Short name (in rules and SLA policies)"), max_length=50)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1000, initial=0)

    def __init__(self, *args: Any, instance: Tier | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {"name": instance.name, "position": instance.position})
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["slug"]


class CategoryForm(forms.Form):
    """A ticket category, optionally under another."""

    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("Under"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("— top level —"),
    )

    def __init__(self, *args: Any, instance: Category | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {"name": instance.name, "parent": instance.parent_id})
        super().__init__(*args, **kwargs)
        others = categories().exclude(pk=instance.pk) if instance is not None else categories()
        narrow(self.fields["parent"], others)


class CustomFieldForm(forms.Form):
    """A ticket custom field; its key and type are set once."""

    label = forms.CharField(label=_("Label"), max_length=100)
    key = forms.SlugField(label=_("Key (in the API and rules)"), max_length=64)
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)
    choices = forms.CharField(
        label=_("Choices, one per line (for the Choice type)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    is_required_to_solve = forms.BooleanField(
        label=_("Must be filled in before the ticket is solved"), required=False
    )

    def __init__(self, *args: Any, instance: CustomField | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "label": instance.label,
                    "choices": "\n".join(instance.choices),
                    "is_required_to_solve": instance.is_required_to_solve,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["key"]
            del self.fields["field_type"]

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class InboxBotForm(forms.Form):
    """The bot of one chat inbox: whether it answers first, below which confidence it offers a
    person instead, and which team takes what it hands over."""

    is_enabled = forms.BooleanField(label=_("The bot answers first"), required=False)
    confidence_threshold = forms.FloatField(
        label=_("Confidence threshold"),
        required=False,
        min_value=0.0,
        max_value=1.0,
        help_text=_(
            "From 0 to 1: below it the bot offers a person instead of an article. "
            "Empty: the default tuned on the demo help center."
        ),
    )
    hand_off_team = forms.ModelChoiceField(
        label=_("Team that takes handed-off chats"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("The inbox's team"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        narrow(self.fields["hand_off_team"], teams())


class LanguageModelForm(forms.Form):
    """The optional language model that phrases the bot's answers; the key is write-only."""

    is_enabled = forms.BooleanField(
        label=_("Phrase the bot's answers with a language model"), required=False
    )
    base_url = forms.URLField(
        label=_("Endpoint"),
        assume_scheme="http",
        widget=forms.TextInput(attrs={"inputmode": "url"}),
        help_text=_("OpenAI-compatible API root, e.g. a local Ollama; /chat/completions is added."),
    )
    model = forms.CharField(label=_("Model"), max_length=200)
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput,
        help_text=_("Leave empty to keep the stored key."),
    )
    timeout_seconds = forms.IntegerField(label=_("Timeout (seconds)"), min_value=1, max_value=120)
