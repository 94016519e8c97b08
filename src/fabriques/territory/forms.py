"""Form of the public eligibility check: it parses what was typed; the territory domain decides eligibility."""

from __future__ import annotations

import re

from django import forms
from dsfr.forms import DsfrBaseForm

from fabriques.calls.models import Track
from fabriques.territory import queries

_LABEL = re.compile(r"^(?P<name>.+?)\s*\((?P<dep>[0-9][0-9ab][0-9]?)\)$", re.IGNORECASE)


def _label_parts(text: str) -> tuple[str, str]:
    """ "Saint-Denis (93)", as the list shows a commune, gives ("Saint-Denis", "93"); anything else (text, "")."""
    match = _LABEL.match(text)
    return (match["name"], match["dep"].upper()) if match else (text, "")


def _near_matches(text: str) -> list:
    """Something to click when the name is unknown: communes starting like its longest word, that word shortened
    letter by letter down to four letters (a typo near the end: "Villeurbane" finds Villeurbanne). Few queries."""
    words = sorted(queries.name_key(text).split(), key=len, reverse=True)
    word = words[0] if words else ""
    for length in range(len(word), 3, -1):
        found = queries.communes_search(word[:length], limit=8)
        if found:
            return found
    return []


class TrackChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Track) -> str:
        return f"{obj.title} — {obj.call.short_title}"


class PlaceCheckForm(DsfrBaseForm):
    track = TrackChoiceField(
        label="Entrée de l’appel", queryset=Track.objects.select_related("call").order_by("call__title", "position"),
        empty_label=None,
    )
    commune = forms.CharField(
        label="Commune", max_length=120, required=False,
        help_text="Nom, code postal ou code INSEE ; choisissez dans la liste proposée.",
        widget=forms.TextInput(attrs={"list": "territory-communes", "autocomplete": "off",
                                      "data-search-url": "", "class": "territory-commune-input"}),
    )
    address = forms.CharField(
        label="Adresse du lieu", max_length=250, required=False,
        help_text="Par exemple : 12 rue de la République. Localisée par la Base adresse nationale si elle est activée.",
    )
    latitude = forms.FloatField(
        label="Latitude", required=False, min_value=-90, max_value=90, localize=True,
        help_text="En degrés décimaux (WGS84), par exemple 45,7640.",
    )
    longitude = forms.FloatField(
        label="Longitude", required=False, min_value=-180, max_value=180, localize=True,
        help_text="En degrés décimaux (WGS84), par exemple 4,9015.",
    )

    def __init__(self, *args, search_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].widget.attrs["data-search-url"] = search_url
        self.commune = None
        self.suggestions: list = []  # communes offered as links when what was typed is unknown or ambiguous

    def clean_commune(self) -> str:
        text = self.cleaned_data["commune"].strip()
        if not text:
            return ""
        name, departement = _label_parts(text)
        found = queries.communes_search(name, limit=12)
        if departement:
            found = [c for c in found if c.departement_code == departement]
        exact = [c for c in found if c.code == name.upper() or queries.name_key(c.name) == queries.name_key(name)]
        if len(exact) == 1 or len(found) == 1:
            self.commune = (exact or found)[0]
            return self.commune.code
        if not found:
            self.suggestions = _near_matches(name)
            raise forms.ValidationError(
                f"Commune introuvable : « {text} ». Tapez le début du nom ou le code postal et choisissez dans la "
                "liste proposée, ou saisissez le code INSEE (5 caractères)."
            )
        self.suggestions = exact or found
        raise forms.ValidationError(
            "Plusieurs communes correspondent : choisissez-la dans la liste ci-dessous ou saisissez son code INSEE."
        )

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and not self.has_error("latitude") and not self.has_error("longitude"):
            self.add_error("longitude" if lon is None else "latitude", "Indiquez la latitude et la longitude.")
        if not (data.get("commune") or data.get("address") or lat is not None) and not self.errors:
            raise forms.ValidationError("Indiquez au moins la commune, l’adresse ou les coordonnées du lieu.")
        return data
