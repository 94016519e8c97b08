"""Factories for dossiers tests (importable by other apps' tests: `from tests.dossiers.factories import ...`)."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from fabriques.dossiers import domain
from fabriques.dossiers.enums import BudgetKind, ChargeCategory, PlaceStatus, ResourceCategory
from fabriques.territory.models import Commune, search_key

VALID_SIRET = "73282932000074"  # a real-format SIRET with a valid Luhn key


def small_pdf(text: str = "Fabriques") -> bytes:
    """A minimal, well-formed one-page PDF."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def small_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def small_ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def make_commune(*, code="69123", name="Lyon", dep="69", region="84", lat=45.758, lon=4.835) -> Commune:
    commune, _ = Commune.objects.get_or_create(
        code=code,
        defaults={"name": name, "departement_code": dep, "region_code": region, "latitude": lat, "longitude": lon,
                  "search_name": search_key(name)},
    )
    return commune


def standard_budget(track, *, state_per_year=50000, charges_per_year=120000):
    """A balanced budget: per year, charges = state request + own resources + one co-funder."""
    lines = []
    for year in range(1, track.duration_years + 1):
        lines.append(domain.LineData(year, BudgetKind.CHARGE, ChargeCategory.PERSONNEL.value, "Personnel",
                                     charges_per_year))
        lines.append(domain.LineData(year, BudgetKind.RESOURCE, ResourceCategory.STATE.value, "État",
                                     state_per_year, is_state_request=True))
        rest = charges_per_year - state_per_year
        lines.append(domain.LineData(year, BudgetKind.RESOURCE, ResourceCategory.OWN.value, "Propres", rest // 2))
        lines.append(domain.LineData(year, BudgetKind.RESOURCE, ResourceCategory.COFUNDING.value, "Cofinancement",
                                     rest - rest // 2, cofunder="Région"))
    return lines


def dossier_fill(*, dossier, by):
    """Fill every section of the dossier so that it is complete (place, answers, budget, attachments)."""
    from fabriques.dossiers import queries

    dossier = domain.place_save(
        dossier=dossier, by=by, base_version=dossier.place_version, name="La Fabrique des Pentes",
        status=PlaceStatus.EXISTING, address="12 rue des Tables Claudiennes", commune=make_commune(),
    )
    for criterion in queries.criteria_for(dossier):
        domain.answer_save(dossier=dossier, criterion=criterion, base_version=0, by=by,
                           text=f"Notre réponse sur « {criterion.title} » : usagers, partenaires, exemples.")
    dossier = domain.budget_save(dossier=dossier, by=by, base_version=dossier.budget_version,
                                 lines=standard_budget(dossier.track))
    for required in queries.required_attachments_for(dossier):
        if required.required:
            domain.attachment_add(dossier=dossier, required=required, by=by,
                                  upload=upload(f"{required.code}.pdf", small_pdf(required.code)))
    dossier.refresh_from_db()
    return dossier


