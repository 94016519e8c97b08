"""The site's look in one place: the DSFR (State sites) or a neutral theme for other deployers.

django-dsfr's own context processor reads a DsfrConfig row on every request; this one
builds the same SITE_CONFIG from settings, with no query.
"""

from types import SimpleNamespace

from django.conf import settings

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


def site_config(request):
    """Expose SITE_CONFIG and THEME to every template."""
    return {
        "SITE_CONFIG": _DSFR, "THEME": settings.FABRIQUES_THEME, "CONTACT_EMAIL": settings.FABRIQUES_CONTACT_EMAIL,
        "DEV_INBOX": bool(settings.DEBUG and settings.FABRIQUES_DEV_INBOX_DIR),
    }
