"""Forms of the applicant's pages; they parse input, the domain functions decide."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from fabriques.accounts.models import siret_normalise, validate_siret
from fabriques.calls.models import LegalForm, Track
from fabriques.calls.queries import open_waves
from fabriques.dossiers.domain import LineData
from fabriques.dossiers.enums import COFUNDER_SLOTS, BudgetKind, ChargeCategory, PlaceStatus, ResourceCategory
from fabriques.territory.models import Commune

_CODE = re.compile(r"^\s*([0-9][0-9AB][0-9]{3})\b")
VERSION_MAX = 2_147_483_647  # a section's version (integer column): a bigger number typed is a form error, not a 500


class CommuneField(forms.CharField):
    """A commune typed as its INSEE code, "Nom (dép.)" or chosen from the autocomplete list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 130)
        kwargs.setdefault("help_text", "Commencez à taper le nom de la commune, ou son code INSEE (5 caractères).")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return f"{value.code} {value.label}"
        if isinstance(value, int):
            commune = Commune.objects.filter(pk=value).first()
            return f"{commune.code} {commune.label}" if commune else ""
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        match = _CODE.match(value.upper())
        if match:
            commune = Commune.objects.filter(code=match.group(1)).first()
        else:
            name = value.split("(")[0].strip()
            found = list(Commune.objects.filter(name__iexact=name)[:2])
            commune = found[0] if len(found) == 1 else None
        if commune is None:
            raise ValidationError("Commune introuvable : choisissez-la dans la liste ou saisissez son code INSEE.")
        return commune


def legal_form_choices():
    seen = {}
    for code, label in LegalForm.objects.order_by("position").values_list("code", "label"):
        seen.setdefault(code, label)
    return [("", "— Choisir —"), *seen.items()]


class OrganisationForm(DsfrBaseForm):
    name = forms.CharField(label="Raison sociale", max_length=200)
    legal_form = forms.ChoiceField(label="Forme juridique", choices=())
    siret = forms.CharField(
        label="SIRET", max_length=20,
        help_text="14 chiffres, sur l’avis de situation Insee (les espaces sont acceptés).",
    )
    address = forms.CharField(label="Adresse du siège", max_length=300)
    commune = CommuneField(label="Commune du siège")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_form"].choices = legal_form_choices()
        self.fields["commune"].widget.attrs.update({"list": "communes-datalist", "autocomplete": "off"})

    def clean_siret(self):
        siret = siret_normalise(self.cleaned_data["siret"])
        validate_siret(siret)
        return siret


class DossierCreateForm(DsfrBaseForm):
    wave = forms.ModelChoiceField(label="Vague", queryset=None, empty_label=None)
    track = forms.ModelChoiceField(label="Entrée", queryset=None, empty_label=None)
    organisation = forms.ModelChoiceField(label="Organisation porteuse", queryset=None, empty_label=None)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        waves = open_waves()
        self.fields["wave"].queryset = waves
        self.fields["track"].queryset = Track.objects.filter(call__in=waves.values("call")).order_by("position")
        self.fields["organisation"].queryset = organisations


class PlaceForm(DsfrBaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)
    name = forms.CharField(label="Nom du lieu", max_length=200, required=False)
    status = forms.ChoiceField(
        label="Nature du lieu", required=False, choices=[("", "— Choisir —"), *PlaceStatus.choices]
    )
    address = forms.CharField(label="Adresse du lieu", max_length=300, required=False)
    commune = CommuneField(label="Commune du lieu", required=False)
    latitude = forms.FloatField(label="Latitude", required=False, min_value=-90, max_value=90,
                                help_text="Facultatif, en degrés décimaux (ex. 45.7640).")
    longitude = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180,
                                 help_text="Facultatif, en degrés décimaux (ex. 4.8357).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].widget.attrs.update({"list": "communes-datalist", "autocomplete": "off"})
        # Saved while empty (autosave of a draft), but the deposit needs them: not « facultatif » (theme/field.html).
        for name in ("name", "status", "address", "commune"):
            self.fields[name].needed_for_deposit = True

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("Indiquez la latitude et la longitude, ou aucune des deux.")
        return data


class AnswerForm(DsfrBaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)
    text = forms.CharField(label="Votre réponse", required=False, widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, *args, criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        self.fields["text"].widget.attrs.update({"data-max": criterion.max_length, "data-autosave-text": ""})

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\r\n", "\n")
        if len(text) > self.criterion.max_length:
            raise ValidationError(
                f"La réponse compte {len(text)} caractères pour {self.criterion.max_length} au plus : raccourcissez-la."
            )
        return text


CHARGES = list(ChargeCategory)
RESOURCES = [c for c in ResourceCategory if c != ResourceCategory.COFUNDING]


class BudgetForm(DsfrBaseForm):
    """One integer field per (year, category), plus co-funders (a name and an amount per year)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)

    def __init__(self, *args, years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(range(1, years + 1))
        # The DSFR input class on each cell (a bare <input> had no visible border); numeric keyboard on phones.
        amount = {"required": False, "min_value": 0, "max_value": 100_000_000,
                  "widget": forms.NumberInput(attrs={"class": "fr-input", "inputmode": "numeric"})}
        for year in self.years:
            for cat in CHARGES + RESOURCES:
                self.fields[f"y{year}_{cat.value}"] = forms.IntegerField(label=f"{cat.label}, année {year}", **amount)
        for slot in range(1, COFUNDER_SLOTS + 1):
            self.fields[f"cof{slot}_name"] = forms.CharField(
                label=f"Cofinanceur {slot}", max_length=200, required=False
            )
            for year in self.years:
                self.fields[f"cof{slot}_y{year}"] = forms.IntegerField(
                    label=f"Cofinanceur {slot}, année {year}", **amount
                )

    @staticmethod
    def initial_from(lines, version: int) -> dict:
        initial = {"version": version}
        names = []
        for line in lines:
            if line.category == ResourceCategory.COFUNDING:
                if line.cofunder not in names:
                    names.append(line.cofunder)
                slot = names.index(line.cofunder) + 1
                initial[f"cof{slot}_name"] = line.cofunder
                initial[f"cof{slot}_y{line.year}"] = line.amount_eur
            else:
                initial[f"y{line.year}_{line.category}"] = line.amount_eur
        return initial

    def clean(self):
        data = super().clean()
        for slot in range(1, COFUNDER_SLOTS + 1):
            has_amount = any(data.get(f"cof{slot}_y{y}") for y in self.years)
            if has_amount and not (data.get(f"cof{slot}_name") or "").strip():
                self.add_error(f"cof{slot}_name", "Indiquez le nom du cofinanceur.")
        return data

    def rows(self) -> list[dict]:
        """The grid as the template draws it: headings, then one row per category or co-funder."""
        rows = [{"heading": "Charges"}]
        rows += [{"label": c.label, "fields": [self[f"y{y}_{c.value}"] for y in self.years]} for c in CHARGES]
        rows.append({"heading": "Ressources"})
        rows += [{"label": c.label, "fields": [self[f"y{y}_{c.value}"] for y in self.years]} for c in RESOURCES]
        rows += [
            {"label": f"Cofinanceur {slot} (nom)", "name_field": self[f"cof{slot}_name"],
             "fields": [self[f"cof{slot}_y{y}"] for y in self.years]}
            for slot in range(1, COFUNDER_SLOTS + 1)
        ]
        return rows

    def lines(self) -> list[LineData]:
        data, lines = self.cleaned_data, []
        for year in self.years:
            for cat in CHARGES:
                amount = data.get(f"y{year}_{cat.value}") or 0
                lines.append(LineData(year, BudgetKind.CHARGE, cat.value, cat.label, amount))
            for cat in RESOURCES:
                lines.append(LineData(year, BudgetKind.RESOURCE, cat.value, cat.label,
                                      data.get(f"y{year}_{cat.value}") or 0,
                                      is_state_request=cat == ResourceCategory.STATE))
            for slot in range(1, COFUNDER_SLOTS + 1):
                name = (data.get(f"cof{slot}_name") or "").strip()
                lines.append(LineData(year, BudgetKind.RESOURCE, ResourceCategory.COFUNDING.value,
                                      ResourceCategory.COFUNDING.label, data.get(f"cof{slot}_y{year}") or 0,
                                      cofunder=name))
        return lines


class AttachmentForm(DsfrBaseForm):
    file = forms.FileField(label="Fichier")


class CoWriterForm(DsfrBaseForm):
    email = forms.EmailField(label="Adresse électronique de la personne à inviter")


class SelfAssessmentForm(DsfrBaseForm):
    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title, coerce=int, required=False, empty_value=None,
                choices=[("", "— Non évalué —"), *MATURITY.items()],
            )

    def ratings(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}


MATURITY = {
    0: "0 — Rien d’engagé",
    1: "1 — Idée ou intention",
    2: "2 — Premières actions",
    3: "3 — En place, à consolider",
    4: "4 — Solide et démontré",
}


class DepositForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=200)


class WithdrawForm(DsfrBaseForm):
    reason = forms.CharField(label="Motif", required=False, max_length=500)  # the field template adds « (facultatif) »
