"""An instructor's day on the demo's wave in instruction, in Chromium: the dashboard grouped by wave with what is to
be done, the « Éligible » filter, a failed QPV rule passed over with a reason, the same badge on the dashboard and the
same words in the CSV export; axe on every page, screenshots at 375 px."""

import csv
import io
import zipfile

import pytest
from playwright.sync_api import expect

from fabriques.accounts.enums import Role
from fabriques.demo.places import CAEN, CAPITOLE, DIJON
from fabriques.demo.roles_demo import demo_instruction_wave
from fabriques.dossiers.models import Dossier
from fabriques.territory.domain import qpv_import
from tests.browser import log_in
from tests.conftest import QPV_2015_OCCITANIE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "motdepasse-solide-42"
REASON = "Ateliers tenus chaque semaine dans la maison de quartier des Izards (convention et planning joints)."


@pytest.fixture
def demo_wave(call, open_wave, make_user, admin_user, build, communes):
    """The demo's wave in instruction (Capitole fails the QPV rule: 1.5 km > 500 m) and a deposit in the open wave."""
    qpv_import(path=QPV_2015_OCCITANIE, vintage=2015)
    instructor = make_user("instructrice@exemple.fr", call=call, role=Role.INSTRUCTOR)
    evaluator = make_user("evaluateur@exemple.fr", call=call, role=Role.EVALUATOR)
    wave = demo_instruction_wave(call=call, password=PASSWORD, admin=admin_user, instructor=instructor,
                                 evaluator=evaluator, applicant=make_user("porteuse@exemple.fr"))
    build(communes["toulouse"])  # deposited in the open wave: a second group on the dashboard
    by_place = {d.place_name: d for d in Dossier.objects.filter(wave=wave)}
    return {"wave": wave, "instructor": instructor, "capitole": by_place[CAPITOLE.name],
            "eligible": [by_place[DIJON.name], by_place[CAEN.name]]}


def _row(page, reference):
    return page.locator("#dashboard-table tbody tr", has=page.get_by_role("link", name=reference))


def test_an_instructors_day_passes_over_a_failed_rule_and_finds_the_same_truth_everywhere(
    live_server, page, demo_wave, screenshot, axe_check, call
):
    capitole = demo_wave["capitole"]
    assert capitole.eligibility_status == "fail"
    log_in(page, live_server.url, demo_wave["instructor"].email)

    # The dashboard, grouped by wave, says what is to be done at the top of each wave.
    page.goto(live_server.url + "/instruction/")
    headings = page.locator("#dashboard-table th[scope=colgroup]")
    expect(headings).to_have_count(2)
    expect(headings.filter(has_text=demo_wave["wave"].title)).to_contain_text("à traiter : 2 à instruire")
    expect(headings.filter(has_text=demo_wave["wave"].title)).to_contain_text("1 compléments attendus")
    expect(page.get_by_text("Notes arrondies au centième le plus proche, 0,005 vers le haut.")).to_be_visible()
    axe_check("dashboard grouped by wave")
    page.set_viewport_size({"width": 375, "height": 900})
    screenshot("instructor-day-dashboard-375")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})

    # « Éligible »: the two dossiers whose open lines the instruction confirmed, not the Capitole.
    page.locator("#id_eligibility").select_option("pass")
    page.get_by_role("button", name="Filtrer").click()
    for dossier in demo_wave["eligible"]:
        expect(_row(page, dossier.reference)).to_contain_text("Éligible, confirmée par l’instruction")
    expect(page.get_by_role("link", name=capitole.reference)).to_have_count(0)

    # The Capitole: the QPV rule fails; the instructor passes over it, with a reason.
    page.get_by_role("link", name="Réinitialiser").click()
    expect(_row(page, capitole.reference)).to_contain_text("Non éligible")
    page.get_by_role("link", name=capitole.reference).click()
    page.get_by_role("button", name="Commencer l’instruction").click()
    expect(page.get_by_text("Instruction commencée.")).to_be_visible()
    expect(page.locator("#eligibility-truth")).to_contain_text("Non éligible")
    page.get_by_label("Motif de la dérogation").fill(REASON)
    page.locator("label[for=override-location]").click()  # the DSFR checkbox: its label takes the click
    page.get_by_role("button", name="Passer outre avec ce motif").click()
    expect(page.get_by_text("Dérogation enregistrée")).to_be_visible()
    expect(page.locator("#eligibility-truth")).to_contain_text("Éligibilité forcée")
    expect(page.locator("#eligibility-truth")).to_contain_text(REASON)
    expect(page.get_by_role("cell", name="Éligibilité forcée (dérogation à une règle non respectée)")).to_be_visible()
    axe_check("dossier with a forced eligibility")
    page.set_viewport_size({"width": 375, "height": 900})
    screenshot("instructor-day-dossier-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The same badge on the dashboard, found by the « Éligibilité forcée » and « Éligible » filters.
    page.goto(live_server.url + "/instruction/?eligibility=forced")
    expect(page.locator("#dashboard-table tbody tr:not(.fab-wave-group)")).to_have_count(1)
    expect(_row(page, capitole.reference)).to_contain_text("Éligibilité forcée")
    expect(_row(page, capitole.reference)).to_contain_text(REASON)
    page.goto(live_server.url + "/instruction/?eligibility=pass")
    expect(page.get_by_role("link", name=capitole.reference)).to_be_visible()

    # The CSV export says the same words.
    page.goto(live_server.url + f"/exports/{call.slug}/{demo_wave['wave'].slug}/")
    axe_check("export page")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV (archive ZIP, un fichier par bloc)").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    name = next(n for n in archive.namelist() if "ossiers" in n)
    rows = {r["Référence"]: r for r in csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))}
    assert rows[capitole.reference]["Éligibilité"] == f"Éligibilité forcée : {REASON}"
    assert rows[capitole.reference]["Éligibilité calculée"] == "Non éligible"
    assert {rows[d.reference]["Éligibilité"] for d in demo_wave["eligible"]} == {
        "Éligible, confirmée par l’instruction"}
