from urllib.parse import urlsplit

from django import forms
from dsfr.forms import DsfrBaseForm


class EndpointForm(DsfrBaseForm):
    url = forms.URLField(label="Adresse de réception", max_length=500,
                         help_text="Adresse HTTPS qui recevra un POST JSON signé à chaque changement d’état.",
                         assume_scheme="https")

    def clean_url(self):
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        local = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if parts.scheme != "https" and not local:
            raise forms.ValidationError("L’adresse doit commencer par https:// (http:// seulement pour localhost).")
        return url
