"""The dossier's side menu, built in Python from URL patterns reversed once (`theme.links`), links every section of
the dossier in order and marks the current one, as the template did."""

import re

import pytest
from django.urls import reverse

from fabriques.dossiers import queries


@pytest.mark.django_db
def test_the_side_menu_links_every_section_and_marks_the_current_one(client, dossier, applicant):
    client.force_login(applicant)
    criteria = queries.criteria_for(dossier)
    current = criteria[1]
    html = client.get(reverse("dossiers:answer", args=[dossier.uuid, current.code])).content.decode()
    menu = html[html.index('<ul class="fr-sidemenu__list">'):html.index("</ul>", html.index("fr-sidemenu__list"))]
    links = re.findall(r'<li class="fr-sidemenu__item( fr-sidemenu__item--active)?"><a class="fr-sidemenu__link" '
                       r'href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>', menu)
    expected = [reverse("dossiers:detail", args=[dossier.uuid]), reverse("dossiers:place", args=[dossier.uuid]),
                *(reverse("dossiers:answer", args=[dossier.uuid, c.code]) for c in criteria),
                *(reverse(name, args=[dossier.uuid]) for name in (
                    "dossiers:budget", "dossiers:attachments", "dossiers:cowriters", "advice:dossier",
                    "dossiers:selfcheck", "dossiers:deposit"))]
    assert [href for _, href, _, _ in links] == expected
    assert [label for *_, label in links][2:2 + len(criteria)] == [f"{c.position}. {c.title}" for c in criteria]
    assert [(active, current_page) for active, href, current_page, _ in links if active or current_page] == [
        (" fr-sidemenu__item--active", ' aria-current="page"')]
    assert links[2 + 1][1] == reverse("dossiers:answer", args=[dossier.uuid, current.code])
    assert links[2 + 1][0]
