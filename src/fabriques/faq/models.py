"""Questions on a call (private to the programme team), their answers, and who follows the call's FAQ.

`Question.state` is written only by `domain.question_transition`. The FAQ shows `public_question` (the team's
anonymised wording), never `text` nor who asked.
"""

from django.conf import settings
from django.db import models

from fabriques.faq.enums import QuestionState, Theme


class Question(models.Model):
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="faq_questions")
    text = models.TextField("question posée")
    state = models.CharField(max_length=10, choices=QuestionState.choices, default=QuestionState.ASKED,
                             db_index=True)
    public_question = models.TextField("question telle que publiée (anonymisée)", blank=True)
    answer = models.TextField("réponse", blank=True)
    theme = models.CharField("thème", max_length=20, choices=Theme.choices, blank=True)
    criterion = models.ForeignKey("calls.Criterion", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="faq_questions", verbose_name="critère")
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-asked_at"]
        indexes = [models.Index(fields=["call", "state", "-published_at"])]
        verbose_name = "question"


class FaqFollow(models.Model):
    """A person gets an e-mail digest of the answers published in a call's FAQ since the last one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="faq_follows")
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="faq_follows")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "call"], name="unique_faq_follow")]
