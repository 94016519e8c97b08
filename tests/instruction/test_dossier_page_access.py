"""Who may open a dossier's instruction page and act on it."""

import pytest

from fabriques.accounts.enums import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(build, communes, occitanie):
    return build(communes["toulouse"])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("owner", 404),
        ("other_applicant", 404),
        ("instructor_of_group", 200),
        ("instructor_of_other_group", 404),
        ("evaluator", 404),
        ("committee", 200),
        ("admin", 200),
    ],
)
def test_the_instruction_page_of_a_dossier(client, dossier, occitanie, make_user, admin_user, call, who, expected):
    users = {
        "owner": lambda: dossier.owner,
        "other_applicant": lambda: make_user("autre@exemple.fr"),
        "instructor_of_group": lambda: occitanie["instructor"],
        "instructor_of_other_group": lambda: occitanie["other_instructor"],
        "evaluator": lambda: make_user("eval@exemple.fr", call=call, role=Role.EVALUATOR),
        "committee": lambda: make_user("comite@exemple.fr", call=call, role=Role.COMMITTEE),
        "admin": lambda: admin_user,
    }
    if who in users:
        client.force_login(users[who]())

    response = client.get(f"/instruction/dossiers/{dossier.uuid}/")
    attachment = dossier.attachments.first()
    download = client.get(f"/instruction/dossiers/{dossier.uuid}/pieces/{attachment.uuid}/")

    assert response.status_code == expected
    assert download.status_code == expected
    if expected == 200:
        assert dossier.reference in response.content.decode()
        assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", ["committee", "instructor_of_other_group", "owner"])
def test_only_instructors_of_the_group_and_admins_act(client, dossier, occitanie, make_user, call, who):
    users = {
        "committee": lambda: make_user("comite@exemple.fr", call=call, role=Role.COMMITTEE),
        "instructor_of_other_group": lambda: occitanie["other_instructor"],
        "owner": lambda: dossier.owner,
    }
    client.force_login(users[who]())

    response = client.post(f"/instruction/dossiers/{dossier.uuid}/orientation/",
                           {"group": occitanie["other_group"].pk, "reason": "essai"})

    assert response.status_code in (403, 404)
    dossier.instruction.refresh_from_db()
    assert dossier.instruction.group == occitanie["group"]


def test_the_applicant_exchanges_page_is_only_for_the_dossier_people(client, dossier, make_user, occitanie):
    url = f"/instruction/dossiers/{dossier.uuid}/echanges/"
    client.force_login(make_user("intrus@exemple.fr"))
    assert client.get(url).status_code == 404
    client.force_login(occitanie["instructor"])
    assert client.get(url).status_code == 404
    client.force_login(dossier.owner)
    assert client.get(url).status_code == 200
