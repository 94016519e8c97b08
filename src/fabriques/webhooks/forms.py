from django import forms
from dsfr.forms import DsfrBaseForm

from fabriques.webhooks.targets import url_problem


class EndpointForm(DsfrBaseForm):
    url = forms.URLField(label="Adresse de réception", max_length=500,
                         help_text="Adresse HTTPS qui recevra un POST JSON signé à chaque changement d’état.",
                         assume_scheme="https")

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = url_problem(url)  # public https only: see targets.py
        if problem:
            raise forms.ValidationError(problem)
        return url
