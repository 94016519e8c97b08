"""Leaving a section never races its autosave (Chromium). The applicant types an answer and at once follows the side
menu's « Dépôt » link (the answer's autosave waits 1.5 s for the typing to stop): the waiting change is sent first,
once, and the deposited version holds it. « Enregistrer » clicked while an autosave is under way posts once it has
answered, with the version it returned: no conflict, no double save, nothing answers 5xx."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fabriques.dossiers import queries
from fabriques.dossiers.models import Answer
from tests.browser import SlowPosts, log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _side_menu_link(page, name: str):
    toggle = page.get_by_role("button", name="Rubriques du dossier")
    if toggle.is_visible():  # 375 px: the side menu is folded
        toggle.click()
    return page.locator(".fr-sidemenu").get_by_role("link", name=name, exact=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_an_answer_typed_then_the_deposit_link_followed_at_once_is_in_the_deposited_version(
    live_server, page, complete_dossier, applicant, screenshot, axe_check, width
):
    dossier = complete_dossier
    criterion = queries.criteria_for(dossier)[0]
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, applicant.email)
    answer_path = reverse("dossiers:answer", args=[dossier.uuid, criterion.code])
    page.goto(live_server.url + answer_path)
    link = _side_menu_link(page, "Dépôt")
    network = SlowPosts(page, answer_path)
    typed = "Texte tapé juste avant d’aller au dépôt."

    page.get_by_label("Votre réponse").fill(typed)
    link.click()
    expect(page.get_by_role("heading", name="Déposer le dossier")).to_be_visible(timeout=15000)
    assert network.kinds() == ["request autosave", "response autosave"]
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == typed
    screenshot(f"deposit-page-{width}")
    axe_check("deposit page")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_text("Dossier déposé le")).to_be_visible(timeout=15000)
    version = dossier.versions.order_by("-number").first()
    assert next(a["text"] for a in version.snapshot["answers"] if a["code"] == criterion.code) == typed
    page.wait_for_timeout(1800)  # the typing's own autosave delay has run out: it must not have left
    assert network.kinds() == ["request autosave", "response autosave"]
    screenshot(f"deposited-{width}")


def test_saving_while_an_autosave_is_under_way_posts_once_it_has_answered(
    live_server, page, complete_dossier, applicant, screenshot
):
    dossier = complete_dossier
    criterion = queries.criteria_for(dossier)[0]
    log_in(page, live_server.url, applicant.email)
    answer_path = reverse("dossiers:answer", args=[dossier.uuid, criterion.code])
    page.goto(live_server.url + answer_path)
    network = SlowPosts(page, answer_path)
    network.hold = {"autosave"}
    textarea = page.get_by_label("Votre réponse")

    textarea.fill("Première moitié")
    wait_until(page, lambda: network.held)  # the autosave left 1.5 s after the typing stopped, and hangs
    textarea.fill("Première moitié, puis la seconde.")
    page.get_by_role("button", name="Enregistrer").click(no_wait_after=True)
    page.wait_for_timeout(1000)
    assert network.kinds() == ["request autosave"], "the form's POST left while the autosave was under way"
    screenshot("waiting")
    network.release()

    expect(page.get_by_text(f"{criterion.title} : enregistré à")).to_be_visible(timeout=15000)
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == "Première moitié, puis la seconde."
    assert network.kinds() == ["request autosave", "response autosave", "request form", "response form"]
    assert all(event[2] < 500 for event in network.log if event[0] == "response")
    expect(page.locator("main")).not_to_contain_text("Conflit d’enregistrement")


def test_an_answer_typed_before_the_autosave_script_ran_is_saved_all_the_same(
    live_server, page, complete_dossier, applicant
):
    """A page slow to load (CI under load showed it): the text was typed before autosave.js set the form up, so no
    event announced it. The script compares the fields with the values the page was served with, not with what they
    hold when it starts, and sends the difference."""
    dossier = complete_dossier
    criterion = queries.criteria_for(dossier)[0]
    log_in(page, live_server.url, applicant.email)
    held = []

    def hold(route):  # the script waits until released
        held.append(route)

    page.route("**/autosave*.js", hold)
    page.goto(live_server.url + reverse("dossiers:answer", args=[dossier.uuid, criterion.code]),
              wait_until="commit")
    typed = "Tapé avant que le script ne soit chargé."
    page.get_by_label("Votre réponse").fill(typed)
    wait_until(page, lambda: held)
    held[0].continue_()

    expect(page.locator("#save-status")).to_contain_text("Enregistré à", timeout=15000)
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text == typed
