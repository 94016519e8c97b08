from django import forms
from dsfr.forms import DsfrBaseForm

from fabriques.accounts.enums import AGENT_ROLES, Role


class InvitationForm(DsfrBaseForm):
    email = forms.EmailField(label="Adresse électronique de l’agent")
    role = forms.ChoiceField(
        label="Rôle", choices=[(r.value, r.label) for r in Role if r in AGENT_ROLES]
    )


class ResendConfirmationForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Votre adresse électronique", help_text="Celle avec laquelle vous avez créé votre compte.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
