"""In Chromium: an agent's message refused for its file comes back with the text typed, the error next to
the field, and an accessible page (axe)."""

import pytest
from playwright.sync_api import expect

from fabriques.instruction.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "Merci d’ajouter le devis signé de l’architecte."


def test_a_refused_message_keeps_the_text_and_shows_the_error_next_to_the_file_field(
    live_server, page, build, communes, occitanie, tmp_path, settings, screenshot, axe_check
):
    settings.MEDIA_ROOT = tmp_path / "media"
    dossier = build(communes["toulouse"])
    not_a_document = tmp_path / "devis.txt"
    not_a_document.write_text("juste du texte")
    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Courriel").fill(occitanie["instructor"].email)
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/espace/")

    page.goto(f"{live_server.url}/instruction/dossiers/{dossier.uuid}/")
    page.locator("#id_body").fill(TYPED)
    page.locator("#id_attachment").set_input_files(str(not_a_document))
    page.get_by_role("button", name="Publier le message").click()

    expect(page.get_by_role("heading", name="Le message n’a pas été publié")).to_be_visible()
    expect(page.locator("#id_body")).to_have_value(TYPED)
    expect(page.locator("#id_attachment-errors")).to_have_text(
        "Type de fichier non accepté : PDF, image ou document bureautique seulement."
    )
    expect(page.locator("#id_attachment")).to_have_attribute("aria-invalid", "true")
    screenshot("refused-message")
    axe_check("refused message")
    assert not Message.objects.filter(dossier=dossier).exists()
