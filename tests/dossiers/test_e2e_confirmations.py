"""Irreversible acts ask first (static confirm.js, strict CSP): declining changes nothing, accepting acts.

Real Chromium at 375 px and desktop; declining leaves the file, accepting removes it."""

import pytest

from fabriques.dossiers.models import DossierAttachment
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_removing_a_file_asks_first(live_server, page, complete_dossier, applicant, axe_check, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/dossiers/{complete_dossier.uuid}/pieces/")
    before = DossierAttachment.objects.filter(dossier=complete_dossier).count()
    assert before > 0
    button = page.get_by_role("button", name="Retirer").first
    questions = []

    def decline(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    button.click()
    page.wait_for_timeout(300)
    assert questions
    assert questions[0].startswith("Retirer la pièce « ")
    assert DossierAttachment.objects.filter(dossier=complete_dossier).count() == before

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        button.click()
    assert DossierAttachment.objects.filter(dossier=complete_dossier).count() == before - 1
    screenshot(f"attachments-{width}")
    axe_check("attachments")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
