"""Public, read-only endpoints on calls."""

from django.utils import timezone
from ninja import Router, Status

from fabriques.api.schemas import CallOut, CallSummaryOut, ErrorOut
from fabriques.calls import queries
from fabriques.calls.models import Call

router = Router(tags=["Appels"])


def _wave(wave, now) -> dict:
    return {
        "slug": wave.slug, "title": wave.title, "opens_at": wave.opens_at, "closes_at": wave.closes_at,
        "is_open": wave.is_open(now), "envelope_eur": wave.envelope_eur, "max_laureates": wave.max_laureates,
    }


@router.get("/calls", response=list[CallSummaryOut], summary="Liste des appels")
def list_calls(request):
    now = timezone.now()
    return [
        {
            "slug": c.slug, "title": c.title, "short_title": c.short_title, "programme": c.programme,
            "organiser": c.organiser, "url": f"/api/v1/calls/{c.slug}",
            "waves": [_wave(w, now) for w in c.waves.all()],
            "tracks": [t.slug for t in c.tracks.all()],
        }
        for c in queries.calls_with_waves()
    ]


@router.get("/calls/{slug}", response={200: CallOut, 404: ErrorOut}, summary="Un appel, complet")
def get_call(request, slug: str):
    try:
        call = queries.call_full(slug)
    except Call.DoesNotExist:
        return Status(404, {"code": "not_found", "message": f"Aucun appel « {slug} »."})
    now = timezone.now()
    return Status(200, {
        "slug": call.slug, "title": call.title, "short_title": call.short_title,
        "programme": call.programme, "organiser": call.organiser, "summary": call.summary,
        "qpv_vintage": call.qpv_vintage,
        "legal_forms": [f.code for f in call.legal_forms.all()],
        "waves": [_wave(w, now) for w in call.waves.all()],
        "tracks": [
            {
                "slug": t.slug, "title": t.title, "description": t.description,
                "amount_min_eur": t.amount_min_eur, "amount_max_eur": t.amount_max_eur,
                "duration_years": t.duration_years, "per_year_cap_eur": t.per_year_cap_eur,
                "rules": list(t.rules.all()),
            }
            for t in call.tracks.all()
        ],
        "criteria": [
            {
                "code": c.code, "position": c.position, "title": c.title, "question": c.question,
                "guidance": c.guidance, "kind": c.kind, "weight": c.weight, "scale_min": c.scale_min,
                "scale_max": c.scale_max, "scale_step": c.scale_step, "threshold": c.threshold,
                "max_length": c.max_length, "tracks": [t.slug for t in c.tracks.all()],
                "references": list(c.references.all()),
            }
            for c in call.criteria.all()
        ],
        "attachments": [
            {
                "code": a.code, "label": a.label, "required": a.required, "allowed_types": a.allowed_types,
                "max_size_mb": a.max_size_mb, "max_files": a.max_files,
                "tracks": [t.slug for t in a.tracks.all()],
            }
            for a in call.attachments.all()
        ],
        "targets": [
            {
                "kind": t.kind, "scope": t.scope, "value": t.value, "label": t.label,
                "track": t.track.slug if t.track else None, "region_code": t.region_code,
            }
            for t in call.targets.all()
        ],
    })
