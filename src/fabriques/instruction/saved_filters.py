"""Saved filters of the agents' dashboard: the query string with a name, per agent."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.utils import timezone

from fabriques.instruction.errors import InstructionError
from fabriques.instruction.models import SavedFilter

MAX_FILTERS = 30
LEFT_OUT = {"page", "csrfmiddlewaretoken", "name"}


def clean_query(query: str) -> str:
    """The dashboard's query string without what is not a filter (page, form tokens), in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k not in LEFT_OUT]
    return urlencode(sorted(pairs))[:1000]


def saved_filter_save(*, user, name: str, query: str) -> SavedFilter:
    """Keep the agent's current filters under a name (the same name again replaces them)."""
    name = " ".join(name.split())
    if not name:
        raise InstructionError("Donnez un nom à ce filtre.")
    if len(name) > 80:
        raise InstructionError("Le nom du filtre ne dépasse pas 80 caractères.")
    query = clean_query(query)
    if not query:
        raise InstructionError("Choisissez d’abord des filtres : il n’y a rien à enregistrer.")
    existing = SavedFilter.objects.filter(user=user, name=name).first()
    if existing is not None:
        existing.query = query
        existing.save(update_fields=["query"])
        return existing
    if SavedFilter.objects.filter(user=user).count() >= MAX_FILTERS:
        raise InstructionError(f"Vous avez déjà {MAX_FILTERS} filtres : supprimez-en un d’abord.")
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(user=user, name=name, query=query, created_at=timezone.now())
    except IntegrityError:  # saved twice at once
        return SavedFilter.objects.get(user=user, name=name)


def saved_filter_delete(*, user, pk: int) -> None:
    SavedFilter.objects.filter(user=user, pk=pk).delete()
