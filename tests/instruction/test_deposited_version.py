"""Agents read the deposited version; the applicant sees what they changed since and is told to redeposit."""

import pytest
from django.urls import reverse

from fabriques.dossiers.domain import answer_save
from fabriques.dossiers.models import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(build, communes, occitanie):
    """A deposited dossier whose first answer the applicant rewrote afterwards, without redepositing."""
    dossier = build(communes["toulouse"])
    answer = Answer.objects.filter(dossier=dossier).select_related("criterion").order_by("criterion__position").first()
    deposited_text = answer.text
    answer_save(dossier=dossier, criterion=answer.criterion, text="Texte réécrit après le dépôt.",
                base_version=answer.version, by=dossier.owner)
    return dossier, answer.criterion, deposited_text


def test_the_instructor_reads_the_deposited_text_with_its_number_and_fingerprint(client, edited, occitanie):
    dossier, criterion, deposited_text = edited
    version = dossier.versions.get()
    client.force_login(occitanie["instructor"])

    page = client.get(reverse("instruction:dossier", args=[dossier.uuid])).content.decode()

    assert f"Version déposée n° {version.number}" in page
    assert version.sha256 in page
    assert deposited_text.split("\n")[0][:40] in page
    assert "Texte réécrit après le dépôt." not in page
    assert f"Le porteur a depuis modifié, sans redéposer : Réponse « {criterion.title} »" in page


def test_the_applicant_sees_modifications_not_redeposited_and_is_asked_to_redeposit(client, edited):
    dossier, criterion, _ = edited
    client.force_login(dossier.owner)

    page = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()

    assert "Modifications non redéposées" in page
    assert f"<li>Réponse « {criterion.title} »</li>" in page
    assert "Redéposer le dossier" in page
    assert ">Déposer le dossier<" not in page


def test_an_unchanged_deposit_asks_for_nothing(client, build, communes, occitanie):
    dossier = build(communes["toulouse"])
    client.force_login(dossier.owner)

    page = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()

    assert "Modifications non redéposées" not in page
    assert "n’a pas été modifié depuis : rien à redéposer" in page
