"""Forms of the acts on requests for complements and of Démarches Simplifiées' instructor acts."""

import datetime as dt

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

ISO = "%Y-%m-%d"


def end_of_day(day: dt.date) -> dt.datetime:
    """The applicant may answer until 23:59:59, Paris time, on the chosen day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


class ReasonForm(DsfrBaseForm):
    reason = forms.CharField(label="Motif (lu par le porteur)", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, error_messages={"required": "Indiquez le motif : le porteur le lira."})


class ExtendForm(ReasonForm):
    due_date = forms.DateField(
        label="Nouvelle date limite de réponse", input_formats=[ISO, "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO),
        error_messages={"required": "Indiquez la nouvelle date limite.",
                        "invalid": "Date invalide : choisissez une date (jj/mm/aaaa)."},
    )
