"""The site's look in one place: the DSFR (State sites) or a neutral theme for other deployers.

django-dsfr's own context processor reads a DsfrConfig row on every request; this one
builds the same SITE_CONFIG from settings, with no query.
"""

from types import SimpleNamespace

from django.conf import settings
from django.templatetags.static import static

_DSFR = SimpleNamespace(
    site_title="Fabriques",
    site_tagline="Candidater et instruire l’AMI Tiers-lieux « Fabriques de territoire »",
    header_brand_html="République<br>Française",
    footer_brand_html="République<br>Française",
    footer_description=(
        "Fabriques est un logiciel libre qui conduit l’appel à manifestation d’intérêt "
        "Tiers-lieux, du dépôt des dossiers à la décision et au suivi des lauréats."
    ),
    beta_tag=True,
    mourning=False,
    notice_title="",
    notice_description="",
    operator_logo_file=None,
    operator_logo_alt="",
    operator_logo_width=0,
    accessibility_status="NOT",
    footer_links=[],
    social_media=[],
)


def _neutral() -> SimpleNamespace:
    """The neutral theme's identity, from settings (name, tagline, logo); no State mark."""
    logo = settings.FABRIQUES_SITE_LOGO
    if logo and not logo.startswith("/"):
        logo = static(logo)
    return SimpleNamespace(
        site_title=settings.FABRIQUES_SITE_NAME, site_tagline=settings.FABRIQUES_SITE_TAGLINE,
        header_brand_html="", footer_brand_html="", footer_description=_DSFR.footer_description,
        beta_tag=False, mourning=False, notice_title="", notice_description="", logo_url=logo,
        logo_alt=settings.FABRIQUES_SITE_LOGO_ALT or (f"Logo de {settings.FABRIQUES_SITE_NAME}" if logo else ""),
        favicon_url="", accessibility_status="NOT", footer_links=[], social_media=[],
    )


def site_config(request):
    """Expose SITE_CONFIG and THEME to every template."""
    return {
        "SITE_CONFIG": _neutral() if settings.FABRIQUES_THEME == "neutral" else _DSFR,
        "THEME": settings.FABRIQUES_THEME, "CONTACT_EMAIL": settings.FABRIQUES_CONTACT_EMAIL,
        "DEV_INBOX": bool(settings.DEBUG and settings.FABRIQUES_DEV_INBOX_DIR),
    }
