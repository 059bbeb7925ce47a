"""Forms of the agent workspace: they parse and validate input; actions do the work."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Agent, Team
from okienko.accounts.selectors import agents, assignable_agents, teams
from okienko.automation.placeholders import gaps
from okienko.customers.models import Tier
from okienko.customers.selectors import tiers
from okienko.notifications.selectors import Preference
from okienko.tickets.actions import AttachmentInput
from okienko.tickets.choices import Channel, Priority, Status, ViewAudience
from okienko.tickets.models import Category, SavedView, Ticket
from okienko.tickets.selectors import ASSIGNEE_ME, ASSIGNEE_NOBODY, categories

MAX_CALL_MINUTES = 600


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that accepts several files and cleans to a list of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_clean(item, initial) for item in data]
        return [single_clean(data, initial)] if data else []


class AgentChoiceField(forms.ModelChoiceField):
    """Agents listed by name (their ``str`` adds the e-mail)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MessageForm(forms.Form):
    """The composer: a public reply (optionally setting the status) or an internal note."""

    REPLY = "reply"
    NOTE = "note"

    kind = forms.ChoiceField(
        label=_("Message type"),
        choices=[(REPLY, _("Public reply")), (NOTE, _("Internal note"))],
        initial=REPLY,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), strip=True)
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    status_after = forms.ChoiceField(
        label=_("Then set the status"),
        choices=[
            ("", ""),
            (Status.PENDING, Status.PENDING.label),
            (Status.SOLVED, Status.SOLVED.label),
        ],
        required=False,
    )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if missing := gaps(text):
            raise forms.ValidationError(
                _("Fill in what the macro could not: %(missing)s") % {"missing": ", ".join(missing)}
            )
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == self.NOTE and cleaned.get("status_after"):
            raise forms.ValidationError(_("The status is set together with a public reply only."))
        return cleaned

    def attachment_inputs(self) -> list[AttachmentInput]:
        """The uploaded files in the shape the ticket actions take."""
        return [
            AttachmentInput(
                filename=upload.name or "attachment",
                content_type=upload.content_type or "application/octet-stream",
                content=upload.read(),
            )
            for upload in self.cleaned_data["attachments"]
        ]


class PropertiesForm(forms.Form):
    """Status, priority, assignee and team of a ticket, changed in one click each."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    assignee = AgentChoiceField(
        label=_("Assignee"),
        queryset=Agent.objects.none(),
        required=False,
        empty_label=_("— unassigned —"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("— no team —")
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "status": ticket.status,
                "priority": ticket.priority,
                "assignee": ticket.assignee_id,
                "team": ticket.team_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        assignee_field = self.fields["assignee"]
        team_field = self.fields["team"]
        assert isinstance(assignee_field, forms.ModelChoiceField)  # noqa: S101  (narrows)
        assert isinstance(team_field, forms.ModelChoiceField)  # noqa: S101  (narrows)
        assignee_field.queryset = assignable_agents(ticket.assignee_id)
        team_field.queryset = teams().prefetch_related(None)

    def changes(self) -> dict[str, Any]:
        """Only the fields whose value differs from the ticket's, for ``do_update_ticket``."""
        current = {
            "status": self.ticket.status,
            "priority": self.ticket.priority,
            "assignee": self.ticket.assignee,
            "team": self.ticket.team,
        }
        return {
            field: value
            for field, value in self.cleaned_data.items()
            if field in current and value != current[field]
        }


class NewTicketForm(forms.Form):
    """A ticket an agent opens for a customer, e.g. after a phone call."""

    CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.CHAT, Channel.WEB_FORM)

    email = forms.EmailField(label=_("Customer e-mail"))
    name = forms.CharField(label=_("Customer name"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(channel.value, channel.label) for channel in CHANNELS],
        initial=Channel.PHONE,
    )
    call_minutes = forms.IntegerField(
        label=_("Call duration (minutes)"),
        min_value=1,
        max_value=MAX_CALL_MINUTES,
        required=False,
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("— no team —")
    )
    assign_to_me = forms.BooleanField(label=_("Assign to me"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)  # noqa: S101  (narrows)
        team_field.queryset = teams().prefetch_related(None)

    def first_message_text(self) -> str:
        """The description, with the call's duration in front of it when one was given."""
        text: str = self.cleaned_data["description"]
        minutes = self.cleaned_data.get("call_minutes")
        if minutes and self.cleaned_data["channel"] == Channel.PHONE:
            return _("Call duration: %(minutes)d min") % {"minutes": minutes} + "\n\n" + text
        return text


class NotificationPreferencesForm(forms.Form):
    """Per kind of notification: in the workspace, by e-mail."""

    def __init__(self, *args: Any, preferences: list[Preference], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preferences = preferences
        for preference in preferences:
            self.fields[f"{preference.kind}-in_app"] = forms.BooleanField(
                label=_("In the workspace"), required=False, initial=preference.in_app
            )
            self.fields[f"{preference.kind}-email"] = forms.BooleanField(
                label=_("By e-mail"), required=False, initial=preference.email
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (preference.label, self[f"{preference.kind}-in_app"], self[f"{preference.kind}-email"])
            for preference in self.preferences
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {
            preference.kind: (
                self.cleaned_data[f"{preference.kind}-in_app"],
                self.cleaned_data[f"{preference.kind}-email"],
            )
            for preference in self.preferences
        }


def narrow(field: forms.Field, queryset: Any) -> None:
    """Give a model choice field its queryset (set per form, never at import)."""
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  (narrows)
    field.queryset = queryset


def _checkboxes(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class SavedViewForm(forms.Form):
    """A saved inbox view: its name, who it is for (admins share) and its filters."""

    name = forms.CharField(label=_("Name"), max_length=100)
    audience = forms.ChoiceField(
        label=_("Who sees it"), choices=ViewAudience.choices, initial=ViewAudience.PERSONAL
    )
    shared_team = forms.ModelChoiceField(
        label=_("Team it is shared with"), queryset=Team.objects.none(), required=False
    )
    statuses = _checkboxes(_("Status"), Status.choices)
    priorities = _checkboxes(_("Priority"), Priority.choices)
    channels = _checkboxes(_("Channel"), Channel.choices)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("any")
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    tag = forms.CharField(label=_("Tag"), max_length=64, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("any")
    )
    tier = forms.ModelChoiceField(
        label=_("Customer tier"), queryset=Tier.objects.none(), required=False, empty_label=_("any")
    )
    text = forms.CharField(
        label=_("Words in the subject or messages, or #number"), max_length=200, required=False
    )

    def __init__(
        self,
        *args: Any,
        agent: Agent,
        view: SavedView | None,
        from_inbox: Any = None,
        **kwargs: Any,
    ) -> None:
        if view is not None:
            kwargs.setdefault("initial", self._initial_of(view))
        elif from_inbox is not None:
            kwargs.setdefault(
                "initial",
                {
                    "priorities": from_inbox.getlist("priority"),
                    "channels": from_inbox.getlist("channel"),
                    "team": from_inbox.get("team"),
                    "text": from_inbox.get("q", ""),
                },
            )
        super().__init__(*args, **kwargs)
        team_queryset = teams().prefetch_related(None)
        narrow(self.fields["shared_team"], team_queryset)
        narrow(self.fields["team"], team_queryset)
        narrow(self.fields["category"], categories())
        narrow(self.fields["tier"], tiers())
        assignee_field = self.fields["assignee"]
        assert isinstance(assignee_field, forms.ChoiceField)  # noqa: S101  (narrows)
        assignee_field.choices = [
            ("", _("anyone")),
            (ASSIGNEE_ME, _("me (whoever opens the view)")),
            (ASSIGNEE_NOBODY, _("nobody (unassigned)")),
            *[(str(colleague.pk), colleague.name) for colleague in agents().prefetch_related(None)],
        ]
        if not agent.is_staff:
            # Agents keep views for themselves; sharing is for admins.
            del self.fields["audience"]
            del self.fields["shared_team"]

    @staticmethod
    def _initial_of(view: SavedView) -> dict[str, Any]:
        filters = view.filters
        audience = ViewAudience.PERSONAL
        if view.owner_id is None:
            audience = ViewAudience.TEAM if view.team_id else ViewAudience.EVERYONE
        return {
            "name": view.name,
            "audience": audience,
            "shared_team": view.team_id,
            "statuses": filters.get("statuses", []),
            "priorities": filters.get("priorities", []),
            "channels": filters.get("channels", []),
            "team": filters.get("team_id"),
            "assignee": filters.get("assignee", ""),
            "tag": filters.get("tag", ""),
            "category": filters.get("category_id"),
            "tier": filters.get("tier_id"),
            "text": filters.get("text", ""),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned.setdefault("audience", ViewAudience.PERSONAL)
        if cleaned["audience"] == ViewAudience.TEAM and not cleaned.get("shared_team"):
            self.add_error("shared_team", _("Choose the team to share the view with."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The chosen filters in the shape ``do_save_view`` takes."""
        data = self.cleaned_data
        return {
            "statuses": data["statuses"],
            "priorities": data["priorities"],
            "channels": data["channels"],
            "team_id": data["team"].pk if data["team"] else None,
            "assignee": data["assignee"],
            "tag": data["tag"],
            "category_id": data["category"].pk if data["category"] else None,
            "tier_id": data["tier"].pk if data["tier"] else None,
            "text": data["text"],
        }


class TicketIdsField(forms.Field):
    """The numbers of the tickets ticked in a list."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Select at least one ticket.")}

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(item) for item in value or []]
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(_("Select tickets from the list.")) from error


class BulkForm(forms.Form):
    """One change to the tickets ticked in the inbox: the button pressed names the operation,
    and only that operation's field counts."""

    ASSIGN = "assign"
    STATUS = "status"
    PRIORITY = "priority"
    TAG = "tag"
    MERGE = "merge"
    # The field each operation needs.
    NEEDS = {ASSIGN: "assignee", STATUS: "status", PRIORITY: "priority", TAG: "tag"}

    ticket = TicketIdsField()
    operation = forms.ChoiceField(
        choices=[
            (ASSIGN, _("Assign")),
            (STATUS, _("Set status")),
            (PRIORITY, _("Set priority")),
            (TAG, _("Add tag")),
            (MERGE, _("Merge")),
        ]
    )
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, required=False)
    tag = forms.CharField(label=_("Tag"), max_length=64, required=False)
    target = forms.IntegerField(label=_("Merge into ticket no."), min_value=1, required=False)

    def __init__(self, *args: Any, assignees: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee_field = self.fields["assignee"]
        assert isinstance(assignee_field, forms.ChoiceField)  # noqa: S101  (narrows)
        assignee_field.choices = assignees

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needed = self.NEEDS.get(cleaned.get("operation", ""))
        if needed and not cleaned.get(needed):
            self.add_error(needed, _("Choose what to set."))
        return cleaned


class ChatTransferForm(forms.Form):
    """Where a live chat goes: another agent, or a team's queue."""

    to = forms.ChoiceField(label=_("Transfer to"))

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agent_choices = [
            (f"agent:{agent.pk}", agent.name)
            for agent in assignable_agents(ticket.assignee_id)
            if agent.pk != ticket.assignee_id
        ]
        team_choices = [
            (f"team:{team.pk}", team.name)
            for team in teams().prefetch_related(None)
            if team.pk != ticket.team_id
        ]
        to_field = self.fields["to"]
        assert isinstance(to_field, forms.ChoiceField)  # noqa: S101  (narrows)
        to_field.choices = [
            ("", "—"),
            (_("Agents"), agent_choices),
            (_("Teams"), team_choices),
        ]

    def target(self) -> tuple[str, int]:
        """("agent" or "team", its id)."""
        kind, _separator, target_id = self.cleaned_data["to"].partition(":")
        return kind, int(target_id)
