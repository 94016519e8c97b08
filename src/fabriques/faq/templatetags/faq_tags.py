"""Hooks: the FAQ link on the call page, the published answers beside a criterion's guidance."""

from django import template

from fabriques.faq import queries

register = template.Library()


@register.inclusion_tag("faq/_call_link.html")
def faq_call_link(call):
    return {"call": call}


@register.inclusion_tag("faq/_criterion_faq.html")
def criterion_faq(criterion):
    """Published answers linked to this criterion (one query)."""
    questions = queries.criterion_questions(criterion)
    return {"criterion": criterion, "questions": questions, "call_slug": questions[0].call.slug if questions else ""}
