"""URLs reversed once per process (`theme.links`) give exactly what `reverse()` gives, under any script prefix."""

import uuid

import pytest
from django.urls import reverse, set_script_prefix

from fabriques.theme.links import fixed_url, url_fill, url_pattern


@pytest.fixture
def prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("path_prefix", ["/", "/sous-chemin/"])
def test_filled_patterns_and_fixed_urls_are_what_reverse_gives(prefix, path_prefix):
    prefix(path_prefix)
    some = uuid.uuid4()
    pattern = url_pattern("dossiers:answer", "00000000-0000-0000-0000-000000000000", "code-slot")
    assert url_fill(pattern, some, "gouvernance_2") == reverse("dossiers:answer", args=[some, "gouvernance_2"])
    assert url_fill(url_pattern("advice:dossier", "00000000-0000-0000-0000-000000000000"), some) == reverse(
        "advice:dossier", args=[some])
    assert fixed_url("accounts:dashboard") == reverse("accounts:dashboard")
    assert fixed_url("accounts:dashboard").startswith(path_prefix)


def test_a_placeholder_that_is_not_in_the_url_once_is_refused():
    with pytest.raises(ValueError, match="must appear once"):
        url_pattern("dossiers:answer", "00000000-0000-0000-0000-000000000000", "criteres")  # also in the path
