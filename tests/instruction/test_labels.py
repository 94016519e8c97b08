"""The instruction labels a call's dossiers and filters the dashboard by label."""

import pytest

from fabriques.accounts.enums import Role
from fabriques.audit.models import AuditEntry
from fabriques.instruction.models import Label

pytestmark = pytest.mark.django_db

URL = "/instruction/"


def _refs(response) -> list[str]:
    return [d.reference for d in response.context["page"].object_list]


def test_labels_are_set_on_the_dossier_page_audited_and_filter_the_dashboard(client, build, communes, occitanie):
    labelled, other = build(communes["toulouse"]), build(communes["toulouse"])
    client.force_login(occitanie["instructor"])

    response = client.post(f"/instruction/dossiers/{labelled.uuid}/etiquettes/",
                           {"labels": " À relancer ,visite  prévue, à relancer,"}, follow=True)

    assert "Étiquettes : À relancer, visite prévue." in response.content.decode()
    assert sorted(labelled.labels.values_list("name", flat=True)) == ["visite prévue", "À relancer"]  # codepoints
    entry = AuditEntry.objects.get(action="dossier.labels")
    assert entry.after == {"étiquettes": ["À relancer", "visite prévue"]}
    assert _refs(client.get(URL, {"label": "À relancer"})) == [labelled.reference]
    client.post(f"/instruction/dossiers/{other.uuid}/etiquettes/", {"labels": "À relancer"})
    assert Label.objects.filter(call=labelled.wave.call).count() == 2  # the call's label is reused
    assert set(_refs(client.get(URL, {"label": "À relancer"}))) == {labelled.reference, other.reference}

    client.post(f"/instruction/dossiers/{labelled.uuid}/etiquettes/", {"labels": ""})
    assert not labelled.labels.exists()


def test_a_too_long_label_is_refused_in_french_and_nothing_changes(client, build, communes, occitanie):
    dossier = build(communes["toulouse"])
    client.force_login(occitanie["instructor"])

    response = client.post(f"/instruction/dossiers/{dossier.uuid}/etiquettes/", {"labels": "x" * 41}, follow=True)

    assert "Une étiquette ne dépasse pas 40 caractères" in response.content.decode()
    assert not Label.objects.exists()


def test_only_who_instructs_the_dossier_labels_it(client, build, communes, occitanie, make_user, call):
    dossier = build(communes["toulouse"])
    client.force_login(make_user("comite@exemple.fr", call=call, role=Role.COMMITTEE))

    assert client.post(f"/instruction/dossiers/{dossier.uuid}/etiquettes/", {"labels": "x"}).status_code == 403
    client.force_login(occitanie["other_instructor"])
    assert client.post(f"/instruction/dossiers/{dossier.uuid}/etiquettes/", {"labels": "x"}).status_code == 404
    assert not Label.objects.exists()


def test_the_labels_column_shows_each_dossiers_labels_sorts_on_them_and_keeps_its_statements(client, build, communes,
                                                                                              occitanie):
    """« Étiquettes » among the columns: the names in French alphabetical order, « — » without any; sorted on the
    first label (none last); paged and « Tous » alike; the same statements for 3 rows or 6."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dossiers = [build(communes["toulouse"]) for _ in range(3)]
    client.force_login(occitanie["instructor"])
    client.post("/instruction/colonnes/", {"columns": ["reference", "labels"]})
    for dossier, labels in zip(dossiers, ("visite prévue, À relancer", "Budget", ""), strict=True):
        client.post(f"/instruction/dossiers/{dossier.uuid}/etiquettes/", {"labels": labels})
    cell = re.compile(r'<td><a href="/instruction/dossiers/[0-9a-f-]+/">([^<]+)</a></td><td>([^<]*)</td>')

    def rows(**params) -> list[tuple[str, str]]:
        response = client.get(URL, params)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return cell.findall(body.decode())

    by_reference = dict(rows(taille="50"))
    assert by_reference == {dossiers[0].reference: "À relancer, visite prévue", dossiers[1].reference: "Budget",
                            dossiers[2].reference: "—"}
    assert [r for r, _ in rows(sort="labels")] == [d.reference for d in (dossiers[1], dossiers[0], dossiers[2])]
    assert [r for r, _ in rows(sort="-labels")][:2] == [dossiers[0].reference, dossiers[1].reference]
    assert dict(rows(taille="all")) == by_reference

    rows(taille="50")  # the remembered page size back to 50: no write below
    with CaptureQueriesContext(connection) as three:
        rows(taille="50", sort="labels")
    for _ in range(3):
        client.post(f"/instruction/dossiers/{build(communes['toulouse']).uuid}/etiquettes/", {"labels": "Budget"})
    with CaptureQueriesContext(connection) as six:
        assert len(rows(taille="50", sort="labels")) == 6
    assert len(three) == len(six)
