"""Who answers questions (the call's programme admins) and who reads which question."""

from django.db.models import QuerySet

from fabriques.accounts.capabilities import can
from fabriques.faq.enums import QuestionState
from fabriques.faq.models import Question


def is_team(user, call) -> bool:
    """The programme team of the call: its admins (and superusers)."""
    return can(user, "faq.answer", call)


def questions_for_team(user, call) -> QuerySet[Question]:
    if not is_team(user, call):
        return Question.objects.none()
    return Question.objects.filter(call=call)


def questions_of(user) -> QuerySet[Question]:
    """A person's own questions (and the answers they received)."""
    if not user.is_authenticated:
        return Question.objects.none()
    return Question.objects.filter(asked_by=user)


def published(call) -> QuerySet[Question]:
    """What everyone reads: the call's published questions (anonymised wording only)."""
    return Question.objects.filter(call=call, state=QuestionState.PUBLISHED)
