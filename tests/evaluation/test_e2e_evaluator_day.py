"""Browser: an evaluator's working day on the demo data (issue 23).

The demo (`demo_seed`, on the shipped reference data) gives the demo evaluator about twenty finished evaluations in
the closed wave and, in the wave in instruction, one dossier awaiting their declaration and one to score. They log in,
find what is to do first, read who applies on the declaration page and declare a conflict (their place goes to
another evaluator at once), then score the other dossier reading its deposited budget, downloading a deposited file,
reaching the content with the first Tab and keeping the focus after saving; axe on every page, and 375 px wide.
"""

import pytest
from playwright.sync_api import expect

from fabriques.demo.domain import DEMO_PASSWORD, demo_seed
from fabriques.demo.roles_demo import INSTRUCTION_WAVE
from fabriques.evaluation.enums import AssignmentState
from fabriques.evaluation.models import Assignment
from fabriques.mail.models import OutgoingEmail
from tests.conftest import territory_import_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVALUATOR = "evaluateur@demo.fabriques.fr"


def _focused(page) -> str:
    """What has the keyboard focus: its tag, id, classes and text."""
    return page.evaluate(
        "() => { const e = document.activeElement; "
        "return `${e.tagName} #${e.id} .${e.className} ${(e.innerText || '').slice(0, 80)}`; }"
    )


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def test_an_evaluators_day_on_the_demo(live_server, page, screenshot, axe_check):
    territory_import_all()
    demo_seed()
    mine = Assignment.objects.filter(evaluator__email=EVALUATOR, dossier__wave__slug=INSTRUCTION_WAVE)
    awaiting = mine.select_related("dossier__organisation").get(state=AssignmentState.AWAITING_DECLARATION)
    active = mine.select_related("dossier").get(state=AssignmentState.ACTIVE)
    finished = Assignment.objects.filter(evaluator__email=EVALUATOR, evaluation__state="submitted").count()
    assert finished >= 10

    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Courriel").fill(EVALUATOR)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.goto(live_server.url + "/evaluation/mes-evaluations/")

    # What is to do comes first: the two dossiers of the wave in instruction, before the finished ones.
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings[:2] == ["À faire (2)", f"Terminées ({finished})"]
    first_rows = page.locator("table").first.locator("tbody tr").all_inner_texts()
    assert awaiting.dossier.reference in first_rows[0]
    assert active.dossier.reference in first_rows[1]
    axe_check("my evaluations, to do first")
    screenshot("mine")

    # The declaration page names who applies, so that a conflict can be judged.
    page.get_by_role("link", name=f"Déclarer mes liens pour {awaiting.dossier.reference}").click()
    organisation = awaiting.dossier.organisation
    expect(page.get_by_text(organisation.name, exact=True)).to_be_visible()
    siret = organisation.siret
    expect(page.get_by_text(f"{siret[:3]} {siret[3:6]} {siret[6:9]}", exact=True)).to_be_visible()
    axe_check("declaration with the organisation")
    screenshot("declaration")
    page.get_by_text("Oui, j’ai un lien", exact=True).click()
    page.get_by_label("Nature du lien").select_option("works_for")
    page.get_by_label("Précisions").fill("J’ai été salarié de cette association jusqu’en 2024.")
    page.get_by_role("button", name="Enregistrer ma déclaration").click()
    expect(page.get_by_text("votre place est confiée à quelqu’un d’autre")).to_be_visible()
    # The place is refilled at once by another evaluator of the call (or flagged to the instructors).
    in_play = Assignment.objects.filter(dossier=awaiting.dossier, state__in=["awaiting_declaration", "active"])
    refilled = in_play.count() == 3
    flagged = OutgoingEmail.objects.filter(subject__startswith="[Fabriques] Place à pourvoir").exists()
    assert refilled or flagged
    assert OutgoingEmail.objects.filter(subject__contains=awaiting.dossier.reference,
                                        body__contains="a déclaré un conflit d’intérêts").exists()
    to_applicant = [m.subject for m in OutgoingEmail.objects.filter(subject__contains=awaiting.dossier.reference)
                    if awaiting.dossier.owner.email in m.recipients]
    assert not [s for s in to_applicant if "valuat" in s or "onflit" in s]  # nothing internal to the applicant

    # The grid: the deposited budget and files, the eligibility; the first Tab reaches the content.
    page.goto(live_server.url + f"/evaluation/affectations/{active.pk}/grille/")
    expect(page.get_by_role("heading", name="Budget et pièces du dossier déposé")).to_be_visible()
    expect(page.get_by_role("table", name="Lignes du budget déposé")).to_be_visible()
    expect(page.get_by_text("Éligibilité :")).to_be_visible()
    file_link = page.locator("a[href*='/pieces/']").first
    expect(file_link).to_be_visible()
    download = page.request.get(live_server.url + file_link.get_attribute("href"))
    assert download.status == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert len(download.body()) > 100

    page.keyboard.press("Tab")
    assert "Aller au contenu" in _focused(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#grille') !== null"), _focused(page)
    axe_check("grid with the deposited budget")

    # Saving keeps the focus: on the saved message, never <body>.
    first_score = page.locator("select[name^='score_']").first
    first_score.select_option(index=3)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    focused = _focused(page)
    assert "Brouillon enregistré." in focused, focused
    assert not focused.startswith("BODY")

    page.set_viewport_size({"width": 375, "height": 900})
    page.reload()
    _no_sideways_scroll(page)
    axe_check("grid at 375 px")
    screenshot("grid-375")
