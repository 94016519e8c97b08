"""The organisation form's use of the company directory: search, prefill, facts kept at save (in dossiers, whose
organisation step uses it; the directory client itself is accounts.company_lookup).

Every helper answers even when the directory is off or silent: the form then stays a plain form typed by hand.
"""

from __future__ import annotations

from fabriques.accounts.company_lookup import (
    Company,
    CompanyLookupError,
    company_by_siret,
    company_search,
    lookup_enabled,
)
from fabriques.accounts.models import siret_normalise
from fabriques.territory.models import Commune

UNAVAILABLE = ("L’annuaire des entreprises ne répond pas pour le moment : saisissez les informations de "
               "l’organisation à la main, elles seront enregistrées telles quelles.")


def company_search_context(query: str) -> dict:
    """What the search block shows for a query: matches, or why there are none."""
    query = (query or "").strip()[:120]
    context = {"company_lookup": lookup_enabled(), "company_query": query, "company_results": None,
               "company_error": ""}
    if not (context["company_lookup"] and query):
        return context
    if len(query) < 3:
        context["company_error"] = "Saisissez au moins 3 caractères, ou les 14 chiffres du SIRET."
        return context
    try:
        context["company_results"] = company_search(query)
    except CompanyLookupError:
        context["company_error"] = UNAVAILABLE
    return context


def company_prefill(siret: str, legal_form_codes: set[str]) -> tuple[dict, dict]:
    """(initial values of the form, notice shown above it) from the establishment chosen in the results."""
    siret = siret_normalise(siret)
    if not (lookup_enabled() and siret.isdigit() and len(siret) == 14):
        return {}, {}
    try:
        company = company_by_siret(siret)
    except CompanyLookupError:
        return {}, {"error": UNAVAILABLE}
    if company is None:
        return {}, {"error": f"L’annuaire des entreprises ne connaît pas le SIRET {siret} : vérifiez-le ou "
                             "saisissez les informations à la main."}
    initial = {"name": company.name, "siret": company.siret, "address": company.address}
    commune = Commune.objects.filter(code=company.commune_code).first() if company.commune_code else None
    if commune is not None:
        initial["commune"] = commune
    if company.legal_form in legal_form_codes:
        initial["legal_form"] = company.legal_form
    return initial, {"company": company, "commune_missing": commune is None,
                     "legal_form_missing": company.legal_form not in legal_form_codes}


def company_for_save(siret: str) -> tuple[Company | None, str]:
    """The directory's facts of the SIRET being saved, and a note for the person when they could not be read."""
    if not lookup_enabled():
        return None, ""
    try:
        company = company_by_siret(siret_normalise(siret))
    except CompanyLookupError:
        return None, ("L’annuaire des entreprises n’a pas répondu : l’organisation est enregistrée telle que saisie, "
                      "sa forme juridique sera vérifiée par l’instructeur.")
    if company is None:
        return None, "Ce SIRET est absent de l’annuaire des entreprises : sa forme juridique sera vérifiée à la main."
    return company, ""
