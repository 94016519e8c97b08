"""A question's states and their table, the FAQ's themes, the limits."""

from django.db import models


class QuestionState(models.TextChoices):
    ASKED = "asked", "Posée"
    ANSWERED = "answered", "Répondue en privé"
    PUBLISHED = "published", "Publiée dans la FAQ"


_Q = QuestionState
# The only changes `domain.question_transition` makes; a published answer can be taken back out of the FAQ.
QUESTION_TRANSITIONS = {
    _Q.ASKED: frozenset({_Q.ANSWERED, _Q.PUBLISHED}),
    _Q.ANSWERED: frozenset({_Q.PUBLISHED}),
    _Q.PUBLISHED: frozenset({_Q.ANSWERED}),
}


class Theme(models.TextChoices):
    ELIGIBILITY = "eligibilite", "Éligibilité et formes juridiques"
    TERRITORY = "territoire", "Territoire (QPV, ruralité)"
    GROUPS = "groupements", "Groupements et partenariats"
    BUDGET = "budget", "Budget et cofinancements"
    APPLICATION = "depot", "Dossier, dépôt et calendrier"
    OTHER = "autre", "Autres questions"


QUESTION_MIN_LENGTH = 10
QUESTION_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 5000
QUESTIONS_PER_DAY = 10
SEARCH_MAX_LENGTH = 200
DIGEST_EVERY_HOURS = 24
