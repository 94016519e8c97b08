"""An agent's dashboard preferences: the columns shown and the page size."""

from __future__ import annotations

from fabriques.instruction.models import (
    DashboardPreference,
)


def dashboard_columns_save(*, user, columns: list[str]) -> DashboardPreference:
    """Remember the agent's column choice (unknown keys dropped, order kept)."""
    from fabriques.instruction.queries import COLUMNS

    kept = [c for c in dict.fromkeys(columns) if c in COLUMNS]
    pref, _ = DashboardPreference.objects.update_or_create(user=user, defaults={"columns": kept})
    return pref


def dashboard_page_size_save(*, user, page_size: str) -> None:
    """Remember the agent's number of rows per page ("50", "100", "250" or "all"); another value is ignored."""
    from fabriques.instruction.queries import DEFAULT_COLUMNS, PAGE_SIZES

    if page_size not in PAGE_SIZES:
        return
    updated = DashboardPreference.objects.filter(user=user).exclude(page_size=page_size).update(page_size=page_size)
    if not updated:
        DashboardPreference.objects.get_or_create(user=user, defaults={"columns": DEFAULT_COLUMNS,
                                                                        "page_size": page_size})


def page_size_chosen(*, user, asked: str) -> str:
    """The rows per page of an agent's list: the one asked (`taille`), remembered as their choice, else their last
    choice on any of their lists (the dashboard, the committee's session and decisions), else 50."""
    from fabriques.instruction.queries import PAGE_SIZES, page_size_for

    if asked in PAGE_SIZES:
        dashboard_page_size_save(user=user, page_size=asked)
        return asked
    return page_size_for(user)
