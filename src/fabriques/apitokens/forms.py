import datetime as dt

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm


class TokenForm(DsfrBaseForm):
    name = forms.CharField(label="Nom du jeton", max_length=100, help_text="Par exemple : tableau de bord régional")
    calls = forms.ModelMultipleChoiceField(label="Appels", queryset=None, widget=forms.CheckboxSelectMultiple)
    can_write = forms.BooleanField(
        label="Autoriser l’écriture (lancer des exports)", required=False,
        help_text="Sans cette case, le jeton ne permet que la lecture.",
    )
    expires_on = forms.DateField(
        label="Expire le", help_text="Format : JJ/MM/AAAA ; un an au plus.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calls"].queryset = calls
        if not self.is_bound:
            self.initial["expires_on"] = (timezone.localdate() + dt.timedelta(days=90)).isoformat()

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("La date d’expiration doit être postérieure à aujourd’hui.")
        if value > today + dt.timedelta(days=366):
            raise forms.ValidationError("Un jeton expire au plus tard dans un an.")
        return value
