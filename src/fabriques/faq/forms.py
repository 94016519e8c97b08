"""Forms of the FAQ pages; they parse input, the domain functions decide."""

from django import forms
from dsfr.forms import DsfrBaseForm

from fabriques.faq.enums import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, QuestionState, Theme


class AskForm(DsfrBaseForm):
    text = forms.CharField(label="Votre question", max_length=QUESTION_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=f"{QUESTION_MAX_LENGTH} caractères au plus. Seule l’équipe du programme la lit ; "
                                     "si elle est utile à tous, elle est publiée sans votre nom.")
    criterion = forms.ModelChoiceField(label="Critère concerné", required=False, queryset=None,
                                       empty_label="— aucun en particulier —")

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = call.criteria.order_by("position")
        self.fields["criterion"].label_from_instance = lambda c: f"{c.position}. {c.title}"


class AnswerForm(DsfrBaseForm):
    to = forms.ChoiceField(label="Suite donnée", widget=forms.RadioSelect, choices=[
        (QuestionState.ANSWERED, "Répondre en privé à la personne"),
        (QuestionState.PUBLISHED, "Répondre et publier, anonymisée, dans la FAQ"),
    ])
    answer = forms.CharField(label="Réponse", max_length=ANSWER_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 8}))
    public_question = forms.CharField(label="Question telle que publiée", required=False,
                                      max_length=QUESTION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
                                      help_text="Reformulée sans nom, adresse ni détail permettant de "
                                                "reconnaître la personne. Obligatoire pour publier.")
    theme = forms.ChoiceField(label="Thème", required=False, choices=[("", "—"), *Theme.choices])
    criterion = forms.ModelChoiceField(label="Critère lié (la réponse apparaît dans ses consignes)", required=False,
                                       queryset=None, empty_label="— aucun —")

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = call.criteria.order_by("position")
        self.fields["criterion"].label_from_instance = lambda c: f"{c.position}. {c.title}"
