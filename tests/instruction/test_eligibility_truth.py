"""One eligibility truth per dossier (computed, confirmed, forced with its reason, or pending), read the same by the
dashboard, its filter, the instruction and committee pages, the export, the API; one rounding of scores."""

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fabriques.accounts.enums import Role
from fabriques.audit.models import AuditEntry
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.evaluation.models import DossierScore
from fabriques.instruction.admissibility import admissibility_decide, check_confirm, instruction_start
from fabriques.instruction.eligibility import (
    Eligibility,
    eligibility_condition,
    eligibility_label_expression,
    eligibility_of,
    eligibility_settle,
    with_eligibility,
)
from fabriques.instruction.enums import CheckItem
from fabriques.instruction.journal import journal_sentence
from fabriques.instruction.routing import territory_class_set
from fabriques.theme.templatetags.humanize_fr import note, score_round

pytestmark = pytest.mark.django_db

URL = "/instruction/"
FORCED = "Ateliers tenus chaque semaine dans la maison de quartier (convention jointe)."
CONFIRMED = "Lieu vérifié sur le plan officiel : à 300 m du quartier."


@pytest.fixture
def five(build, communes, occitanie, close_wave):
    """One dossier in each situation, through the domain functions: computed pass, fail, forced, pending, confirmed."""
    made = {name: build(communes["toulouse"]) for name in ("pass", "fail", "forced", "pending", "confirmed")}
    for name, computed in (("pass", "pass"), ("fail", "fail"), ("forced", "fail")):
        Dossier.objects.filter(pk=made[name].pk).update(eligibility_status=computed)
    close_wave()
    instructor = occitanie["instructor"]
    for dossier in made.values():
        dossier.refresh_from_db()
        instruction_start(dossier=dossier, by=instructor)
    check_confirm(dossier=made["forced"], item=CheckItem.LOCATION, by=instructor, reason=FORCED,
                         override=True)
    check_confirm(dossier=made["confirmed"], item=CheckItem.LOCATION, by=instructor, reason=CONFIRMED)
    return made


def test_the_rule_settles_the_computed_result_with_the_location_line():
    assert eligibility_settle("pass").status == Eligibility.PASS
    assert eligibility_settle("fail").status == Eligibility.FAIL
    assert eligibility_settle("fail", line_status="manual").status == Eligibility.FAIL  # no silent confirmation
    assert eligibility_settle("fail", line_status="manual", overrides_failure=True, reason="r").text == (
        "Éligibilité forcée : r")
    assert eligibility_settle("manual").status == Eligibility.PENDING
    assert eligibility_settle("", line_status="pending").status == Eligibility.PENDING
    assert eligibility_settle("manual", line_status="manual", reason="r").status == Eligibility.CONFIRMED


def test_one_dossier_and_a_list_read_the_same_truth(five):
    expected = {"pass": "pass", "fail": "fail", "forced": "forced", "pending": "pending", "confirmed": "confirmed"}
    one_by_one = {name: eligibility_of(Dossier.objects.get(pk=d.pk)).status for name, d in five.items()}
    listed = {d.pk: (d.eligibility, d.eligibility_reason or "")
              for d in with_eligibility(Dossier.objects.filter(pk__in=[d.pk for d in five.values()]))}
    labels = dict(Dossier.objects.filter(pk__in=[d.pk for d in five.values()])
                  .values_list("pk", eligibility_label_expression()))

    assert one_by_one == expected
    assert {name: listed[d.pk][0] for name, d in five.items()} == expected
    assert listed[five["forced"].pk][1] == FORCED
    assert labels[five["forced"].pk] == f"Éligibilité forcée : {FORCED}"
    assert {name: labels[d.pk] for name, d in five.items()} == {
        name: eligibility_of(Dossier.objects.get(pk=d.pk)).text for name, d in five.items()}
    # The filters' form of the rule (semi-joins, no CASE) keeps exactly the dossiers the CASE names.
    mine = Dossier.objects.filter(pk__in=[d.pk for d in five.values()])
    for wanted in [*Eligibility, "eligible"]:
        kept = {pk for pk, status in listed.items() if status[0] == wanted or (
            wanted == "eligible" and status[0] in {"pass", "confirmed", "forced"})}
        assert set(mine.filter(eligibility_condition(wanted)).values_list("pk", flat=True)) == kept, wanted


def test_the_dashboard_filters_on_the_truth_and_shows_the_forced_badge_with_its_reason(client, five, occitanie):
    client.force_login(occitanie["instructor"])

    def refs(**params):
        return {d.reference for d in client.get(URL, params).context["page"].object_list}

    assert refs(eligibility="pass") == {five[n].reference for n in ("pass", "forced", "confirmed")}
    assert refs(eligibility="forced") == {five["forced"].reference}
    assert refs(eligibility="fail") == {five["fail"].reference}
    assert refs(eligibility="manual") == {five["pending"].reference}
    page = client.get(URL, {"eligibility": "forced"}).content.decode().replace("&#x27;", "'")
    assert ">Éligibilité forcée</span>" in page
    assert f": {FORCED}" in page


def test_the_instruction_and_committee_pages_and_the_export_say_the_same(client, five, occitanie, admin_user, call,
                                                                          make_user):
    forced = five["forced"]
    admissibility_decide(dossier=forced, decision="admissible", reason="", by=occitanie["instructor"])
    client.force_login(admin_user)

    instruction_page = client.get(f"/instruction/dossiers/{forced.uuid}/").content.decode().replace("&#x27;", "'")
    response = client.get(f"/exports/{call.slug}/{forced.wave.slug}/telecharger.csv")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    name = next(n for n in archive.namelist() if "ossiers" in n)
    rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))

    assert "Éligibilité forcée</span>" in instruction_page
    assert f": {FORCED}" in instruction_page
    by_ref = {r["Référence"]: r for r in rows}
    assert by_ref[forced.reference]["Éligibilité"] == f"Éligibilité forcée : {FORCED}"
    assert by_ref[forced.reference]["Éligibilité calculée"] == "Non éligible"
    assert by_ref[five["confirmed"].reference]["Éligibilité"] == "Éligible, confirmée par l’instruction"
    assert by_ref[five["pending"].reference]["Éligibilité"] == "À vérifier"


def test_a_hand_confirmation_of_an_open_qpv_rule_classifies_the_place_as_qpv(build, communes, occitanie, close_wave):
    dossier = build(communes["toulouse"], track_slug="numerique")  # QPV perimeters not imported: rule left open
    assert {r["kind"]: r["status"] for r in dossier.eligibility_report["results"]}["qpv_proximity"] == "manual"
    close_wave()
    instruction_start(dossier=dossier, by=occitanie["instructor"])
    assert dossier.instruction.is_qpv is None

    check_confirm(dossier=dossier, item=CheckItem.LOCATION, by=occitanie["instructor"], reason=CONFIRMED)

    dossier.instruction.refresh_from_db()
    assert dossier.instruction.is_qpv is True
    entry = AuditEntry.objects.get(dossier_id=dossier.pk, action="dossier.territory_class")
    assert (entry.after, entry.reason) == ({"is_qpv": True}, CONFIRMED)


def test_an_instructors_own_classification_is_kept_by_a_later_confirmation(build, communes, occitanie, close_wave):
    dossier = build(communes["toulouse"], track_slug="numerique")
    close_wave()
    instruction_start(dossier=dossier, by=occitanie["instructor"])
    territory_class_set(dossier=dossier, is_rural=False, is_qpv=False, by=occitanie["instructor"])

    check_confirm(dossier=dossier, item=CheckItem.LOCATION, by=occitanie["instructor"], reason=CONFIRMED)

    dossier.instruction.refresh_from_db()
    assert dossier.instruction.is_qpv is False


def test_the_journal_reads_as_sentences_not_raw_data(client, five, occitanie):
    client.force_login(occitanie["instructor"])

    page = client.get(f"/instruction/dossiers/{five['forced'].uuid}/").content.decode()

    assert "État : Déposé → En instruction" in page
    assert "Éligibilité forcée (dérogation à une règle non respectée)" in page
    assert "{&#x27;state&#x27;" not in page
    assert "{'state'" not in page
    assert journal_sentence("something.new", {"a": 1}, None) == "Action enregistrée (something.new)"


@pytest.mark.parametrize(("value", "text"), [
    (2.625, "2,63"), (2.675, "2,68"), (2.624999, "2,62"), (10, "10,00"), (None, "—"), (0.005, "0,01"),
])
def test_scores_round_half_up_to_the_hundredth(value, text):
    assert note(value) == text
    if value is not None:
        assert str(score_round(value)) == text.replace(",", ".")


def test_one_score_reads_the_same_on_the_dashboard_the_assignments_and_the_committee_pages(
    client, build, communes, admin_user, call, make_user, close_wave
):
    dossier = build(communes["toulouse"])
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.EVALUATED)
    DossierScore.objects.create(dossier=dossier, n_evaluations=1, weighted=2.625, median=2.625, spread=0.0,
                                calibrated=2.625)
    client.force_login(admin_user)
    client.post("/instruction/colonnes/", {"columns": ["reference", "score"]})
    committee = make_user("comite@exemple.fr", call=call, role=Role.COMMITTEE)

    dashboard = client.get(URL).content.decode()
    assignments = client.get(f"/evaluation/dossiers/{dossier.uuid}/affectations/").content.decode()
    client.force_login(committee)
    committee_page = client.get(f"/comite/dossiers/{dossier.uuid}/").content.decode()

    for page in (dashboard, assignments, committee_page):
        assert "2,63" in page
        assert "2,62" not in page
    assert "partielle (1/3)" in dashboard
    assert "Notes arrondies au centième le plus proche, 0,005 vers le haut." in dashboard
    assert "Notes arrondies au centième le plus proche, 0,005 vers le haut." in committee_page


def test_the_dashboard_groups_by_wave_with_to_do_counts_in_constant_queries(
    client, build, communes, admin_user, call, occitanie, close_wave
):
    from fabriques.calls.models import Wave

    client.force_login(admin_user)
    first = build(communes["toulouse"])
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    build(communes["lyon"])  # deposited, waiting
    moved = build(communes["montpellier"])
    close_wave()
    instruction_start(dossier=first, by=occitanie["instructor"])
    first.wave.refresh_from_db()
    other = Wave.objects.create(call=call, slug="vague-seconde-test", title="Deuxième vague",
                                opens_at=first.wave.opens_at, closes_at=first.wave.closes_at)
    Dossier.objects.filter(pk=moved.pk).update(wave=other)

    with CaptureQueriesContext(connection) as three:
        response = client.get(URL)
    page = response.content.decode()

    assert len(one) == len(three)
    groups = response.context["page"].wave_groups
    assert {w: (g.total, dict(g.to_do)) for w, g in groups.items()} == {
        first.wave_id: (2, {"à instruire": 1, "en instruction": 1}),
        other.pk: (1, {"à instruire": 1}),
    }
    assert page.count('scope="colgroup"') == 2
    assert "2 dossiers · à traiter : 1 à instruire, 1 en instruction" in page


def test_the_instruction_page_marks_files_added_replaced_or_removed_after_the_deposit(
    client, build, communes, occitanie
):
    from fabriques.dossiers import domain as dossier_domain
    from fabriques.dossiers import queries as dossier_queries
    from tests.dossiers.factories import small_pdf, upload

    dossier = build(communes["toulouse"])  # deposited, wave still open: the applicant may change files
    owner = dossier.owner
    first, second = list(dossier.attachments.select_related("required").order_by("id"))[:2]
    dossier_domain.attachment_remove(attachment=first, by=owner)
    dossier_domain.attachment_add(dossier=dossier, required=first.required, by=owner,
                                  upload=upload("nouvelle-version.pdf", small_pdf("v2")))
    dossier_domain.attachment_remove(attachment=second, by=owner)
    optional = next((r for r in dossier_queries.required_attachments_for(dossier)
                     if r.pk not in {first.required_id, second.required_id}), None)
    if optional is not None:
        dossier_domain.attachment_add(dossier=dossier, required=optional, by=owner,
                                      upload=upload("ajout.pdf", small_pdf("ajout")))
    client.force_login(occitanie["instructor"])

    page = client.get(f"/instruction/dossiers/{dossier.uuid}/").content.decode()

    assert "nouvelle-version.pdf" in page
    assert "Remplace une pièce déposée, non redéposée" in page
    assert f"{second.original_name} <span" in page
    assert "Retirée après le dépôt de la version n° 1" in page
    assert page.count("Retirée après le dépôt") == 2  # both deposited files that are gone
    if optional is not None:
        assert "Ajoutée après le dépôt, non redéposée" in page
    assert "fait foi : les pièces marquées ont changé depuis" in page
