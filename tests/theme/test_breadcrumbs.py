"""Every secondary page has its way back: a DSFR breadcrumb (« fil d’Ariane ») or a « Retour » link.

The crawl reuses the permission matrix's world and rows: every URL that some role opens (200) is read as that role;
each full HTML page (with its <main>) other than the top-level entries of the header must hold one."""

import pytest

from tests.security.test_url_matrix import (  # noqa: F401 - the matrix's world and the fixtures it builds on
    KWARGS,
    ROLES,
    ROWS,
    applicant,
    commune,
    complete_dossier,
    deposited_dossier,
    dossier,
    media_root,
    organisation,
    track,
    world,
)

pytestmark = pytest.mark.django_db

# The header's entries (and the public-service pages of the footer, which the footer itself leads back from).
TOP_LEVEL = {
    "calls:home", "accounts:dashboard", "followup:index", "opendata:page",
}


def _pages_without_a_way_back(client, world) -> list[str]:  # noqa: F811 - the fixture imported above
    missing = []
    for name, (kwargs_key, statuses) in sorted(ROWS.items()):
        if name in TOP_LEVEL or name.startswith("api-v1:"):
            continue
        for role, status in zip(ROLES, statuses.split(), strict=True):
            if status != "200":
                continue
            client.logout()
            if world.users[role] is not None:
                client.force_login(world.users[role])
            from django.urls import reverse

            response = client.get(reverse(name, kwargs=KWARGS[kwargs_key](world) if kwargs_key else {}))
            html = response.content.decode() if "text/html" in response.get("Content-Type", "") else ""
            if "<main" in html and "fr-breadcrumb" not in html and ">Retour" not in html:
                missing.append(f"{name} ({role})")
            break  # one role per page is enough: the template is the same
    return missing


def test_every_secondary_page_has_a_breadcrumb_or_a_way_back(client, world):  # noqa: F811
    missing = _pages_without_a_way_back(client, world)
    assert missing == [], "pages without a breadcrumb or a « Retour » link:\n" + "\n".join(missing)
