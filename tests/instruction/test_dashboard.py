import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fabriques.accounts.enums import Role
from fabriques.evaluation.models import DossierScore
from fabriques.instruction.models import DashboardPreference

pytestmark = pytest.mark.django_db

URL = "/instruction/"


def _refs(response) -> list[str]:
    return [d.reference for d in response.context["page"].object_list]


def test_an_instructor_sees_only_the_dossiers_of_their_group(client, build, communes, occitanie):
    mine = build(communes["toulouse"])
    other = build(communes["lyon"])
    client.force_login(occitanie["instructor"])

    response = client.get(URL)

    assert response.status_code == 200
    assert _refs(response) == [mine.reference]
    assert other.reference not in response.content.decode()


def test_a_programme_admin_and_the_committee_see_every_dossier(client, build, communes, occitanie, admin_user,
                                                              make_user, call):
    refs = {build(communes["toulouse"]).reference, build(communes["lyon"]).reference}
    committee = make_user("comite@exemple.fr", call=call, role=Role.COMMITTEE)

    for user in (admin_user, committee):
        client.force_login(user)
        assert set(_refs(client.get(URL))) == refs


def test_drafts_never_reach_the_dashboard(client, open_wave, make_user, communes, admin_user):
    import random

    from fabriques.demo.builders import build_dossier

    owner = make_user("brouillon@exemple.fr")
    build_dossier(wave=open_wave, track=open_wave.call.tracks.first(), owner=owner, commune=communes["lyon"],
                  rng=random.Random(3), place_name="Brouillon", deposit=False)
    client.force_login(admin_user)

    assert _refs(client.get(URL)) == []


@pytest.mark.parametrize("who", ["anonymous", "applicant"])
def test_the_dashboard_is_for_agents_only(client, make_user, who, call):
    if who == "applicant":
        client.force_login(make_user("porteur@exemple.fr"))

    response = client.get(URL)

    assert response.status_code == (302 if who == "anonymous" else 403)


def test_filters_by_region_track_and_search(client, build, communes, admin_user):
    toulouse = build(communes["toulouse"], track_slug="numerique")
    lyon = build(communes["lyon"], track_slug="territoire")
    client.force_login(admin_user)

    assert _refs(client.get(URL, {"region": "76"})) == [toulouse.reference]
    assert _refs(client.get(URL, {"track": "territoire"})) == [lyon.reference]
    assert _refs(client.get(URL, {"q": "lyon"})) == [lyon.reference]
    assert _refs(client.get(URL, {"state": "laureate"})) == []


def test_scores_sort_as_numbers_and_filter_by_range(client, build, communes, admin_user):
    dossiers = [build(communes["toulouse"]) for _ in range(3)]
    for dossier, value in zip(dossiers, [9.5, 10.25, 2.0], strict=True):
        DossierScore.objects.create(dossier=dossier, n_evaluations=3, weighted=value)
    client.force_login(admin_user)

    ascending = _refs(client.get(URL, {"sort": "score"}))
    in_range = _refs(client.get(URL, {"score_min": "3", "score_max": "10", "sort": "-score"}))

    assert ascending == [dossiers[2].reference, dossiers[0].reference, dossiers[1].reference]
    assert in_range == [dossiers[0].reference]


def test_an_unknown_sort_falls_back_to_the_default(client, build, communes, admin_user):
    build(communes["toulouse"])
    client.force_login(admin_user)

    response = client.get(URL, {"sort": "password"})

    assert response.status_code == 200
    assert response.context["filters"].sort == "-deposited"


def test_the_column_choice_is_saved(client, admin_user, call):
    client.force_login(admin_user)

    client.post("/instruction/colonnes/", {"columns": ["reference", "calibrated", "nope"]})

    assert DashboardPreference.objects.get(user=admin_user).columns == ["reference", "calibrated"]
    assert client.get(URL).context["columns"] == ["reference", "calibrated"]


def test_the_dashboard_query_count_does_not_grow_with_rows(client, build, communes, admin_user):
    all_columns = ["reference", "place", "organisation", "track", "wave", "region", "commune", "state",
                   "eligibility", "completeness", "group", "amount", "evaluations", "score", "calibrated",
                   "spread", "deposited"]
    client.force_login(admin_user)
    client.post("/instruction/colonnes/", {"columns": all_columns})
    build(communes["toulouse"])
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for commune in ("lyon", "montpellier", "gueret"):
        build(communes[commune])
    with CaptureQueriesContext(connection) as four:
        response = client.get(URL)

    assert len(_refs(response)) == 4
    assert len(one) == len(four)


def test_eligibility_confirmed_by_the_instructor_shows_and_filters_as_eligible(
    client, build, communes, occitanie, close_wave
):
    from fabriques.instruction.admissibility import check_confirm, instruction_start
    from fabriques.instruction.enums import CheckItem

    confirmed, unsettled = build(communes["toulouse"]), build(communes["toulouse"])
    assert {confirmed.eligibility_status, unsettled.eligibility_status} == {"manual"}
    close_wave()
    for dossier in (confirmed, unsettled):
        instruction_start(dossier=dossier, by=occitanie["instructor"])
    check_confirm(dossier=confirmed, item=CheckItem.LOCATION, by=occitanie["instructor"],
                         reason="Vérifié sur place : hors QPV, commune rurale.")
    client.force_login(occitanie["instructor"])

    assert _refs(client.get(URL, {"eligibility": "pass"})) == [confirmed.reference]
    assert _refs(client.get(URL, {"eligibility": "manual"})) == [unsettled.reference]
    page = client.get(URL).content.decode()
    assert page.count("Éligible, confirmée par l’instruction") == 1
    assert page.count("Vérifié sur place : hors QPV, commune rurale.") == 1  # the reason beside the badge
    assert page.count("fab-eligibility\">À vérifier<") == 1


def test_search_by_the_insee_code_of_the_place(client, build, communes, admin_user):
    toulouse, lyon = build(communes["toulouse"]), build(communes["lyon"])
    client.force_login(admin_user)

    assert _refs(client.get(URL, {"q": "31555"})) == [toulouse.reference]
    assert _refs(client.get(URL, {"q": "69123"})) == [lyon.reference]
