"""The pages a French public service must have, linked from every page's footer."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = {
    "theme:legal": "Mentions légales",
    "theme:accessibility": "Déclaration d’accessibilité",
    "theme:personal_data": "Données personnelles",
    "theme:sitemap": "Plan du site",
    "theme:contact": "Contact",
}


def test_the_footer_links_every_public_service_page(client, call):
    footer = client.get("/").content.decode().split('id="footer"')[1]
    for name in PAGES:
        assert f'href="{reverse(name)}"' in footer
    assert "Accessibilité : non conforme" in footer


@pytest.mark.parametrize(("name", "title"), PAGES.items())
def test_each_page_opens_for_everyone(client, name, title, make_user):
    assert f"<h1>{title}</h1>" in client.get(reverse(name)).content.decode()
    client.force_login(make_user("lea@exemple.fr"))
    assert client.get(reverse(name)).status_code == 200


def test_the_accessibility_declaration_states_its_conformity_honestly(client):
    page = client.get(reverse("theme:accessibility")).content.decode()
    assert "<strong>non conforme</strong>" in page
    assert "aucun audit de conformité n’a encore été réalisé" in page
    assert "Défenseur des droits" in page


def test_the_contact_address_comes_from_the_settings(client, settings):
    settings.FABRIQUES_CONTACT_EMAIL = "aide@programme.example"
    for name in ("theme:contact", "theme:legal", "theme:personal_data", "theme:accessibility"):
        assert 'href="mailto:aide@programme.example"' in client.get(reverse(name)).content.decode()
