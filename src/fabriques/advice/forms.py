"""Forms of the advice pages; they parse input, the domain functions decide."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from fabriques.advice.enums import COMMENT_MAX_LENGTH, MESSAGE_MAX_LENGTH
from fabriques.advice.models import Network
from fabriques.territory.enums import REGION_NAMES


class InviteForm(DsfrBaseForm):
    email = forms.EmailField(label="Adresse électronique du conseiller", required=False,
                             help_text="Une personne : son compte est créé à l’ouverture du lien si elle n’en a pas.")
    network = forms.ModelChoiceField(label="Ou un réseau d’accompagnement", required=False,
                                     queryset=Network.objects.none(), empty_label="— aucun —",
                                     help_text="Ses membres se partagent l’invitation.")
    whole_dossier = forms.TypedChoiceField(
        label="Périmètre", choices=[("1", "Tout le dossier"), ("0", "Seulement les critères cochés ci-dessous")],
        coerce=lambda v: v == "1", initial="1", widget=forms.RadioSelect)
    criteria = forms.MultipleChoiceField(label="Critères à relire", required=False,
                                         widget=forms.CheckboxSelectMultiple)
    sees_budget = forms.BooleanField(label="Lui montrer le budget", required=False)
    sees_attachments = forms.BooleanField(label="Lui montrer les pièces jointes", required=False)
    ends_on = forms.DateField(label="Fin de l’accompagnement",
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              help_text="L’accès se ferme ce jour-là à minuit (heure de Paris) ; un an au plus.")
    message = forms.CharField(label="Message au conseiller", required=False, max_length=MESSAGE_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria_by_id = {str(c.pk): c for c in criteria}
        self.fields["criteria"].choices = [(str(c.pk), f"{c.position}. {c.title}") for c in criteria]
        self.fields["network"].queryset = networks
        if not self.is_bound:
            self.initial.setdefault("ends_on", timezone.localdate() + dt.timedelta(days=30))

    def clean(self):
        data = super().clean()
        if "email" in self.errors or "network" in self.errors:
            return data
        if bool(data.get("email")) == bool(data.get("network")):
            raise ValidationError("Indiquez soit l’adresse électronique d’un conseiller, soit un réseau.")
        if data.get("whole_dossier") is False and not data.get("criteria"):
            self.add_error("criteria", "Cochez au moins un critère, ou choisissez « Tout le dossier ».")
        return data

    def chosen_criteria(self):
        if self.cleaned_data["whole_dossier"]:
            return None
        return [self.criteria_by_id[pk] for pk in self.cleaned_data["criteria"]]


class CommentForm(DsfrBaseForm):
    body = forms.CharField(label="Votre commentaire", required=False, max_length=COMMENT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=f"{COMMENT_MAX_LENGTH} caractères au plus.")
    suggestion = forms.CharField(label="Reformulation proposée", required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text="Le porteur pourra la reprendre telle quelle dans sa réponse.")

    def __init__(self, *args, with_suggestion: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_suggestion:
            del self.fields["suggestion"]

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not (data.get("suggestion") or "").strip():
            raise ValidationError("Le commentaire est vide : écrivez votre remarque ou une reformulation.")
        return data


class AccountForm(DsfrBaseForm):
    password1 = forms.CharField(label="Mot de passe",
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Mot de passe (confirmation)",
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "Les deux mots de passe sont différents.")
        elif data.get("password1"):
            try:
                validate_password(data["password1"])
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


_DEPARTEMENT = re.compile(r"^(\d{2}|2A|2B|97[1-6])$")


class NetworkForm(DsfrBaseForm):
    name = forms.CharField(label="Nom du réseau", max_length=200)
    contact_email = forms.EmailField(label="Adresse de contact publique")
    website = forms.URLField(label="Site internet", required=False, assume_scheme="https")
    description = forms.CharField(label="Présentation", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    regions = forms.MultipleChoiceField(
        label="Régions couvertes", required=False, widget=forms.CheckboxSelectMultiple,
        choices=sorted(REGION_NAMES.items(), key=lambda item: item[1]))
    departements = forms.CharField(label="Départements couverts", required=False, max_length=200,
                                   help_text="Codes séparés par des espaces, par exemple : 31 81 82.")

    def clean_departements(self):
        codes = self.cleaned_data["departements"].upper().replace(",", " ").split()
        wrong = [c for c in codes if not _DEPARTEMENT.match(c)]
        if wrong:
            raise ValidationError(f"Code de département non reconnu : {', '.join(wrong)}.")
        return codes

    def clean(self):
        data = super().clean()
        if not data.get("regions") and not data.get("departements") and not self.errors:
            raise ValidationError("Indiquez au moins une région ou un département couvert par le réseau.")
        return data


class MemberForm(DsfrBaseForm):
    email = forms.EmailField(label="Adresse électronique du nouveau membre")
