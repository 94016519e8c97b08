"""Agents keep dashboard filters under a name (per agent) and find them again in one click."""

import pytest

from fabriques.instruction.models import SavedFilter

pytestmark = pytest.mark.django_db

URL = "/instruction/"


def test_an_agent_saves_the_current_filters_and_finds_them_on_the_dashboard(client, build, communes, occitanie):
    build(communes["toulouse"])
    client.force_login(occitanie["instructor"])
    page = client.get(URL, {"region": "76", "q": "", "page": "2"}).content.decode()
    assert 'name="query" value="region=76"' in page

    response = client.post("/instruction/filtres/", {"name": "  Occitanie   à voir ", "query": "region=76&page=2"})

    assert response.status_code == 302
    assert response["Location"] == "/instruction/?region=76"
    saved = SavedFilter.objects.get(user=occitanie["instructor"])
    assert (saved.name, saved.query) == ("Occitanie à voir", "region=76")
    page = client.get(URL).content.decode()
    assert '<a class="fr-tag" href="?region=76">Occitanie à voir</a>' in page
    client.post("/instruction/filtres/", {"name": "Occitanie à voir", "query": "region=76&state=deposited"})
    assert SavedFilter.objects.get(user=occitanie["instructor"]).query == "region=76&state=deposited"

    client.post(f"/instruction/filtres/{saved.pk}/supprimer/")
    assert not SavedFilter.objects.exists()


def test_a_filter_without_a_name_or_without_filters_is_refused_in_french(client, occitanie):
    client.force_login(occitanie["instructor"])

    no_name = client.post("/instruction/filtres/", {"name": " ", "query": "region=76"}, follow=True)
    nothing = client.post("/instruction/filtres/", {"name": "Vide", "query": "page=3"}, follow=True)

    assert "Donnez un nom à ce filtre." in no_name.content.decode()
    assert no_name.redirect_chain[-1][0] == "/instruction/?region=76"  # the filters chosen are kept
    assert "il n’y a rien à enregistrer" in nothing.content.decode()
    assert not SavedFilter.objects.exists()


def test_saved_filters_are_each_agent_s_own(client, occitanie):
    other = occitanie["other_instructor"]
    saved = SavedFilter.objects.create(user=other, name="Le mien", query="region=84", created_at="2026-01-01T00:00Z")
    client.force_login(occitanie["instructor"])

    assert "Le mien" not in client.get(URL).content.decode()
    client.post(f"/instruction/filtres/{saved.pk}/supprimer/")
    assert SavedFilter.objects.filter(pk=saved.pk).exists()


def test_only_agents_save_filters(client, make_user):
    client.force_login(make_user("porteur@exemple.fr"))

    assert client.post("/instruction/filtres/", {"name": "x", "query": "region=76"}).status_code == 403
