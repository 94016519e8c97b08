"""The evaluator's grid shows the deposited budget and files (downloadable), unless identities are hidden."""

import pytest
from django.urls import reverse

from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.workflow import dossier_transition
from fabriques.evaluation.assignments import assignment_create, conflict_declare
from fabriques.evaluation.models import WaveEvaluationSettings
from tests.dossiers.conftest import (  # noqa: F401 - a dossier deposited through the real deposit
    applicant,
    commune,
    complete_dossier,
    deposited_dossier,
    dossier,
    media_root,
    organisation,
    track,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(deposited_dossier, evaluators, instructor):  # noqa: F811
    for to in (DossierState.IN_INSTRUCTION, DossierState.ADMISSIBLE):
        dossier_transition(deposited_dossier, to, by=None)
    assignment = assignment_create(dossier=deposited_dossier, evaluator=evaluators[0], by=instructor)
    conflict_declare(assignment=assignment, has_conflict=False, by=evaluators[0])
    return assignment


def test_the_grid_shows_the_deposited_budget_and_links_each_file(client, active, evaluators, deposited_dossier):  # noqa: F811
    client.force_login(evaluators[0])
    page = client.get(reverse("evaluation:grid", args=[active.pk])).content.decode()

    assert "Budget et pièces du dossier déposé" in page
    assert "Version déposée n° 1" in page
    files = list(deposited_dossier.attachments.all())
    assert files
    for item in files:
        link = reverse("evaluation:attachment", args=[active.pk, item.uuid])
        assert f'href="{link}"' in page
        response = client.get(link)
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:4] == item.file.open("rb").read(4)


def test_another_evaluator_cannot_download_and_hidden_identities_hide_the_files(client, active, evaluators,
                                                                               deposited_dossier):  # noqa: F811
    item = deposited_dossier.attachments.first()
    link = reverse("evaluation:attachment", args=[active.pk, item.uuid])
    client.force_login(evaluators[1])
    assert client.get(link).status_code == 404

    WaveEvaluationSettings.objects.update_or_create(wave=deposited_dossier.wave,
                                                    defaults={"hide_applicant_identity": True})
    client.force_login(evaluators[0])
    page = client.get(reverse("evaluation:grid", args=[active.pk])).content.decode()
    assert "Pièces masquées" in page
    assert link not in page
    assert client.get(link).status_code == 403
