"""Keyboard on a criterion page (issue 23): the first Tab reaches « Aller au contenu », which leads past the side
menu of the dossier's sections to the answer; after a plain save the focus is on the saved message, never <body>."""

import pytest

from fabriques.dossiers.models import Answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page) -> str:
    return page.evaluate("() => { const e = document.activeElement; "
                         "return `${e.tagName} #${e.id} ${(e.innerText || e.value || '').slice(0, 80)}`; }")


def test_the_first_tab_reaches_the_answer_and_saving_keeps_the_focus(live_server, page, dossier, applicant,
                                                                   axe_check):
    criterion = dossier.track.criteria.order_by("position").first()
    page.goto(live_server.url + "/compte/login/")
    page.locator("#id_login").fill(applicant.email)
    page.locator("#id_password").fill("motdepasse-solide-42")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/espace/**")
    page.goto(f"{live_server.url}/dossiers/{dossier.uuid}/criteres/{criterion.code}/")

    page.keyboard.press("Tab")
    assert "Aller au contenu" in _focused(page)
    page.keyboard.press("Enter")
    presses = 0
    while page.evaluate("document.activeElement.id") != "id_text" and presses < 5:
        page.keyboard.press("Tab")
        presses += 1
        assert page.evaluate("document.activeElement.closest('.fr-sidemenu') === null"), "Tab went to the side menu"
    assert page.evaluate("document.activeElement.id") == "id_text", _focused(page)
    assert presses <= 3  # was 31 with the side menu first

    page.keyboard.type("Un lieu ouvert à tous, du lundi au samedi.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()
    focused = _focused(page)
    assert "enregistré à" in focused, focused
    assert Answer.objects.get(dossier=dossier, criterion=criterion).text.startswith("Un lieu ouvert")
    axe_check("criterion page after saving")
