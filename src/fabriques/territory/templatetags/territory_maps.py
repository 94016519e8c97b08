import uuid

from django import template
from django.conf import settings

from fabriques.territory.maps import place_map

register = template.Library()


@register.inclusion_tag("territory/map.html")
def territory_map(location, radius_m: int = 3000):
    """{% territory_map location %}: an offline SVG map of a place (a Location or its as_dict()), with a text list."""
    data = location.as_dict() if hasattr(location, "as_dict") else location
    return {
        "map": place_map(data, radius_m=radius_m),
        "uid": uuid.uuid4().hex[:8],
        "tiles_configured": bool(getattr(settings, "FABRIQUES_TILE_URL", "")),
    }
