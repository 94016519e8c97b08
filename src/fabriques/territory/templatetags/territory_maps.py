import uuid

from django import template

from fabriques.territory.maps import place_map
from fabriques.territory.tiles import allow_tiles, place_tiles, tile_source

register = template.Library()


@register.inclusion_tag("territory/map.html", takes_context=True)
def territory_map(context, location, radius_m: int = 3000):
    """{% territory_map location %}: an SVG map of a place (a Location or its as_dict()), with a text list.

    Offline unless a tile URL is set; then a basemap of XYZ tiles is drawn under the layers, and the request is
    marked so that its page's CSP allows the tile origins (territory.tiles.TileCspMiddleware)."""
    data = location.as_dict() if hasattr(location, "as_dict") else location
    drawn = place_map(data, radius_m=radius_m)
    source = tile_source()
    basemap = None
    if drawn is not None and source is not None:
        basemap = place_tiles(float(data["longitude"]), float(data["latitude"]), radius_m, source)
        allow_tiles(context.get("request"), source)
    return {
        "map": drawn,
        "uid": uuid.uuid4().hex[:8],
        "basemap": basemap,
        "tile_credit": source.credit if source else "",
    }
