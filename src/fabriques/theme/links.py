"""URLs reversed once per process instead of on every page: the layout's fixed links, and the patterns of the links
a page repeats per object (a dossier's side menu: a dozen links that differ only by the dossier's uuid).

`reverse()` costs ≈ 20 µs of CPU; a dossier page reversed 37 URLs (header, footer, breadcrumb, side menu), a tenth
of the deposit page during the rush. Each memo is keyed on the script prefix and the URLconf in force, so a deployment
under a sub-path, a request with its own URLconf or a test overriding ROOT_URLCONF gets its own entries.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

UUID_SLOT = "00000000-0000-0000-0000-000000000000"  # a uuid no object has: the place of one in a reversed URL


def _urlconf() -> str:
    return get_urlconf() or settings.ROOT_URLCONF


@functools.lru_cache(maxsize=256)
def _fixed(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)


def fixed_url(name: str) -> str:
    """`reverse(name)` for a URL without arguments, computed once."""
    return _fixed(name, get_script_prefix(), _urlconf())


@functools.lru_cache(maxsize=256)
def _pattern(name: str, slots: tuple[str, ...], prefix: str, urlconf: str) -> str:
    url = reverse(name, args=slots, urlconf=urlconf).replace("{", "{{").replace("}", "}}")
    for i, slot in enumerate(slots):
        if url.count(slot) != 1:
            raise ValueError(f"placeholder {slot!r} must appear once in {url!r}")
        url = url.replace(slot, f"{{{i}}}")
    return url


def url_pattern(name: str, *slots: str) -> str:
    """The URL `name` reversed once with placeholder arguments (values its converters accept and that appear nowhere
    else in the path), as a pattern for `url_fill`."""
    return _pattern(name, slots, get_script_prefix(), _urlconf())


def url_fill(pattern: str, *args) -> str:
    """The pattern's placeholders replaced by `args`, quoted as `reverse()` quotes them."""
    return pattern.format(*(quote(str(arg), safe=RFC3986_SUBDELIMS + "/~:@") for arg in args))


def url_stem(name: str, *args) -> str:
    """The URL `name` for `args` and a last uuid, cut before that uuid: a list's rows append their own uuid and `/`
    (one reverse() per page, not per row)."""
    return reverse(name, args=[*args, UUID_SLOT]).removesuffix(f"{UUID_SLOT}/")
