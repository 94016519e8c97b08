"""A call's retention periods of personal data: the `[retention]` table of its definition, each period it leaves out
falling back to the platform's setting (read by the personal app's purge and shown on the call's page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Retention:
    draft_days: int
    notice_days: int
    unfunded_years: int
    funded_years: int


def retention_for(call) -> Retention:
    """The call's retention periods, each falling back to the platform's setting when the call leaves it out."""
    def pick(value, setting: int) -> int:
        return int(value) if value is not None else int(setting)

    return Retention(
        draft_days=pick(call.draft_retention_days, settings.FABRIQUES_DRAFT_RETENTION_DAYS),
        notice_days=pick(call.draft_notice_days, settings.FABRIQUES_DRAFT_PURGE_NOTICE_DAYS),
        unfunded_years=pick(call.unfunded_retention_years, settings.FABRIQUES_UNFUNDED_RETENTION_YEARS),
        funded_years=pick(call.funded_retention_years, settings.FABRIQUES_FUNDED_RETENTION_YEARS),
    )
