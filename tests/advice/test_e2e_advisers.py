"""In real Chromium: an applicant invites an adviser on three criteria; the adviser (new account) comments and
suggests a rewording; the applicant accepts it into the answer and resolves the thread; revokes; the link fails."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from fabriques.dossiers import queries
from fabriques.dossiers.models import Answer
from tests.browser import log_in
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Une-phrase-de-passe-solide-2026"


def test_adviser_comments_three_criteria_applicant_accepts_resolves_and_revokes(
    live_server, page, dossier, applicant, screenshot, axe_check
):
    base = live_server.url
    criteria = queries.criteria_for(dossier)[:3]
    log_in(page, base, applicant.email)
    page.goto(base + reverse("dossiers:detail", args=[dossier.uuid]))
    page.locator("#sidemenu-wrapper").get_by_role("link", name="Conseillers", exact=True).click()
    expect(page.get_by_role("heading", name="Conseillers", exact=True)).to_be_visible()

    page.get_by_label("Adresse électronique du conseiller").fill("pas une adresse")
    page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_text("Saisissez une adresse de courriel valide.")).to_be_visible()
    axe_check("advisers page with an error")
    page.get_by_label("Adresse électronique du conseiller").fill("Conseillere@Reseau.example.org")
    page.get_by_label("Seulement les critères cochés ci-dessous").check(force=True)
    for criterion in criteria:
        page.get_by_label(f"{criterion.position}. {criterion.title}", exact=True).check(force=True)
    page.get_by_label("Fin de l’accompagnement").fill((timezone.localdate() + dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_text("Invitation envoyée à conseillere@reseau.example.org")).to_be_visible()
    screenshot("applicant-invited")
    axe_check("advisers page")

    link = re.search(r"(/conseil/invitations/\S+/)", mail.outbox[-1].body).group(1)
    adviser_context = page.context.browser.new_context(viewport={"width": 375, "height": 800})
    adviser = adviser_context.new_page()
    adviser.goto(base + link)
    adviser.locator("input[name=password1]").fill(PASSWORD)
    adviser.locator("input[name=password2]").fill(PASSWORD)
    adviser.get_by_role("button", name="Créer mon compte et accepter").click()
    expect(adviser.get_by_role("heading", name=f"Relecture du dossier {dossier.reference}")).to_be_visible()
    assert adviser.locator("section[id^=critere-]").count() == 3
    expect(adviser.locator("body")).not_to_contain_text("Budget prévisionnel")
    first = criteria[0]
    section = adviser.locator(f"#critere-{first.code}")
    expect(section).to_contain_text(first.guidance[:40])
    section.get_by_label("Votre commentaire").fill("Donnez un chiffre de fréquentation.")
    section.get_by_label("Reformulation proposée").fill("Le lieu accueille 120 personnes par semaine.")
    section.get_by_role("button", name="Commenter ce critère").click()
    expect(adviser.get_by_text("Commentaire publié")).to_be_visible()
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    adviser.screenshot(path=str(ARTIFACTS / "screenshots" / "advisers-adviser-375.png"), full_page=True)
    from axe_playwright_python.sync_playwright import Axe

    violations = [v for v in Axe().run(adviser).response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not violations, violations

    page.goto(base + reverse("dossiers:answer", args=[dossier.uuid, first.code]))
    expect(page.get_by_text("Donnez un chiffre de fréquentation.")).to_be_visible()
    axe_check("answer page with an adviser's thread")
    page.get_by_role("button", name="Accepter dans la réponse").click()
    expect(page.get_by_text("Reformulation reprise dans la réponse")).to_be_visible()
    expect(page.get_by_label("Votre réponse")).to_have_value("Le lieu accueille 120 personnes par semaine.")
    page.get_by_role("button", name="Marquer comme résolu").click()
    expect(page.get_by_text("Fil marqué résolu.")).to_be_visible()
    screenshot("applicant-accepted-resolved")
    assert Answer.objects.get(dossier=dossier, criterion=first).text == "Le lieu accueille 120 personnes par semaine."

    page.locator("#sidemenu-wrapper").get_by_role("link", name="Conseillers", exact=True).click()
    page.get_by_role("button", name="Retirer l’accès de conseillere@reseau.example.org").click()
    expect(page.get_by_text("L’accès de conseillere@reseau.example.org est retiré.")).to_be_visible()

    response = adviser.reload()
    assert response.status == 404
    expect(adviser.locator("main")).to_contain_text("introuvable")
    adviser_context.close()
