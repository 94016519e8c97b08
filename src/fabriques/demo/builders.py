"""Build realistic dossiers through the real domain functions (demo content and tests).

Every dossier is written the way an applicant would write it: organisation, place,
answers, a balanced budget, attachments, then a deposit with its fingerprint.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from fabriques.accounts.models import Organisation, User
from fabriques.dossiers import domain as dossier_domain
from fabriques.dossiers import queries as dossier_queries
from fabriques.dossiers.deposit import deposit_key_issue, dossier_deposit
from fabriques.dossiers.enums import BudgetKind
from fabriques.dossiers.models import Dossier

# A tiny but well-formed PDF: enough for the content check by bytes.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


# Valid SIRET numbers (Luhn key) are generated from a 13-digit stem.
def siret_for(stem: int) -> str:
    digits = f"{stem % 10**13:013d}"
    for last in range(10):
        candidate = digits + str(last)
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


PHRASES = [
    "Le lieu accueille chaque semaine des habitants du quartier, des associations et des indépendants.",
    "Un comité d’usagers se réunit tous les mois pour décider de la programmation et des règles communes.",
    "Nous animons des ateliers de réparation, de fabrication numérique et d’accompagnement aux démarches en ligne.",
    "Les partenaires locaux, la commune et l’intercommunalité soutiennent le projet depuis son lancement.",
    "La Fabrique mettra ses outils et ses méthodes à disposition des autres tiers-lieux du territoire.",
    "Les recettes propres proviennent de la location d’espaces, des formations et de prestations de services.",
    "Nous documentons nos pratiques sous licence libre pour qu’elles puissent être reprises ailleurs.",
    "Des formations certifiantes sont proposées avec les organismes de formation du bassin d’emploi.",
]


@dataclass
class BuiltDossier:
    dossier: Dossier
    owner: User


def _answer_text(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(PHRASES) for _ in range(sentences))


def balanced_budget(*, duration: int, requested_per_year: int, rng: random.Random) -> list[dossier_domain.LineData]:
    """Charges equal resources each year; the State's share is `requested_per_year`."""
    lines = []
    for year in range(1, duration + 1):
        own = rng.randrange(10, 80) * 1000
        cofunding = rng.randrange(0, 40) * 1000
        total = requested_per_year + own + cofunding
        staff = total * 6 // 10
        lines += [
            dossier_domain.LineData(year, BudgetKind.CHARGE, "personnel", "Salaires et charges", staff),
            dossier_domain.LineData(year, BudgetKind.CHARGE, "fonctionnement", "Fonctionnement du lieu", total - staff),
            dossier_domain.LineData(
                year, BudgetKind.RESOURCE, "etat", "Aide demandée à l’État", requested_per_year, is_state_request=True
            ),
            dossier_domain.LineData(year, BudgetKind.RESOURCE, "recettes", "Recettes propres", own),
        ]
        if cofunding:
            lines.append(
                dossier_domain.LineData(
                    year, BudgetKind.RESOURCE, "collectivites", "Région", cofunding, cofunder="Conseil régional"
                )
            )
    return lines


def build_dossier(
    *,
    wave,
    track,
    owner: User,
    commune,
    rng: random.Random,
    place_name: str,
    deposit: bool = True,
    latitude: float | None = None,
    longitude: float | None = None,
    organisation: Organisation | None = None,
) -> BuiltDossier:
    """A complete dossier written through the domain functions, deposited if asked (the wave must be open)."""
    call = wave.call
    legal_forms = list(call.legal_forms.values_list("code", flat=True))
    if organisation is None:
        organisation = dossier_domain.organisation_save(
            by=owner,
            name=f"Association {place_name}",
            legal_form=legal_forms[0],
            siret=siret_for(rng.randrange(10**12, 10**13)),
            address="1 place de la Mairie",
            commune=commune,
        )
    dossier = dossier_domain.dossier_create(wave=wave, track=track, organisation=organisation, by=owner)
    dossier = dossier_domain.place_save(
        dossier=dossier,
        by=owner,
        base_version=dossier.place_version,
        name=place_name,
        status="existing",
        address=f"{rng.randrange(1, 120)} rue de la République",
        commune=commune,
        latitude=latitude,
        longitude=longitude,
    )
    for criterion in dossier_queries.criteria_for(dossier):
        dossier_domain.answer_save(
            dossier=dossier,
            criterion=criterion,
            text=_answer_text(rng, rng.randrange(3, 9)),
            base_version=0,
            by=owner,
        )
    per_year = min(track.per_year_cap_eur or track.amount_max_eur, track.amount_max_eur // track.duration_years)
    per_year = max(per_year - rng.randrange(0, 5) * 5000, -(-track.amount_min_eur // track.duration_years))
    dossier = dossier_domain.budget_save(
        dossier=dossier,
        by=owner,
        base_version=dossier.budget_version,
        lines=balanced_budget(duration=track.duration_years, requested_per_year=per_year, rng=rng),
    )
    for required in dossier_queries.required_attachments_for(dossier):
        upload = SimpleUploadedFile(f"{required.code}.pdf", MINIMAL_PDF, content_type="application/pdf")
        dossier_domain.attachment_add(dossier=dossier, required=required, upload=upload, by=owner)
    if deposit:
        dossier_deposit(dossier=dossier, by=owner, submission_key=deposit_key_issue(dossier=dossier))
    dossier.refresh_from_db()
    return BuiltDossier(dossier=dossier, owner=owner)
