"""Small helpers of the complement templates."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso_days_after(moment, days) -> str:
    """The ISO date (what a date input takes) `days` days after `moment`'s Paris date."""
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return (day + dt.timedelta(days=int(days))).isoformat()
