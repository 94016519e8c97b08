import datetime as dt

from django import forms
from django.template.defaultfilters import pluralize
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from fabriques.dossiers.enums import DossierState
from fabriques.instruction.enums import Admissibility, CheckItem
from fabriques.instruction.queries import COLUMNS
from fabriques.territory.enums import REGION_NAMES


class DashboardFilterForm(DsfrBaseForm):
    q = forms.CharField(label="Rechercher", required=False, help_text="Référence, lieu, organisation, commune, SIRET")
    wave = forms.ChoiceField(label="Vague", required=False)
    track = forms.ChoiceField(label="Entrée", required=False)
    state = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Tous")] + [(s.value, s.label) for s in DossierState if s != DossierState.DRAFT],
    )
    region = forms.ChoiceField(
        label="Région",
        required=False,
        choices=[("", "Toutes"), *sorted(REGION_NAMES.items(), key=lambda kv: kv[1])],
    )
    eligibility = forms.ChoiceField(
        label="Éligibilité",
        required=False,
        choices=[("", "Toutes"), ("pass", "Éligible (calculée, confirmée ou forcée)"),
                 ("forced", "Éligibilité forcée"), ("manual", "À vérifier"), ("fail", "Non éligible")],
    )
    completeness = forms.ChoiceField(
        label="Complétude",
        required=False,
        choices=[("", "Toutes"), ("ok", "Complet"), ("pending", "À vérifier"), ("ko", "Incomplet")],
    )
    complements = forms.ChoiceField(
        label="Compléments",
        required=False,
        choices=[("", "Tous"), ("received", "Compléments reçus, non consultés"), ("awaited", "Compléments attendus")],
    )
    evaluator = forms.CharField(label="Évaluateur (adresse)", required=False)
    score_min = forms.DecimalField(label="Note minimale", required=False, min_value=0, max_value=100, localize=True)
    score_max = forms.DecimalField(label="Note maximale", required=False, min_value=0, max_value=100, localize=True)
    label = forms.CharField(label="Étiquette", required=False, max_length=40)
    followed = forms.BooleanField(label="Mes dossiers suivis", required=False,
                                  help_text="Ceux que vous suivez et ceux qui vous sont attribués")

    def __init__(self, *args, waves=(), tracks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].choices = [("", "Toutes")] + [(w.slug, w.title) for w in waves]
        self.fields["track"].choices = [("", "Toutes")] + [(t.slug, t.short_title) for t in tracks]


class ColumnsForm(DsfrBaseForm):
    columns = forms.MultipleChoiceField(
        label="Colonnes affichées",
        choices=[(k, v[0]) for k, v in COLUMNS.items()],
        widget=forms.CheckboxSelectMultiple,
    )


class DecisionForm(DsfrBaseForm):
    decision = forms.ChoiceField(label="Décision", choices=Admissibility.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Motif (lu par le porteur)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour une irrecevabilité.",
    )


class ConfirmCheckForm(DsfrBaseForm):
    item = forms.ChoiceField(choices=CheckItem.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label="Motif de la confirmation manuelle", widget=forms.Textarea(attrs={"rows": 2}))
    # Ticked on purpose to override a line the data says is non-compliant; the domain refuses a KO line without it.
    override = forms.BooleanField(required=False)


class ComplementForm(DsfrBaseForm):
    sections = forms.MultipleChoiceField(label="Éléments à compléter", widget=forms.CheckboxSelectMultiple)
    message = forms.CharField(label="Message au porteur", widget=forms.Textarea(attrs={"rows": 4}))
    due_date = forms.DateField(
        label="Réponse attendue avant le",
        # A date input takes only ISO dates (« 2026-12-21 »): a localised « 21/12/2026 » is dropped by the browser.
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, call, sections=(), **kwargs):
        """`call`: the dossier's call, whose definition gives the proposed delay and the reminder."""
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = list(sections)
        days, reminder = call.complement_default_days, call.complement_reminder_days
        default = timezone.localdate() + dt.timedelta(days=days)
        self.fields["due_date"].initial = default
        self.fields["due_date"].help_text = (
            f"Par défaut {days} jours, soit le {default:%d/%m/%Y}. Le porteur pourra répondre jusqu’à 23 h 59 "
            f"(heure de Paris) ce jour-là ; un rappel lui est envoyé {reminder} jour{pluralize(reminder)} avant.")
        self["due_date"].help_text = self.fields["due_date"].help_text  # the bound field was made by the DSFR form

    def due_at(self) -> dt.datetime:
        day = self.cleaned_data["due_date"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


class RerouteForm(DsfrBaseForm):
    group = forms.ModelChoiceField(label="Nouveau groupe", queryset=None)
    reason = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class MessageForm(DsfrBaseForm):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label="Note interne (invisible pour le porteur)", required=False)
    attachment = forms.FileField(
        label="Pièce jointe", required=False, help_text="PDF, image ou document, 10 Mo au plus."
    )


class ApplicantMessageForm(DsfrBaseForm):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(
        label="Pièce jointe", required=False, help_text="PDF, image ou document, 10 Mo au plus."
    )


class GroupForm(DsfrBaseForm):
    name = forms.CharField(label="Nom du groupe", max_length=120)
    regions = forms.MultipleChoiceField(
        label="Régions couvertes",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=sorted(REGION_NAMES.items(), key=lambda kv: kv[1]),
    )
    departements = forms.CharField(
        label="Départements couverts (codes séparés par des virgules)",
        required=False,
        help_text="Un département l’emporte sur une région.",
    )
    members = forms.CharField(
        label="Instructeurs (adresses séparées par des virgules)",
        required=False,
        help_text="Les personnes doivent déjà avoir le rôle d’instructeur sur l’appel.",
    )


class TerritoryClassForm(DsfrBaseForm):
    CHOICES = [("", "Non précisé"), ("yes", "Oui"), ("no", "Non")]
    is_rural = forms.ChoiceField(
        label="Hors des grands pôles urbains (territoire rural)", choices=CHOICES, required=False
    )
    is_qpv = forms.ChoiceField(label="Dans un QPV ou à proximité immédiate", choices=CHOICES, required=False)

    @staticmethod
    def value(raw: str) -> bool | None:
        return {"yes": True, "no": False}.get(raw)

    @staticmethod
    def initial_for(flag: bool | None) -> str:
        return {True: "yes", False: "no"}.get(flag, "")
