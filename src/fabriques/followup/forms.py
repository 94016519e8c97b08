"""Forms of the follow-up; the yearly report's form is built from the call's indicators (see views)."""

from django import forms
from dsfr.forms import DsfrBaseForm

from fabriques.followup.enums import MAX_UPLOAD_MB

AMOUNT_MAX = 2_147_483_647


class StartForm(DsfrBaseForm):
    starts_on = forms.DateField(label="Date d’entrée en vigueur", widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="Point de départ des trois années et des comptes rendus annuels.")


class AmendForm(DsfrBaseForm):
    amount_eur = forms.IntegerField(label="Nouveau montant de la subvention (€)", min_value=1, max_value=AMOUNT_MAX)
    starts_on = forms.DateField(label="Nouvelle date d’entrée en vigueur", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="Laissez vide pour la garder.")
    reason = forms.CharField(label="Motif de l’avenant", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class TerminateForm(DsfrBaseForm):
    reason = forms.CharField(label="Motif de la fin anticipée", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)
    reimburse_eur = forms.IntegerField(label="Montant à reverser (€)", min_value=0, max_value=AMOUNT_MAX, initial=0,
                                       help_text="Un montant non nul émet un ordre de reversement.")


class FileForm(DsfrBaseForm):
    file = forms.FileField(label="Fichier",
                           help_text=f"{MAX_UPLOAD_MB} Mo au plus ; le type est vérifié sur son contenu.")


class PaidForm(DsfrBaseForm):
    payment_reference = forms.CharField(label="Référence du paiement", max_length=80, required=False)
