"""Client of the public « Recherche d'entreprises » API (recherche-entreprises.api.gouv.fr): only when
FABRIQUES_COMPANY_LOOKUP_URL is set.

`GET {base}/search?q=…` answers `{"results": [...], "total_results": n, ...}`; each result has `siren`,
`nom_complet`, `nature_juridique` (the INSEE legal category, 4 digits), `siege` (the head office: `siret`,
`adresse`, `commune` (INSEE code), `libelle_commune`, `activite_principale` (NAF), `etat_administratif` A/F),
`matching_etablissements` (the establishments that matched the query), `complements.identifiant_association`
(RNA) and `etat_administratif` (A active, C ceased). Answers are cached (FABRIQUES_COMPANY_LOOKUP_CACHE_SECONDS);
a timeout, a refused connection or an unreadable answer raise `CompanyLookupError`, and the pages then say that
the organisation is to be typed by hand.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

_SIREN_OR_SIRET = re.compile(r"^(?:[0-9]{9}|[0-9]{14})$")
MAX_RESULTS = 5


class CompanyLookupError(Exception):
    """The directory is off, unreachable, too slow or answered something unreadable."""


@dataclass(frozen=True)
class Company:
    """What the directory says of one establishment (the head office unless the query named another SIRET)."""

    siren: str
    siret: str
    name: str
    legal_category: str  # INSEE « catégorie juridique », e.g. "9220"
    address: str
    postcode: str
    commune_code: str
    commune_label: str
    naf: str
    rna: str
    is_association: bool
    active: bool  # the legal unit and the establishment are both active

    @property
    def legal_form(self) -> str | None:
        """Our legal-form code for its category (codes of the shipped call definitions), None when unmapped."""
        return legal_form_for_category(self.legal_category)

    @property
    def legal_category_label(self) -> str:
        return LEGAL_CATEGORY_LABELS.get(self.legal_category, f"catégorie juridique {self.legal_category}")

    def as_dict(self) -> dict:
        return asdict(self)


# INSEE legal categories (level III, 4 digits) → the legal-form codes of the call definitions. A category absent here
# (an individual entrepreneur, a State service…) maps to no form: the checklist line is then left to a person.
_SCOP_CATEGORIES = {"5458", "5558", "5658"}
_EXACT = {
    **dict.fromkeys(_SCOP_CATEGORIES, "scic-scop"),
    "5460": "scic-scop", "5560": "scic-scop", "5660": "scic-scop",  # other cooperative SARL/SA (SCIC among them)
    "7354": "syndicat-mixte", "7355": "syndicat-mixte",
    "7470": "gip-gie", "6210": "gip-gie", "6220": "gip-gie",
    "7210": "collectivite", "7220": "collectivite", "7225": "collectivite", "7229": "collectivite",
    "7230": "collectivite", "7340": "collectivite", "7343": "collectivite", "7344": "collectivite",
    "7345": "collectivite", "7346": "collectivite", "7347": "collectivite", "7348": "collectivite",
    "7353": "collectivite", "7357": "collectivite",
    "4110": "entreprise-publique", "4120": "entreprise-publique", "4140": "entreprise-publique",
    "4150": "entreprise-publique", "4160": "entreprise-publique",
}
_PREFIXES = (("92", "association"), ("93", "fondation"), ("5", "entreprise-privee"))
LEGAL_CATEGORY_LABELS = {
    "1000": "Entrepreneur individuel",
    "5458": "SARL coopérative ouvrière de production (SCOP)",
    "5499": "Société à responsabilité limitée (SARL)",
    "5710": "Société par actions simplifiée (SAS)",
    "7210": "Commune et commune nouvelle",
    "7348": "Communauté d’agglomération",
    "7355": "Syndicat mixte ouvert",
    "9220": "Association déclarée",
    "9300": "Fondation",
}


def legal_form_for_category(category: str) -> str | None:
    category = (category or "").strip()
    if category in _EXACT:
        return _EXACT[category]
    for prefix, form in _PREFIXES:
        if category.startswith(prefix):
            return form
    return None


def lookup_enabled() -> bool:
    return bool(getattr(settings, "FABRIQUES_COMPANY_LOOKUP_URL", ""))


def company_search(query: str) -> list[Company]:
    """Up to five establishments matching a SIRET, a SIREN or a name; raises CompanyLookupError."""
    query = " ".join((query or "").split())
    digits = re.sub(r"[\s.\u00a0]", "", query)
    if _SIREN_OR_SIRET.match(digits):
        query = digits
    if len(query) < 3:
        return []
    data = _search_json(query)
    try:
        results = [_company(item, wanted_siret=digits if len(digits) == 14 else "") for item in data["results"]]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CompanyLookupError("réponse de l’annuaire des entreprises illisible") from exc
    if len(digits) == 14 and digits.isdigit():
        results = [c for c in results if c.siret == digits] or results
    return results[:MAX_RESULTS]


def company_by_siret(siret: str) -> Company | None:
    """The establishment with this SIRET, None when the directory does not know it; raises CompanyLookupError."""
    return next((c for c in company_search(siret) if c.siret == siret), None)


def _search_json(query: str) -> dict:
    base = getattr(settings, "FABRIQUES_COMPANY_LOOKUP_URL", "")
    if not base:
        raise CompanyLookupError("annuaire des entreprises non configuré")
    if not base.startswith(("http://", "https://")):
        raise CompanyLookupError("FABRIQUES_COMPANY_LOOKUP_URL doit commencer par http:// ou https://")
    params = {"q": query, "page": "1", "per_page": str(MAX_RESULTS)}
    url = f"{base.rstrip('/')}/search?{urllib.parse.urlencode(params)}"
    key = "company-lookup:" + hashlib.sha256(url.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=settings.FABRIQUES_COMPANY_LOOKUP_TIMEOUT) as response:  # noqa: S310  # nosec B310 - fixed https URL from settings
            data = json.loads(response.read(2_000_000))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        logger.warning("company lookup failed: %s", exc)
        raise CompanyLookupError("annuaire des entreprises indisponible") from exc
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise CompanyLookupError("réponse de l’annuaire des entreprises illisible")
    cache.set(key, data, settings.FABRIQUES_COMPANY_LOOKUP_CACHE_SECONDS)
    return data


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _company(item: dict, *, wanted_siret: str) -> Company:
    establishment = item.get("siege") or {}
    for candidate in item.get("matching_etablissements") or []:
        if wanted_siret and _text(candidate.get("siret")) == wanted_siret:
            establishment = candidate
            break
    complements = item.get("complements") or {}
    address = _text(establishment.get("adresse"))
    postcode = _text(establishment.get("code_postal"))
    commune_label = _text(establishment.get("libelle_commune"))
    # The API's address ends with "postcode COMMUNE": the form has a commune field of its own.
    street = address
    if postcode and postcode in address:
        street = address.split(postcode)[0].strip(" ,")
    active = _text(item.get("etat_administratif")) != "C" and _text(establishment.get("etat_administratif")) != "F"
    return Company(
        siren=_text(item["siren"]), siret=_text(establishment.get("siret")), name=_text(item.get("nom_complet")),
        legal_category=_text(item.get("nature_juridique")), address=street or address, postcode=postcode,
        commune_code=_text(establishment.get("commune")), commune_label=commune_label,
        naf=_text(establishment.get("activite_principale") or item.get("activite_principale")),
        rna=_text(complements.get("identifiant_association")),
        is_association=bool(complements.get("est_association")) or _text(item.get("nature_juridique")).startswith("92"),
        active=active,
    )


def registry_legal_form_check(organisation, forms: dict[str, str]) -> tuple[str, str] | None:
    """The legal-form line of the checklist as the directory's facts say it: ("ok" | "ko" | "pending", detail).

    `forms` maps the call's eligible legal-form codes to their labels. None when the organisation holds no facts
    from the directory (typed by hand): the line then reads the declared form, as before.
    """
    category = organisation.legal_category
    if not (organisation.registry_checked_at and category):
        return None
    label = LEGAL_CATEGORY_LABELS.get(category, f"catégorie juridique {category}")
    if organisation.registry_active is False:
        return "ko", f"Selon l’annuaire des entreprises, cet établissement est fermé ({label})."
    form = legal_form_for_category(category)
    if form is None:
        return "pending", f"{label} selon l’annuaire des entreprises : forme à vérifier par l’instructeur."
    if form in forms:
        return "ok", f"{forms[form]} selon l’annuaire des entreprises ({label}) : forme éligible."
    return "ko", f"{label} selon l’annuaire des entreprises : cette forme ne figure pas parmi les formes éligibles."
