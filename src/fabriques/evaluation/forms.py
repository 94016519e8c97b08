"""Forms of the evaluation pages; they parse what was typed, the domain decides what is valid."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from dsfr.forms import DsfrBaseForm

from fabriques.evaluation.enums import ConflictKind, Opinion, PeerVisibility
from fabriques.evaluation.scoring import ScoreInput

ABSTAIN = "na"
_REGION = re.compile(r"^[0-9]{2,3}$")


class WaveSettingsForm(DsfrBaseForm):
    evaluators_per_dossier = forms.IntegerField(label="Évaluateurs par dossier", min_value=1, max_value=10)
    peer_visibility = forms.ChoiceField(
        label="Les évaluateurs voient les autres évaluations", choices=PeerVisibility.choices,
        widget=forms.RadioSelect,
    )
    hide_applicant_identity = forms.BooleanField(
        label="Masquer aux évaluateurs l’identité du porteur (nom de l’organisation et personnes)", required=False
    )
    disagreement_spread = forms.DecimalField(
        label="Écart entre évaluateurs signalant un désaccord", min_value=0, max_digits=4, decimal_places=2,
        localize=True,
        help_text="Sur l’échelle de l’appel, par exemple 1,5 pour une échelle de 0 à 5.",
    )


class ScopeForm(DsfrBaseForm):
    tracks = forms.MultipleChoiceField(
        label="Entrées", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case cochée : toutes les entrées.",
    )
    regions = forms.CharField(
        label="Régions (codes INSEE)", required=False, max_length=200,
        help_text="Codes séparés par des virgules, par exemple « 93, 84 ». Vide : toutes les régions.",
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tracks"].choices = [(str(t.pk), t.short_title) for t in call.tracks.order_by("position")]

    def clean_regions(self) -> list[str]:
        codes = [c.strip() for c in re.split(r"[,;\s]+", self.cleaned_data["regions"]) if c.strip()]
        wrong = [c for c in codes if not _REGION.match(c)]
        if wrong:
            raise forms.ValidationError(f"Code de région inconnu : {', '.join(wrong)} (2 ou 3 chiffres attendus).")
        return codes


class ManualAssignForm(DsfrBaseForm):
    evaluator = forms.ModelChoiceField(label="Évaluateur", queryset=None, empty_label="— Choisir —")

    def __init__(self, *args, evaluators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = evaluators


class ReasonForm(DsfrBaseForm):
    reason = forms.CharField(label="Motif", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DeclarationForm(DsfrBaseForm):
    has_conflict = forms.TypedChoiceField(
        label="Avez-vous un lien d’intérêts avec le porteur ou le projet ?",
        choices=[("non", "Non, aucun lien"), ("oui", "Oui, j’ai un lien")],
        coerce=lambda v: v == "oui", widget=forms.RadioSelect,
        error_messages={"required": "Indiquez si vous avez un lien d’intérêts."},
    )
    kind = forms.ChoiceField(label="Nature du lien", required=False,
                             choices=[("", "— Choisir si oui —"), *ConflictKind.choices])
    details = forms.CharField(label="Précisions", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not data.get("kind"):
            self.add_error("kind", "Précisez la nature du lien.")
        return data


def scale_choices(criterion) -> list[tuple[str, str]]:
    """The values the criterion's kind offers (a scale's steps, or « Non » / « Oui »), then the abstention."""
    kind = criterion.kind_spec
    values = [(f"{v.normalize():f}", kind.value_label(v))
              for v in kind.values(criterion.scale_min, criterion.scale_max, criterion.scale_step)]
    return [("", "— Choisir —"), *values, (ABSTAIN, "Je m’abstiens")]


class ScoreChoiceField(forms.ChoiceField):
    """A score: required to submit the evaluation (the domain refuses a grid with a criterion left out), not to
    save a draft. So it is marked as required (never « (Optionnel) ») and an empty value passes the form."""

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class GridForm(DsfrBaseForm):
    """One note and one comment per criterion of the dossier's track, an overall opinion and a summary."""

    opinion = forms.ChoiceField(label="Avis global", choices=Opinion.choices, required=False,
                                widget=forms.RadioSelect)
    summary = forms.CharField(label="Synthèse", required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            threshold = "" if c.threshold is None else (
                f" Commentaire obligatoire sous {c.value_label(c.threshold)}."
            )
            if not c.scored:
                threshold = "Ce critère ne se note pas : votre commentaire est obligatoire."
            else:
                self.fields[f"score_{c.pk}"] = ScoreChoiceField(
                    label=f"{'Réponse' if c.kind_spec.labels else 'Note'} — {c.title}", choices=scale_choices(c),
                )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=f"Commentaire — {c.title}", required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}), help_text=threshold.strip() or None,
            )
        self.order_fields([n for c in criteria for n in (f"score_{c.pk}", f"comment_{c.pk}") if n in self.fields]
                          + ["opinion", "summary"])

    def score_inputs(self) -> dict[int, ScoreInput]:
        scores = {}
        for c in self.criteria:
            raw = (self.cleaned_data.get(f"score_{c.pk}") or "") if c.scored else ""
            comment = self.cleaned_data.get(f"comment_{c.pk}") or ""
            if raw == ABSTAIN:
                scores[c.pk] = ScoreInput(abstain=True, comment=comment)
            elif raw:
                try:
                    scores[c.pk] = ScoreInput(value=Decimal(raw), comment=comment)
                except InvalidOperation:
                    self.add_error(f"score_{c.pk}", "Cette note est illisible.")
            elif comment:
                scores[c.pk] = ScoreInput(comment=comment)
        return scores

    def pairs(self):
        """(criterion, score field, comment field) for the template."""
        return [(c, self[f"score_{c.pk}"] if c.scored else None, self[f"comment_{c.pk}"]) for c in self.criteria]

    @staticmethod
    def initial_from(evaluation) -> dict:
        initial = {"opinion": evaluation.opinion, "summary": evaluation.summary}
        for s in evaluation.scores.all():
            initial[f"score_{s.criterion_id}"] = ABSTAIN if s.value is None else f"{s.value.normalize():f}"
            initial[f"comment_{s.criterion_id}"] = s.comment
        return initial
