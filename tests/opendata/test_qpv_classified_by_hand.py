"""Open data's QPV columns follow the instruction's truth: a QPV rule the data left open and the instructor confirmed
by hand gives the laureate its QPV code (the nearest perimeter the eligibility report recorded) and the flag."""

import csv
import io

import pytest
from django.urls import reverse

from fabriques.dossiers.models import Dossier
from fabriques.instruction.admissibility import check_confirm
from fabriques.instruction.enums import CheckItem
from fabriques.instruction.models import Instruction

pytestmark = pytest.mark.django_db

OPEN_RULE = {
    "status": "manual",
    "results": [{"kind": "qpv_proximity", "label": "Proximité d’un QPV", "status": "manual",
                 "reason": "Seul le centre de la commune est connu (à 520 m du QPV QN03101M, seuil 500 m)."}],
    "location": {"qpv": {"code": "QN03101M", "inside": False, "distance_m": 520}},
}


def _row(client) -> dict:
    [row] = csv.DictReader(io.StringIO(
        b"".join(client.get(reverse("opendata:laureates-csv")).streaming_content).decode()))
    return row


def test_a_qpv_confirmed_by_hand_gives_the_code_and_the_flag(client, world):
    Dossier.objects.filter(pk=world.laureate.pk).update(eligibility_status="manual", eligibility_report=OPEN_RULE)
    Instruction.objects.filter(dossier=world.laureate).update(is_qpv=None)
    assert (_row(client)["code_qpv"], _row(client)["quartier_prioritaire"]) == ("", "false")
    world.laureate.refresh_from_db()

    check_confirm(dossier=world.laureate, item=CheckItem.LOCATION, by=world.instructor,
                  reason="Adresse vérifiée : à 300 m du quartier.")

    assert (_row(client)["code_qpv"], _row(client)["quartier_prioritaire"]) == ("QN03101M", "true")
