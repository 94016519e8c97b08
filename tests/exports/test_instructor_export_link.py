"""Instructors reach the export of their groups' dossiers from « Mon espace » (not only programme admins)."""

import pytest

from fabriques.accounts.enums import Role

pytestmark = pytest.mark.django_db


def test_an_instructor_finds_the_export_of_their_groups_in_their_space(client, build, communes, occitanie,
                                                                      close_wave, open_wave, make_user, call):
    build(communes["toulouse"]), build(communes["lyon"])  # one in their group, one in another
    close_wave()
    client.force_login(occitanie["instructor"])

    page = client.get("/espace/").content.decode()
    url = f"/exports/{call.slug}/{open_wave.slug}/"

    assert f'href="{url}">Exporter les dossiers de mes groupes — {open_wave.title}</a>' in page
    export = client.get(url)
    assert export.status_code == 200
    assert "1 dossier visible par vous" in export.content.decode()
    evaluator = make_user("evaluateur@exemple.fr", call=call, role=Role.EVALUATOR)
    client.force_login(evaluator)
    assert url not in client.get("/espace/").content.decode()
    assert client.get(url).status_code == 403
