"""The map page: laureates for everyone, plus the dossiers an agent may see; filters by wave, track, région."""

from django import forms
from django.shortcuts import render
from dsfr.forms import DsfrBaseForm

from fabriques.calls.models import Call, Track, Wave
from fabriques.dossiers.enums import DossierState
from fabriques.instruction.rules import dossiers_for_instruction
from fabriques.opendata import maps, queries
from fabriques.territory.enums import REGION_NAMES
from fabriques.territory.tiles import allow_tiles, tile_source, tiles

AGENT_POINTS_MAX = 5000
STATE_LABELS = dict(DossierState.choices)


class MapFilterForm(DsfrBaseForm):
    wave = forms.ChoiceField(label="Vague", required=False)
    track = forms.ChoiceField(label="Entrée", required=False)
    region = forms.ChoiceField(label="Région", required=False,
                               choices=[("", "Toute la France métropolitaine"),
                                        *sorted(REGION_NAMES.items(), key=lambda kv: kv[1])])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].choices = [("", "Toutes les vagues"), *Wave.objects.order_by("opens_at").values_list(
            "slug", "title").distinct()]
        self.fields["track"].choices = [("", "Toutes les entrées"), *Track.objects.order_by("title").values_list(
            "slug", "title").distinct()]


def _laureates(wave, track, region) -> list[dict]:
    return [
        {"label": r["nom_lieu"] or r["reference"], "commune": r["commune"], "track": r["entree_libelle"],
         "wave": r["vague_libelle"], "state": "Lauréat", "latitude": r["latitude"], "longitude": r["longitude"]}
        for r in queries.laureate_records(queries.laureates(wave=wave, track=track, region=region))
    ]


def _agent_dossiers(user, wave, track, region) -> list[dict]:
    qs = dossiers_for_instruction(user).exclude(state=DossierState.LAUREATE, decision__applied_at__isnull=False)
    if wave:
        qs = qs.filter(wave__slug=wave)
    if track:
        qs = qs.filter(track__slug=track)
    if region:
        qs = qs.filter(place_commune__region_code=region)
    rows = qs.order_by("reference").values_list(
        "reference", "place_name", "place_commune__name", "track__title", "wave__title", "state", "place_latitude",
        "place_longitude", "place_commune__latitude", "place_commune__longitude")[:AGENT_POINTS_MAX]
    return [
        {"label": f"{ref} — {place}" if place else ref, "commune": commune or "", "track": track_title,
         "wave": wave_title, "state": STATE_LABELS.get(state, state),
         "latitude": lat if lat is not None else clat, "longitude": lon if lon is not None else clon}
        for ref, place, commune, track_title, wave_title, state, lat, lon, clat, clon in rows
    ]


def map_page(request):
    form = MapFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    wave, track, region = data.get("wave", ""), data.get("track", ""), data.get("region", "")
    source = tile_source()
    frame = maps.frame_for(region, crs=maps.MERCATOR if source else maps.L93)
    vintage = Call.objects.order_by("-qpv_vintage").values_list("qpv_vintage", flat=True).first() or 2024
    laureates = maps.map_points(_laureates(wave, track, region), frame)
    dossiers = maps.map_points(_agent_dossiers(request.user, wave, track, region), frame)
    if source:  # the tile server is allowed on this page only, and only when one is configured
        allow_tiles(request, source)
    return render(request, "opendata/map.html", {
        "form": form, "frame": frame, "qpv": maps.qpv_paths(frame, vintage), "census": maps.census_points(frame),
        "laureates": laureates, "dossiers": dossiers, "vintage": vintage,
        "outside": sum(1 for p in laureates + dossiers if p.x is None),
        "tiles": tiles(frame, source) if source else [],
        "tile_attribution": source.credit if source else "",
    })
