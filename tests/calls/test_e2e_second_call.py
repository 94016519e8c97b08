"""Browser path on the second call (issue 17), with no code of its own: an applicant writes and deposits a dossier
on « Tiers-lieux en Bretagne », an evaluator scores it (a 0–10 scale, a yes/no and a text-only criterion) and the
committee's pages show it. Instruction and assignment go through the domain, as tested elsewhere."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fabriques.accounts.enums import Role
from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file
from fabriques.calls.models import Wave
from fabriques.dossiers import domain as dossier_domain
from fabriques.dossiers.models import Dossier
from fabriques.evaluation.assignments import assignment_create
from fabriques.evaluation.models import DossierScore, Score
from fabriques.instruction.admissibility import admissibility_decide, instruction_start
from fabriques.instruction.routing import national_group
from tests.browser import log_in
from tests.conftest import user_create
from tests.dossiers.factories import VALID_SIRET, make_commune, small_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "motdepasse-solide-42"


def _menu(page, name):
    page.locator("#sidemenu-wrapper").get_by_role("link", name=name, exact=True).click()


def _write_and_deposit(page, screenshot, axe_check):
    page.get_by_label("Entrée").select_option(label="Émergence d’un tiers-lieu")
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_text("État : Brouillon")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("TLB-")
    screenshot("bzh-detail")
    axe_check("second call: dossier detail")

    _menu(page, "Le lieu")
    page.get_by_label("Nom du lieu").fill("La Grange partagée")
    page.get_by_label("Nature du lieu").select_option("existing")
    page.get_by_label("Adresse du lieu").fill("3 rue de Saint-Malo")
    page.get_by_label("Commune du lieu").fill("35238")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le lieu : enregistré à")).to_be_visible()

    criteria = page.locator(".fr-sidemenu__link", has_text=re.compile(r"^\d+\. "))
    assert criteria.count() == 5
    for index in range(5):
        page.locator(".fr-sidemenu__link", has_text=re.compile(r"^\d+\. ")).nth(index).click()
        page.get_by_label("Votre réponse").fill(f"Réponse {index + 1} : des usagers, des partenaires, des dates.")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text("enregistré à")).to_be_visible()
        if index == 3:
            screenshot("bzh-answer-yes-no-criterion")
            axe_check("second call: answer")

    _menu(page, "Budget")
    page.locator("#id_y1_personnel").fill("30000")
    page.locator("#id_y1_etat").fill("20000")
    page.locator("#id_y1_propres").fill("10000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le budget est équilibré et respecte les montants de l’entrée.")).to_be_visible()
    screenshot("bzh-budget")
    axe_check("second call: one-year budget")

    _menu(page, "Pièces jointes")
    for code in ("statuts", "budget-previsionnel"):
        page.locator(f"#file-{code}").set_input_files(
            files=[{"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": small_pdf(code)}])
        page.locator(f"#file-{code}").locator("xpath=ancestor::form").get_by_role(
            "button", name="Envoyer le fichier").click()
        expect(page.get_by_text("fichier ajouté")).to_be_visible()

    _menu(page, "Dépôt")
    axe_check("second call: deposit")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_text("Dossier déposé le")).to_be_visible(timeout=30000)
    screenshot("bzh-deposited")


def test_a_dossier_on_the_second_call_is_deposited_scored_and_shown_to_the_committee(
    live_server, page, settings, tmp_path, screenshot, axe_check
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FABRIQUES_DEPOSIT_PROOF_EMAIL = False
    call = call_load_file(path=DEFINITIONS_DIR / "tiers-lieux-bretagne-2027.toml").call
    now = timezone.now()
    wave = Wave.objects.create(call=call, slug="vague-essai", title="Vague d’essai",
                               opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1),
                               envelope_eur=600000, max_laureates=20, is_demo=True)
    commune = make_commune(code="35238", name="Rennes", dep="35", region="53", lat=48.1119, lon=-1.6743)
    applicant = user_create("porteuse@exemple.fr")
    dossier_domain.organisation_save(by=applicant, name="Association La Grange", legal_form="association",
                                     siret=VALID_SIRET, address="1 place de la Mairie", commune=commune)
    admin = user_create("admin.region@exemple.fr", call=call, role=Role.ADMIN)
    instructor = user_create("instructeur.region@exemple.fr", call=call, role=Role.INSTRUCTOR)
    evaluator = user_create("evaluatrice@exemple.fr", call=call, role=Role.EVALUATOR)
    committee = user_create("comite.region@exemple.fr", call=call, role=Role.COMMITTEE)

    log_in(page, live_server.url, applicant.email)
    page.goto(live_server.url + "/dossiers/nouveau/")
    _write_and_deposit(page, screenshot, axe_check)

    dossier = Dossier.objects.get(wave=wave)
    assert dossier.reference == f"TLB-{dossier.created_at:%Y}-{dossier.pk:05d}"
    wave.closes_at = timezone.now() - dt.timedelta(minutes=1)
    wave.save(update_fields=["closes_at"])
    national_group(call=call).members.add(instructor)
    instruction_start(dossier=dossier, by=instructor)
    assert {c.item for c in dossier.instruction.checks.all()} == {"legal_form", "attachments", "budget"}
    admissibility_decide(dossier=dossier, decision="admissible", reason="", by=instructor)
    assignment_create(dossier=dossier, evaluator=evaluator, by=admin)

    log_in(page, live_server.url, evaluator.email)
    page.goto(live_server.url + "/evaluation/mes-evaluations/")
    page.get_by_role("link", name=f"Déclarer mes liens pour {dossier.reference}").click()
    page.get_by_text("Non, aucun lien", exact=True).click()
    page.get_by_role("button", name="Enregistrer ma déclaration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Évaluation du dossier {dossier.reference}")
    expect(page.get_by_label("Note — Coopération régionale")).to_have_count(0)  # text only: no score field
    for title in ("Projet du lieu", "Gouvernance partagée", "Modèle économique"):
        page.get_by_label(f"Note — {title}").select_option("7")
    page.get_by_label("Réponse — Accessibilité du lieu").select_option(label="Non")
    page.get_by_text("Favorable", exact=True).click()
    page.get_by_role("button", name="Soumettre l’évaluation").click()
    expect(page.get_by_text("Ce critère ne se note pas : un commentaire est obligatoire.")).to_be_visible()
    expect(page.get_by_text("Un commentaire est obligatoire pour une note inférieure à 0,5.")).to_be_visible()
    expect(page.get_by_label("Note — Projet du lieu")).to_have_value("7")  # what was chosen is kept
    screenshot("bzh-grid-errors")
    axe_check("second call: grid with errors")
    page.get_by_label("Commentaire — Accessibilité du lieu").fill("Pas de rampe ni de sanitaire adapté prévus.")
    page.get_by_label("Commentaire — Coopération régionale").fill("Travaille déjà avec deux lieux du pays de Rennes.")
    page.get_by_role("button", name="Soumettre l’évaluation").click()
    expect(page.get_by_text("Évaluation soumise.")).to_be_visible()
    expect(page.get_by_text("Réponse : Non")).to_be_visible()
    expect(page.get_by_text("Note : 7")).to_have_count(3)
    screenshot("bzh-grid-submitted")
    axe_check("second call: submitted grid")

    score = DossierScore.objects.get(dossier=dossier)
    assert score.weighted == pytest.approx((2 * 7 + 7 + 7 + 0) / 5)  # « Non » is the bottom of the 0–10 scale
    assert score.below_threshold == ["accessibilite"]
    assert Score.objects.get(criterion__code="cooperation-regionale").value is None

    log_in(page, live_server.url, committee.email)
    page.goto(f"{live_server.url}/comite/dossiers/{dossier.uuid}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(dossier.reference)
    grid = page.get_by_role("table", name="Grille d’évaluation")
    expect(grid.get_by_role("row", name=re.compile("Accessibilité du lieu"))).to_contain_text("Non")
    expect(grid.get_by_role("row", name=re.compile("Coopération régionale")).get_by_role("cell")).to_have_text(
        "commentaireTravaille déjà avec deux lieux du pays de Rennes.")  # no score, the comment under its kind
    expect(page.get_by_text("Critères sous leur seuil")).to_be_visible()
    screenshot("bzh-committee-dossier")
    axe_check("second call: committee dossier page")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("bzh-committee-dossier-375")
    axe_check("second call: committee dossier page at 375 px")
