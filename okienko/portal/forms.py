"""Forms of the customer portal: they parse and validate input; actions do the work."""

import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from okienko.kb.actions import DEFLECTION_KEY
from okienko.tickets.actions import AttachmentInput
from okienko.tickets.models import Category
from okienko.tickets.selectors import categories
from okienko.workspace.forms import MultipleFileField, MultipleFileInput

MAX_FILES = 10
DEFLECTION_KEY_BYTES = 16


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class _AttachmentsForm(forms.Form):
    """Photos (the phone offers its camera) and any other files, each within the size limit."""

    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    other_files = MultipleFileField(label=_("Other files"), required=False)

    def _uploads(self) -> list[UploadedFile]:
        return [*self.cleaned_data.get("photos", []), *self.cleaned_data.get("other_files", [])]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        uploads = self._uploads()
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)d files.") % {"count": MAX_FILES})
        limit = settings.MAX_ATTACHMENT_BYTES
        for upload in uploads:
            if (upload.size or 0) > limit:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(limit)s.")
                    % {"name": upload.name, "limit": filesizeformat(limit)}
                )
        return cleaned

    def attachment_inputs(self) -> list[AttachmentInput]:
        """The uploaded files in the shape the ticket actions take."""
        return [
            AttachmentInput(
                filename=upload.name or "attachment",
                content_type=upload.content_type or "application/octet-stream",
                content=upload.read(),
            )
            for upload in self._uploads()
        ]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        category: Category = obj
        if category.parent is not None:
            return f"{category.parent.name} › {category.name}"
        return category.name


class RequestForm(_AttachmentsForm):
    """A new request: what it is about and what happened."""

    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 7}), max_length=20000
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("— I don't know —"),
    )

    # This form's own random key: the articles suggested while it is written and opened from
    # it are counted with it (deflection), and so is its submission.
    attempt = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    field_order = ["subject", "category", "description", "photos", "other_files"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["category"]  # type: ignore[assignment]
        field.queryset = categories().order_by("name", "id")
        self.fields["attempt"].initial = secrets.token_urlsafe(DEFLECTION_KEY_BYTES)

    def clean_attempt(self) -> str:
        # A key that is not one the portal makes only goes uncounted: the request still goes.
        attempt: str = self.cleaned_data["attempt"]
        return attempt if DEFLECTION_KEY.fullmatch(attempt) else ""


class SuggestionsForm(forms.Form):
    """What a customer has written of a new request so far, to suggest articles for."""

    subject = forms.CharField(required=False, max_length=255)
    description = forms.CharField(required=False, max_length=20000)
    attempt = forms.RegexField(regex=DEFLECTION_KEY, required=False)


class ReplyForm(_AttachmentsForm):
    """An answer on a request: text, files, or both."""

    text = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20000,
    )

    field_order = ["text", "photos", "other_files"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("text") and not self._uploads():
            raise forms.ValidationError(_("Write a reply or attach a file."))
        return cleaned


class ArticleFeedbackForm(forms.Form):
    """ "Did this help?" under a help-center article."""

    helpful = forms.ChoiceField(
        label=_("Did this article help?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What was missing?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
