"""Forms of the customer pages: they parse and validate input; actions do the work."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from okienko.customers.choices import IdentityKind
from okienko.customers.models import Customer, Organisation, Tier
from okienko.customers.selectors import tiers
from okienko.workspace.forms import narrow


class CustomerForm(forms.Form):
    """A customer's own details, as ``do_update_customer`` changes them."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    tier = forms.ModelChoiceField(label=_("Customer tier"), queryset=Tier.objects.none())
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, customer: Customer, organisations: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": customer.name,
                "language": customer.language,
                "tier": customer.tier_id,
                "organisation": customer.organisation_id,
                "notes": customer.notes,
            },
        )
        super().__init__(*args, **kwargs)
        self.customer = customer
        narrow(self.fields["tier"], tiers())
        narrow(self.fields["organisation"], organisations)

    def changes(self) -> dict[str, Any]:
        """Only what differs from the customer as it is."""
        return {
            field: value
            for field, value in self.cleaned_data.items()
            if value != getattr(self.customer, field)
        }


class IdentityForm(forms.Form):
    """One more address of a customer."""

    kind = forms.ChoiceField(label=_("Kind"), choices=IdentityKind.choices)
    address = forms.CharField(label=_("Address"), max_length=254)


class MergeCustomerForm(forms.Form):
    """The duplicate to merge into the customer whose profile this is."""

    duplicate = forms.CharField(
        label=_("Customer number or e-mail of the duplicate"), max_length=254
    )


class OrganisationForm(forms.Form):
    """An organisation's details; the NIP is checked by ``do_update_organisation``."""

    name = forms.CharField(label=_("Name"), max_length=200)
    nip = forms.CharField(label=_("NIP"), max_length=20, required=False)
    tier = forms.ModelChoiceField(
        label=_("Customer tier"),
        queryset=Tier.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    domain = forms.CharField(label=_("E-mail domain"), max_length=200, required=False)
    is_shared_tickets = forms.BooleanField(
        label=_("Members see each other's tickets in the portal"), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {field: getattr(organisation, field) for field in self.base_fields}
            | {"tier": organisation.tier_id},
        )
        super().__init__(*args, **kwargs)
        narrow(self.fields["tier"], tiers())
