"""A failed rule is never confirmed silently: it is refused, or admitted by an explicit override with a reason
shown on the instruction page, the dashboard and the committee's pages."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from fabriques.audit.models import AuditEntry
from fabriques.demo.builders import build_dossier
from fabriques.dossiers import domain as dossier_domain
from fabriques.dossiers.enums import DossierState
from fabriques.instruction.admissibility import admissibility_decide, check_confirm, instruction_start
from fabriques.instruction.complements import complements_answer, complements_request
from fabriques.instruction.enums import CheckItem, CheckStatus
from fabriques.instruction.errors import InstructionError
from fabriques.instruction.routing import national_group
from fabriques.territory.domain import qpv_import
from tests.conftest import QPV_2015_OCCITANIE

pytestmark = pytest.mark.django_db

# Place du Capitole, Toulouse: about 1.5 km from the nearest QPV of 2015, beyond the call's 500 m.
CAPITOLE = (43.6045, 1.4440)
REASON = "Ateliers tenus chaque semaine dans la maison de quartier d’Empalot (convention jointe)."


@pytest.fixture
def far_from_qpv(open_wave, communes, make_user, occitanie, close_wave):
    """A Fabrique numérique deposited at the Capitole, in instruction, its location line computed KO."""
    qpv_import(path=QPV_2015_OCCITANIE, vintage=2015)
    built = build_dossier(
        wave=open_wave, track=open_wave.call.tracks.get(slug="numerique"), owner=make_user("porteur@exemple.fr"),
        commune=communes["toulouse"], rng=random.Random(3), place_name="La Fabrique du Capitole",
        latitude=CAPITOLE[0], longitude=CAPITOLE[1],
    )
    close_wave()
    instruction_start(dossier=built.dossier, by=occitanie["instructor"])
    built.dossier.refresh_from_db()
    return built.dossier


def _location(dossier):
    return dossier.instruction.checks.get(item=CheckItem.LOCATION)


def test_a_failed_rule_is_refused_a_plain_confirmation_and_needs_an_override_with_a_reason(far_from_qpv, occitanie):
    dossier, instructor = far_from_qpv, occitanie["instructor"]
    assert dossier.eligibility_status == "fail"
    assert _location(dossier).status == CheckStatus.KO

    with pytest.raises(InstructionError, match="ne peut pas être simplement confirmé"):
        check_confirm(dossier=dossier, item=CheckItem.LOCATION, by=instructor, reason="Vérifié sur pièces")
    with pytest.raises(InstructionError, match="motif de la dérogation"):
        check_confirm(dossier=dossier, item=CheckItem.LOCATION, by=instructor, reason=" ", override=True)
    assert _location(dossier).status == CheckStatus.KO
    with pytest.raises(InstructionError, match="Règle de localisation"):
        admissibility_decide(dossier=dossier, decision="admissible", reason="", by=instructor)

    check = check_confirm(dossier=dossier, item=CheckItem.LOCATION, by=instructor, reason=REASON,
                                 override=True)
    admissibility_decide(dossier=dossier, decision="admissible", reason="", by=instructor)

    assert (check.status, check.overrides_failure, check.confirmed_reason) == (CheckStatus.MANUAL, True, REASON)
    assert dossier.state == DossierState.ADMISSIBLE
    entry = AuditEntry.objects.get(dossier_id=dossier.pk, action="admissibility.overridden")
    assert entry.reason == REASON


def test_the_override_is_shown_with_its_reason_to_the_instructor_and_on_the_dashboard(far_from_qpv, occitanie,
                                                                                       client):
    check_confirm(dossier=far_from_qpv, item=CheckItem.LOCATION, by=occitanie["instructor"], reason=REASON,
                         override=True)
    client.force_login(occitanie["instructor"])

    page = client.get(f"/instruction/dossiers/{far_from_qpv.uuid}/").content.decode()
    dashboard = client.get("/instruction/").content.decode()

    assert "Non conforme · dérogation" in page
    assert f"Dérogation accordée par {occitanie['instructor'].email} : {REASON}" in page.replace("&#x27;", "'")
    assert "Éligibilité forcée</span>" in dashboard
    assert f": {REASON}" in dashboard.replace("&#x27;", "'")


def test_the_form_refuses_a_failed_line_without_the_override_box_and_keeps_the_reason(far_from_qpv, occitanie,
                                                                                        client):
    client.force_login(occitanie["instructor"])
    url = f"/instruction/dossiers/{far_from_qpv.uuid}/"

    refused = client.post(url + "confirmer/", {"item": CheckItem.LOCATION, "reason": REASON})
    accepted = client.post(url + "confirmer/", {"item": CheckItem.LOCATION, "reason": REASON, "override": "on"})

    assert refused.status_code == 400
    assert "ne peut pas être simplement confirmé" in refused.content.decode()
    assert "maison de quartier d’Empalot" in refused.content.decode()
    assert accepted.status_code == 302
    assert _location(far_from_qpv).overrides_failure is True


def test_a_line_confirmed_while_open_turns_ko_again_when_the_data_says_it_fails(
    open_wave, communes, make_user, occitanie, close_wave
):
    """Lyon is outside the 2015 perimeters loaded: the line is open and confirmed; once the same dossier's
    location is computed KO (here: the place moved to the Capitole in a complement), the confirmation is gone."""
    qpv_import(path=QPV_2015_OCCITANIE, vintage=2015)
    owner = make_user("porteur.lyon@exemple.fr")
    dossier = build_dossier(
        wave=open_wave, track=open_wave.call.tracks.get(slug="numerique"), owner=owner, commune=communes["lyon"],
        rng=random.Random(4), place_name="La Fabrique des Pentes", latitude=45.7700, longitude=4.8300,
    ).dossier
    close_wave()
    instructor = occitanie["instructor"]
    admin_group = national_group(call=open_wave.call)
    admin_group.members.add(instructor)
    instruction_start(dossier=dossier, by=instructor)
    check_confirm(dossier=dossier, item=CheckItem.LOCATION, by=instructor, reason="Plan du quartier vérifié")
    assert _location(dossier).status == CheckStatus.MANUAL

    complements_request(dossier=dossier, sections=[("place", "Le lieu")], message="Précisez le lieu.",
                               due_at=timezone.now() + dt.timedelta(days=5), by=instructor)
    dossier.refresh_from_db()
    dossier = dossier_domain.place_save(dossier=dossier, by=owner, base_version=dossier.place_version,
                                        name=dossier.place_name, status="existing", address="Place du Capitole",
                                        commune=communes["toulouse"], latitude=CAPITOLE[0], longitude=CAPITOLE[1])
    assert dossier.eligibility_status == "fail"
    complements_answer(dossier=dossier, answer="Le lieu a déménagé.", by=owner)

    check = _location(dossier)
    assert (check.status, check.overrides_failure, check.confirmed_reason) == (CheckStatus.KO, False, "")
