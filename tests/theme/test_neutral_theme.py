"""The neutral theme (FABRIQUES_THEME=neutral): no DSFR asset nor State mark, the deployer's name, logo and colour
from settings, accessible and usable at 375 px. The whole browser suite also runs under it (see README)."""

import copy

import pytest
from django.urls import reverse

from fabriques.theme.colours import contrast_with_white, primary_colour_check

NEUTRAL_DIR = "theme/neutral/templates"


def theme_apply(settings, name: str) -> None:
    """What FABRIQUES_THEME does at start-up, applied to a running test (templates are reloaded)."""
    from fabriques.settings import BASE_DIR

    settings.FABRIQUES_THEME = name
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [BASE_DIR / "theme" / "neutral" / "templates"] if name == "neutral" else []
    settings.TEMPLATES = templates


@pytest.fixture
def neutral(settings):
    theme_apply(settings, "neutral")
    settings.FABRIQUES_SITE_NAME = "Tiers-lieux en Occitanie"
    settings.FABRIQUES_SITE_TAGLINE = "L’appel à projets de la Région"
    settings.FABRIQUES_SITE_LOGO = "theme/neutral/example-logo.svg"
    settings.FABRIQUES_SITE_LOGO_ALT = "Région Occitanie"
    settings.FABRIQUES_THEME_PRIMARY, settings.FABRIQUES_THEME_PRIMARY_HOVER = "#8a1538", "#6e102c"
    yield
    theme_apply(settings, "dsfr")


@pytest.mark.django_db
def test_neutral_pages_carry_no_dsfr_asset_nor_state_mark(client, call, neutral):
    for url in ("/", reverse("calls:detail", kwargs={"slug": call.slug}), reverse("account_login"),
                reverse("theme:legal")):
        page = client.get(url).content.decode()
        assert "/static/dsfr/" not in page, url
        assert "République" not in page, url
        assert "Tiers-lieux en Occitanie" in page
        assert 'src="/static/theme/neutral/example-logo.svg" alt="Région Occitanie"' in page
        assert f'href="{reverse("theme:colours")}"' in page


@pytest.mark.django_db
def test_the_dsfr_theme_is_unchanged(client, call):
    page = client.get("/").content.decode()
    assert "/static/dsfr/" in page
    assert "République" in page


@pytest.mark.django_db
def test_the_colours_come_from_settings(client, neutral):
    response = client.get(reverse("theme:colours"))
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response.content.decode() == ":root { --primary: #8a1538; --primary-hover: #6e102c; --accent: #8a1538; }\n"


def test_an_unreadable_colour_is_refused_in_french():
    assert primary_colour_check("#2B4B73") == "#2b4b73"
    assert contrast_with_white("#000000") == pytest.approx(21)
    with pytest.raises(ValueError, match=r"contraste de 1\.51:1 avec le blanc"):
        primary_colour_check("#ffcc00")
    with pytest.raises(ValueError, match="attendue au format #rrggbb"):
        primary_colour_check("rouge")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1280])
def test_neutral_public_pages_are_accessible_and_fit(live_server, page, call, neutral, width, axe_check, screenshot):
    from fabriques.demo.domain import demo_open_wave

    demo_open_wave(call=call)
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/", reverse("calls:detail", kwargs={"slug": call.slug}), reverse("account_login"),
                 reverse("account_signup"), reverse("theme:legal"), reverse("opendata:page")):
        page.goto(live_server.url + path)
        assert page.locator("link[href*='/static/dsfr/']").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        axe_check(f"{path} at {width}px")
    page.goto(live_server.url + "/")
    screenshot(f"home-{width}")
    assert page.evaluate("getComputedStyle(document.querySelector('.fr-header')).borderBottomColor") == (
        "rgb(138, 21, 56)")
