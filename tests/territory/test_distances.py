"""Distances right in every territory: the engine against an independent geodesic reference.

The reference does not use `fabriques.territory.geometry`: each point gets its own azimuthal equidistant
projection (PROJ `aeqd` on the GRS80 ellipsoid, centred on the point), in which the distance from the centre to any
point is the geodesic distance; the QPV perimeters, densified every 0.0005° in lon/lat, are projected there and
the smallest distance from the origin is the geodesic distance to the nearest perimeter.
"""

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from fabriques.territory.geometry import TERRITORIES, territory_of
from fabriques.territory.index import qpv_index
from fabriques.territory.locate import locate_points

pytestmark = pytest.mark.django_db

GEOD = Geod(ellps="GRS80")


def geodesic_reference(lons, lats, perimeters: np.ndarray) -> np.ndarray:
    """Geodesic distance (metres) from each lon/lat point to the nearest of the lon/lat perimeters, 0 inside."""
    dense = shapely.segmentize(perimeters, 0.0005)
    centres = shapely.centroid(perimeters)
    result = []
    for lon, lat in zip(lons, lats, strict=True):
        # Candidates: the 40 perimeters whose centre is nearest (geodesic), enough for any nearest perimeter.
        _, _, to_centres = GEOD.inv(np.full(len(centres), lon), np.full(len(centres), lat),
                                    shapely.get_x(centres), shapely.get_y(centres))
        candidates = dense[np.argsort(to_centres)[:40]]
        aeqd = Transformer.from_crs(
            "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=GRS80 +units=m", always_xy=True
        )
        projected = shapely.transform(candidates, lambda xy, t=aeqd: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
        result.append(float(shapely.distance(shapely.Point(0, 0), projected).min()))
    return np.array(result)


def _points_in(key: str):
    """Lists of lon/lat points drawn uniformly in the boxes of a territory (land or sea)."""
    territory = next(t for t in TERRITORIES if t.key == key)

    @st.composite
    def point(draw):
        west, south, east, north = draw(st.sampled_from(territory.boxes))
        return draw(st.floats(west, east, allow_nan=False)), draw(st.floats(south, north, allow_nan=False))

    return st.lists(point(), min_size=3, max_size=8)


WITH_QPV = ["metropole", "antilles", "saint-martin", "guyane", "reunion", "mayotte", "polynesie"]


@pytest.mark.parametrize("key", WITH_QPV)
def test_distances_are_geodesic_in_every_territory(qpv2024_loaded, key):
    index = qpv_index(2024)

    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(points=_points_in(key))
    def check(points):
        lons, lats = np.array([p[0] for p in points]), np.array([p[1] for p in points])
        assert all(territory_of(lon, lat).key == key for lon, lat in points)
        bulk = locate_points(lons, lats, vintage=2024)
        reference = geodesic_reference(lons, lats, index.lonlat)
        error = np.abs(bulk.distance_m - reference)
        assert (error <= np.maximum(0.005 * reference, 2)).all(), (points, bulk.distance_m, reference)

    check()


def test_the_old_lambert_93_error_overseas_is_gone(qpv2024_loaded):
    """Réunion: a point 4 km east of a QPV's east-most vertex is about 4 km away, not 7.5 km (Lambert-93)."""
    index = qpv_index(2024)
    at = next(i for i, code in enumerate(index.codes) if code.startswith("QN974"))
    coords = shapely.get_coordinates(index.lonlat[at])
    lon, lat = coords[np.argmax(coords[:, 0])]
    lon2, lat2, _ = GEOD.fwd(lon, lat, 90, 4000)
    bulk = locate_points([lon2], [lat2], vintage=2024)
    reference = geodesic_reference([lon2], [lat2], index.lonlat)[0]
    assert reference <= 4000
    assert bulk.distance_m[0] == pytest.approx(reference, abs=2)


def test_the_place_map_overseas_is_drawn_in_true_metres(qpv2024_loaded):
    """Réunion: the map is in RGR92 / UTM 40S, so the distance it lists is the geodesic one (Lambert-93: ×1.9)."""
    from fabriques.territory.maps import place_map

    index = qpv_index(2024)
    at = next(i for i, code in enumerate(index.codes) if code.startswith("QN974"))
    coords = shapely.get_coordinates(index.lonlat[at])
    lon, lat = coords[np.argmax(coords[:, 0])]
    lon2, lat2, _ = GEOD.fwd(lon, lat, 90, 600)
    reference = geodesic_reference([lon2], [lat2], index.lonlat)[0]
    drawn = place_map({"latitude": lat2, "longitude": lon2, "qpv": {"vintage": 2024}})
    assert drawn.qpv[0].distance_m == pytest.approx(reference, abs=2)


def test_a_reunion_commune_a_few_km_from_a_qpv_goes_to_the_instructor(territory_loaded, numerique):
    """The issue's case: with only the commune's point, 500 m + 5 km margin; Lambert-93 made 4 km into 7.8 km."""
    from fabriques.territory.eligibility import eligibility_report
    from fabriques.territory.locate import locate
    from fabriques.territory.models import Commune

    index = qpv_index(2024)
    checked = 0
    for code, lon, lat in Commune.objects.filter(departement_code="974").values_list("code", "longitude", "latitude"):
        location = locate(commune_code=code)
        reference = geodesic_reference([lon], [lat], index.lonlat)[0]
        assert abs(location.qpv.distance_m - reference) <= max(0.005 * reference, 2), code
        if 500 < reference <= 5500:
            checked += 1
            report = eligibility_report(track=numerique, commune_code=code)
            assert next(r for r in report.results if r.kind == "qpv_proximity").status == "manual", code
    assert checked >= 1
