"""Reads shaped for the FAQ pages: search, grouping by theme or by criterion (one query each)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from fabriques.faq import rules
from fabriques.faq.enums import SEARCH_MAX_LENGTH, QuestionState, Theme
from fabriques.faq.models import Question


@dataclass
class Group:
    key: str
    title: str
    questions: list


def faq(call, *, search: str = "", by: str = "theme") -> list[Group]:
    """Published questions of the call, filtered by words (all must appear), grouped by theme or by criterion."""
    queryset = rules.published(call).select_related("criterion").order_by("-published_at", "-id")
    for word in search[:SEARCH_MAX_LENGTH].split()[:10]:
        queryset = queryset.filter(Q(public_question__icontains=word) | Q(answer__icontains=word))
    groups: dict[str, Group] = {}
    if by == "critere":
        rows = sorted(queryset, key=lambda q: (q.criterion.position if q.criterion_id else 10_000))
        for q in rows:
            key = q.criterion.code if q.criterion_id else "general"
            title = f"{q.criterion.position}. {q.criterion.title}" if q.criterion_id else "Questions générales"
            groups.setdefault(key, Group(key=key, title=title, questions=[])).questions.append(q)
        return list(groups.values())
    rows = list(queryset)
    for theme in Theme:
        found = [q for q in rows if q.theme == theme]
        if found:
            groups[theme.value] = Group(key=theme.value, title=theme.label, questions=found)
    return list(groups.values())


def criterion_questions(criterion) -> list:
    """Published answers linked to a criterion (for its guidance)."""
    return list(Question.objects.filter(criterion=criterion, state=QuestionState.PUBLISHED).select_related("call")
                .order_by("-published_at")[:10])
