"""How tests/data/territory_reference_places.csv was computed — independently of fabriques.territory.

Run from the repository root: .venv/bin/python tests/data/territory_reference_places.py
It reads only the shipped reference files (raw GeoJSON/CSV, json + shapely + pyproj, no Fabriques code):

- places: public data — the tiers-lieux of the 2019 census (CGET) that lie within 300 m of a commune border
  (first 24 by census id), every census place overseas (971–976), plus hand-picked points: a place in
  Val-de-Reuil by Le Vaudreuil, the town centre of Cayenne, Saint-Denis de La Réunion, Mamoudzou;
- expected commune: the one whose source polygon (communes_cog2024_geom2018_gregoiredavid_*.geojson.gz) contains
  the point, a plain shapely `contains` (`-` when none);
- nearest commune centre: the nearest point of communes_2022_centroids (planar lon/lat scaled by cos(lat)), to show
  where the old method went wrong;
- expected QPV 2024 and distance: every perimeter of qpv2024_anct_simplified.geojson.gz made valid
  (shapely.make_valid), densified every 0.0005°, projected to an azimuthal equidistant projection centred on the
  place (PROJ aeqd on GRS80: distances from the centre are geodesic); smallest distance from the origin, 0 inside.
"""

import csv
import gzip
import io
import json
import math
from pathlib import Path

import numpy as np
import shapely
import shapely.geometry
from pyproj import Geod, Transformer

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "src" / "fabriques" / "territory" / "reference"
OUT = Path(__file__).with_suffix(".csv")
GEOD = Geod(ellps="GRS80")

EXTRA = [
    ("val-de-reuil", 49.2695, 1.2150, "Val-de-Reuil, près du Vaudreuil"),
    ("cayenne-centre", 4.9372, -52.3260, "Cayenne, centre-ville"),
    ("saint-denis-974", -20.8823, 55.4504, "Saint-Denis (La Réunion)"),
    ("mamoudzou", -12.7806, 45.2279, "Mamoudzou (Mayotte)"),
    ("fort-de-france", 14.6037, -61.0731, "Fort-de-France (Martinique)"),
]


def read_gz_json(path):
    with gzip.open(path, "rb") as handle:
        return json.load(handle)


def main():
    features = []
    for path in sorted((REFERENCE / "communes").glob("communes_cog2024_geom2018_gregoiredavid_*.geojson.gz")):
        features += read_gz_json(path)["features"]
    codes = np.array([f["properties"]["code"] for f in features])
    names = {f["properties"]["code"]: f["properties"]["nom"] for f in features}
    shapes = np.array([shapely.geometry.shape(f["geometry"]) for f in features])
    tree = shapely.STRtree(shapes)
    borders = shapely.STRtree(shapely.boundary(shapes))

    with gzip.open(REFERENCE / "communes" / "communes_2022_centroids.csv.gz", "rt", encoding="utf-8") as handle:
        centres = [r for r in csv.DictReader(handle) if not r["commune_parente"] or r["commune_parente"] == ""]
    parents = {r["commune_parente"] for r in centres if r["commune_parente"]}
    centres = [r for r in centres if r["code_insee"] not in parents]
    c_lon = np.array([float(r["longitude"]) for r in centres])
    c_lat = np.array([float(r["latitude"]) for r in centres])

    qpv = read_gz_json(REFERENCE / "qpv" / "qpv2024_anct_simplified.geojson.gz")["features"]
    q_codes = [f["properties"]["code_qp"] for f in qpv]
    q_shapes = np.array([shapely.make_valid(shapely.geometry.shape(f["geometry"])) for f in qpv])
    q_dense = shapely.segmentize(q_shapes, 0.0005)
    q_centres = shapely.centroid(q_shapes)

    with gzip.open(REFERENCE / "tiers_lieux" / "cget_tiers_lieux_2019.csv.gz", "rb") as handle:
        census = list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))
    places, near_border = [], []
    for row in sorted(census, key=lambda r: int(r["ID"])):
        lat, lon = float(row["LAT"]), float(row["LONG"])
        overseas = row["INSEEDEP"].startswith("97")
        if overseas:
            places.append((f"tl-{row['ID']}", lat, lon, row["NOM_TL"][:60]))
            continue
        if len(near_border) < 24:
            point = shapely.Point(lon, lat)
            nearest = borders.query_nearest(point, max_distance=0.01)
            if len(nearest):
                line = shapely.shortest_line(point, borders.geometries[nearest[0]])
                (x0, y0), (x1, y1) = shapely.get_coordinates(line)
                if GEOD.inv(x0, y0, x1, y1)[2] <= 300:
                    near_border.append((f"tl-{row['ID']}", lat, lon, row["NOM_TL"][:60]))
    places = near_border + places + EXTRA

    rows = []
    for place_id, lat, lon, label in places:
        point = shapely.Point(lon, lat)
        hits = [codes[i] for i in tree.query(point) if shapes[i].contains(point)]
        commune = hits[0] if hits else "-"
        scale = math.cos(math.radians(lat))
        centre = centres[int(np.argmin(((c_lon - lon) * scale) ** 2 + (c_lat - lat) ** 2))]["code_insee"]
        _, _, to_centres = GEOD.inv(np.full(len(q_centres), lon), np.full(len(q_centres), lat),
                                    shapely.get_x(q_centres), shapely.get_y(q_centres))
        candidates = np.argsort(to_centres)[:40]
        aeqd = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=GRS80 +units=m",
                                    always_xy=True)
        projected = shapely.transform(q_dense[candidates],
                                      lambda xy, t=aeqd: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
        distances = shapely.distance(shapely.Point(0, 0), projected)
        best = int(np.argmin(distances))
        rows.append([place_id, f"{lat:.6f}", f"{lon:.6f}", commune, names.get(commune, ""), centre,
                     q_codes[candidates[best]], f"{distances[best]:.1f}", label])
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "latitude", "longitude", "commune_attendue", "nom_commune", "commune_centre_proche",
                         "qpv2024_attendu", "distance_qpv2024_m", "libelle"])
        writer.writerows(rows)
    print(f"{len(rows)} places written to {OUT}")  # noqa: T201 - a script


if __name__ == "__main__":
    main()
