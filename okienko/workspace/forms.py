"""Forms of the agent workspace: they parse and validate input; actions do the work."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Agent, Team
from okienko.accounts.selectors import assignable_agents, teams
from okienko.automation.placeholders import gaps
from okienko.notifications.selectors import Preference
from okienko.tickets.actions import AttachmentInput
from okienko.tickets.choices import Channel, Priority, Status
from okienko.tickets.models import Ticket

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
