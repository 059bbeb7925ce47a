from django import forms
from django.utils.translation import gettext_lazy as _

from okienko.tickets.actions import CSAT_RATINGS

RATING_LABELS = {
    1: _("Very bad"),
    2: _("Bad"),
    3: _("So-so"),
    4: _("Good"),
    5: _("Very good"),
}


class CsatForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(rating, RATING_LABELS[rating]) for rating in reversed(CSAT_RATINGS)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
