"""Browser path: automatic assignment by an instructor, then three evaluators declare, score and submit."""

import pytest
from playwright.sync_api import expect

from fabriques.dossiers.enums import DossierState
from fabriques.evaluation.models import DossierScore
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-solide-42"


def test_three_evaluators_assigned_automatically_score_and_the_dossier_is_evaluated(
    live_server, page, make_dossier, evaluators, instructor, screenshot, axe_check
):
    dossier = make_dossier()
    criteria = list(dossier.track.criteria.order_by("position"))

    log_in(page, live_server.url, instructor.email)
    page.goto(live_server.url + "/evaluation/vagues/")
    page.get_by_role("link", name=f"{dossier.wave.call.short_title} — {dossier.wave.title}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Évaluateurs")
    screenshot("evaluators")
    axe_check("evaluators page")
    page.get_by_role("link", name="Affecter automatiquement").click()
    page.get_by_role("button", name="Lancer l’affectation automatique").click()
    expect(page.get_by_role("heading", name="3 affectations créées")).to_be_visible()
    screenshot("auto-assignment")
    axe_check("automatic assignment summary")

    for index, (evaluator, value) in enumerate(zip(evaluators, ["3.5", "4", "2.5"], strict=True)):
        log_in(page, live_server.url, evaluator.email)
        page.goto(live_server.url + "/evaluation/mes-evaluations/")
        page.get_by_role("link", name=f"Déclarer mes liens pour {dossier.reference}").click()
        expect(page.get_by_text("Notre réponse")).to_have_count(0)
        if index == 0:
            screenshot("declaration")
            axe_check("declaration page")
        page.get_by_text("Non, aucun lien", exact=True).click()  # DSFR radios: the label takes the click
        page.get_by_role("button", name="Enregistrer ma déclaration").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Évaluation du dossier {dossier.reference}")
        for criterion in criteria:
            page.get_by_label(f"Note — {criterion.title}").select_option(value)
        page.get_by_text("Défavorable" if value == "2.5" else "Favorable", exact=True).click()
        page.get_by_label("Synthèse").fill(f"Synthèse de l’évaluateur {index + 1}.")
        if index == 0:
            screenshot("grid")
            axe_check("scoring grid")
        page.get_by_role("button", name="Soumettre l’évaluation").click()
        expect(page.get_by_text("Évaluation soumise.")).to_be_visible()
        expect(page.get_by_text("elle n’est plus modifiable")).to_be_visible()
        if index == 2:
            expect(page.get_by_role("heading", name="Autres évaluations")).to_be_visible()
            screenshot("submitted")
            axe_check("submitted grid with peers")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.EVALUATED
    score = DossierScore.objects.get(dossier=dossier)
    assert (score.n_evaluations, score.weighted, score.spread) == (3, 3.333, 1.5)
