"""An inadmissibility is a decision that refuses: the applicant's e-mail gives the reason and the appeal routes."""

import pytest

from fabriques.instruction.admissibility import admissibility_decide, check_confirm, instruction_start
from fabriques.instruction.enums import Admissibility
from fabriques.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def test_the_inadmissibility_email_states_the_reason_and_the_appeal_routes(build, communes, occitanie, close_wave):
    dossier = build(communes["toulouse"])
    close_wave()
    instruction_start(dossier=dossier, by=occitanie["instructor"])

    admissibility_decide(dossier=dossier, decision=Admissibility.INADMISSIBLE,
                                reason="Le lieu n’est pas ouvert au public.", by=occitanie["instructor"])

    mail = OutgoingEmail.objects.get(subject=f"[Fabriques] Dossier irrecevable — {dossier.reference}")
    assert "Motif : Le lieu n’est pas ouvert au public." in mail.body
    assert "Voies et délais de recours" in mail.body
    assert "devant le tribunal administratif de Paris dans un délai de deux mois" in mail.body
    assert "www.telerecours.fr" in mail.body


def test_an_admissible_dossier_gets_no_appeal_paragraph(build, communes, occitanie, close_wave, admin_user):
    from fabriques.instruction.enums import CheckStatus

    dossier = build(communes["toulouse"])
    close_wave()
    instruction_start(dossier=dossier, by=occitanie["instructor"])
    for check in dossier.instruction.checks.exclude(status=CheckStatus.OK):
        check_confirm(dossier=dossier, item=check.item, by=occitanie["instructor"], reason="Vérifié sur place",
                             override=check.status == CheckStatus.KO)

    admissibility_decide(dossier=dossier, decision=Admissibility.ADMISSIBLE, reason="",
                                by=occitanie["instructor"])

    mail = OutgoingEmail.objects.get(subject=f"[Fabriques] Dossier recevable — {dossier.reference}")
    assert "Voies et délais de recours" not in mail.body
