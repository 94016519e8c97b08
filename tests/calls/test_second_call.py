"""A second call, written as data only (issue 17): the regional « Tiers-lieux en Bretagne » definition loads and runs
from deposit to the committee's decision with the domain functions, with its own reference prefix, checklist,
programme figures, targets and criterion kinds (a scale of 0–10, a yes/no and a text-only criterion)."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.calls.definition import DefinitionError, parse_definition
from fabriques.calls.domain import DEFINITIONS_DIR, call_load, call_load_file
from fabriques.calls.models import Wave
from fabriques.committee import domain as committee
from fabriques.committee.enums import Outcome
from fabriques.demo.builders import build_dossier
from fabriques.dossiers.enums import DossierState
from fabriques.evaluation.assignments import assignment_create, conflict_declare
from fabriques.evaluation.enums import AssignmentState
from fabriques.evaluation.models import DossierScore, Score
from fabriques.evaluation.scoring import ScoreInput, ScoresInvalidError, evaluation_submit
from fabriques.exports import queries as export_queries
from fabriques.instruction.admissibility import admissibility_decide, instruction_start
from fabriques.instruction.enums import CheckStatus
from fabriques.instruction.routing import national_group, territory_class_set
from fabriques.territory.models import Commune

pytestmark = pytest.mark.django_db
FILE = DEFINITIONS_DIR / "tiers-lieux-bretagne-2027.toml"
TEXT = FILE.read_text()


@pytest.fixture
def bretagne():
    return call_load_file(path=FILE).call


@pytest.fixture
def rennes():
    return Commune.objects.get_or_create(code="35238", defaults={
        "name": "Rennes", "departement_code": "35", "region_code": "53", "latitude": 48.1119,
        "longitude": -1.6743, "search_name": "rennes"})[0]


def _wave(call) -> Wave:
    now = timezone.now()
    return Wave.objects.create(call=call, slug="vague-essai", title="Vague d’essai",
                               opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1),
                               envelope_eur=600000, max_laureates=20, is_demo=True)


def test_the_regional_call_loads_with_its_own_figures_and_kinds(bretagne):
    kinds = {c.code: (c.kind, c.scale_min, c.scale_max, c.scale_step, c.weight) for c in bretagne.criteria.all()}

    assert (bretagne.reference_prefix, bretagne.programme_laureates) == ("TLB", 40)
    assert (bretagne.complement_default_days, bretagne.complement_reminder_days) == (21, 5)
    assert bretagne.checklist == ["legal_form", "attachments", "budget"]
    assert kinds["projet"] == ("scale", 0, 10, 1, 2)
    assert kinds["accessibilite"] == ("yes_no", 0, 1, 1, 1)
    assert kinds["cooperation-regionale"][0] == "text_only"
    assert kinds["cooperation-regionale"][4] == 0
    assert [t.slug for t in bretagne.tracks.all()] == ["emergence", "consolidation"]


def test_the_2019_call_keeps_its_figures():
    from tests.conftest import call_2019_load

    call = call_2019_load()

    assert (call.reference_prefix, call.programme_laureates) == ("FDT", 300)
    assert {c.kind for c in call.criteria.all()} == {"scale"}


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('kind = "yes_no"', 'kind = "oui_non"', "criteria[3].kind: unknown criterion kind 'oui_non' "
                                            "(known: scale, text_only, yes_no)"),
    ('kind = "legal_form"\nlabel = "Être une personne morale d’une forme juridique éligible"\n\n[[tracks]]',
     'kind = "siret_actif"\nlabel = "Être une personne morale d’une forme juridique éligible"\n\n[[tracks]]',
     "tracks[0].rules[0].kind: unknown rule kind 'siret_actif' (known: legal_form, qpv_proximity, "
     "tiers_lieux_network)"),
    ('"attachments", "budget"]', '"attachments", "visite"]',
     "checklist[2]: unknown checklist item 'visite' (known: attachments, budget, legal_form, location)"),
    ('kind = "text_only"\n', 'kind = "text_only"\nweight = 1\n',
     "criteria[4].weight: a text_only criterion is not scored: remove weight"),
    ('kind = "yes_no"\nweight = 1\n', 'kind = "yes_no"\nweight = 1\nscale = { min = 0, max = 5 }\n',
     "criteria[3].scale: a yes_no criterion has a fixed scale: remove scale"),
    ('reference_prefix = "TLB"', 'reference_prefix = "tl-b"',
     "reference_prefix: expected 2 to 8 upper-case letters or digits, starting with a letter, got 'tl-b'"),
    ("reminder_days = 5", "reminder_days = 21", "complements: reminder_days (21) must be below default_days (21)"),
])
def test_unknown_names_and_misplaced_keys_are_definition_errors(old, new, problem):
    assert old in TEXT
    with pytest.raises(DefinitionError) as caught:
        parse_definition(TEXT.replace(old, new, 1), source="bzh.toml")

    assert caught.value.problems == [problem]


def test_a_call_with_only_text_criteria_is_refused():
    text = TEXT.replace('weight = 2\nscale = { min = 0, max = 10, step = 1 }\nthreshold = 4\n', 'kind = "text_only"\n')
    for key in ("gouvernance-partagee", "modele"):
        text = text.replace(f'id = "{key}"', f'id = "{key}"\nkind = "text_only"')
    text = text.replace('weight = 1\nscale = { min = 0, max = 10, step = 1 }\n', "")
    text = text.replace('kind = "yes_no"\nweight = 1\nthreshold = 0.5\n', 'kind = "text_only"\n')

    with pytest.raises(DefinitionError) as caught:
        call_load(text=text, source="bzh.toml")

    assert caught.value.problems == ["criteria: at least one criterion must be scored (kind other than text_only)"]


def _deposit(wave, track, owner, commune, name):
    with override_settings(FABRIQUES_DEPOSIT_PROOF_EMAIL=False):
        return build_dossier(wave=wave, track=track, owner=owner, commune=commune, rng=random.Random(name),
                             place_name=name).dossier


def _scores(dossier, *, scale: int, yes: bool, comment: str) -> dict:
    out = {}
    for c in dossier.track.criteria.all():
        if c.kind == "scale":
            out[c.pk] = ScoreInput(value=Decimal(scale), comment="" if scale >= 4 else "À renforcer.")
        elif c.kind == "yes_no":
            out[c.pk] = ScoreInput(value=Decimal(int(yes)), comment="" if yes else "Pas de rampe prévue.")
        else:
            out[c.pk] = ScoreInput(comment=comment)
    return out


def test_apply_deposit_instruct_evaluate_and_decide_with_no_code_for_this_call(bretagne, rennes, make_user):
    wave = _wave(bretagne)
    admin = make_user("admin.region@exemple.fr", call=bretagne, role=Role.ADMIN)
    instructor = make_user("instructeur.region@exemple.fr", call=bretagne, role=Role.INSTRUCTOR)
    evaluators = [make_user(f"eval{i}@exemple.fr", call=bretagne, role=Role.EVALUATOR) for i in (1, 2)]
    track = bretagne.tracks.get(slug="emergence")
    strong = _deposit(wave, track, make_user("porteuse1@exemple.fr"), rennes, "La Grange")
    weak = _deposit(wave, track, make_user("porteur2@exemple.fr"), rennes, "Le Hangar")

    assert strong.state == DossierState.DEPOSITED
    assert strong.reference == f"TLB-{strong.created_at:%Y}-{strong.pk:05d}"
    wave.opens_at, wave.closes_at = timezone.now() - dt.timedelta(days=30), timezone.now() - dt.timedelta(days=1)
    wave.save(update_fields=["opens_at", "closes_at"])

    national_group(call=bretagne).members.add(instructor)
    for dossier in (strong, weak):
        instruction_start(dossier=dossier, by=instructor)
        checks = {c.item: c.status for c in dossier.instruction.checks.all()}
        assert checks == {"legal_form": CheckStatus.OK, "attachments": CheckStatus.OK, "budget": CheckStatus.OK}
        territory_class_set(dossier=dossier, is_rural=True, is_qpv=False, by=instructor)
        admissibility_decide(dossier=dossier, decision="admissible", reason="", by=instructor)

    for dossier, (scale, yes) in ((strong, (8, True)), (weak, (3, False))):
        for evaluator in evaluators:
            assignment = assignment_create(dossier=dossier, evaluator=evaluator, by=admin)
            conflict_declare(assignment=assignment, has_conflict=False, by=evaluator)
            assignment.refresh_from_db()
            assert assignment.state == AssignmentState.ACTIVE
            evaluation_submit(
                evaluation=assignment.evaluation, scores=_scores(dossier, scale=scale, yes=yes, comment="Coopère."),
                opinion="favourable" if yes else "unfavourable", summary="Lu.", by=evaluator)

    strong_score, weak_score = (DossierScore.objects.get(dossier=d) for d in (strong, weak))
    # Weighted mean on 0–10: projet ×2, two scale criteria ×1, yes/no ×1 mapped (oui = 10, non = 0); the text-only
    # criterion is outside it.
    assert strong_score.weighted == pytest.approx((2 * 8 + 8 + 8 + 10) / 5)
    assert weak_score.weighted == pytest.approx((2 * 3 + 3 + 3 + 0) / 5)
    assert sorted(weak_score.below_threshold) == ["accessibilite", "projet"]
    assert strong_score.below_threshold == []
    text_rows = Score.objects.filter(criterion__code="cooperation-regionale", evaluation__assignment__dossier=strong)
    assert [(s.value, s.comment, s.display) for s in text_rows] == [(None, "Coopère.", "commentaire")] * 2
    feedback = committee.feedback_for(strong)
    assert "Accessibilité du lieu (2 oui sur 2) :" in feedback
    assert "Coopération régionale : Coopère. Coopère." in feedback
    assert "Projet du lieu (8,0 / 10.00) :" in feedback  # the scale as the 2019 call shows it (« / 5.00 »)
    notes = next(b for b in export_queries.blocks(admin, wave) if b.name == "Notes")
    rows = {(code, value, comment) for ref, _, code, value, comment in notes.rows if ref == strong.reference}
    assert rows == {("projet", 8.0, ""), ("gouvernance-partagee", 8.0, ""), ("modele", 8.0, ""),
                    ("accessibilite", 1.0, ""), ("cooperation-regionale", "", "Coopère.")}  # yes = 1, text: no note

    committee.wave_calibrate(wave=wave)
    scenario = committee.scenario_create(wave=wave, name="Région", by=admin)
    by_kind = {t["kind"]: t["value"] for t in scenario.targets}
    # 20 laureates in the wave out of the programme's 40: half of 24 rural and of 10 consolidations.
    assert by_kind == {"min_rural": 12, "track_min": 5, "max_laureates": 20}
    targets = [{**t, "value": 0 if t["kind"] != "max_laureates" else 1} for t in scenario.targets]
    committee.scenario_settings(scenario=scenario, envelope_eur=600000, targets=targets, use_calibrated=False,
                                by=admin)
    committee.scenario_solve(scenario=scenario, by=admin)
    assert [int(pk) for pk in scenario.result["chosen"]] == [strong.pk]
    decisions = {d.dossier_id: d.outcome for d in committee.decisions_stage(scenario=scenario, by=admin)}
    assert decisions == {strong.pk: Outcome.LAUREATE, weak.pk: Outcome.NOT_RETAINED}
    committee.decisions_apply(wave=wave, by=admin)
    strong.refresh_from_db()
    weak.refresh_from_db()
    assert (strong.state, weak.state) == (DossierState.LAUREATE, DossierState.NOT_RETAINED)


def test_a_text_only_criterion_takes_no_score_and_needs_a_comment_on_submit(bretagne, rennes, make_user):
    wave = _wave(bretagne)
    admin = make_user("admin.region@exemple.fr", call=bretagne, role=Role.ADMIN)
    evaluator = make_user("eval1@exemple.fr", call=bretagne, role=Role.EVALUATOR)
    dossier = _deposit(wave, bretagne.tracks.get(slug="emergence"), make_user("p@exemple.fr"), rennes, "La Forge")
    dossier.wave.closes_at = timezone.now() - dt.timedelta(minutes=1)
    dossier.wave.save(update_fields=["closes_at"])
    instructor = make_user("instructeur.region@exemple.fr", call=bretagne, role=Role.INSTRUCTOR)
    national_group(call=bretagne).members.add(instructor)
    instruction_start(dossier=dossier, by=instructor)
    admissibility_decide(dossier=dossier, decision="admissible", reason="", by=instructor)
    assignment = assignment_create(dossier=dossier, evaluator=evaluator, by=admin)
    conflict_declare(assignment=assignment, has_conflict=False, by=evaluator)
    assignment.refresh_from_db()
    text_only = bretagne.criteria.get(code="cooperation-regionale")
    scores = _scores(dossier, scale=6, yes=True, comment="")

    with pytest.raises(ScoresInvalidError) as missing:
        evaluation_submit(evaluation=assignment.evaluation, scores=scores, opinion="reserved", summary="",
                                     by=evaluator)
    scores[text_only.pk] = ScoreInput(value=Decimal(3), comment="Un réseau réel.")
    with pytest.raises(ScoresInvalidError) as scored:
        evaluation_submit(evaluation=assignment.evaluation, scores=scores, opinion="reserved", summary="",
                                     by=evaluator)

    assert missing.value.errors == {f"comment_{text_only.pk}": "Ce critère ne se note pas : un commentaire est "
                                                               "obligatoire."}
    assert scored.value.errors == {f"comment_{text_only.pk}": "Ce critère ne se note pas : donnez seulement un "
                                                              "commentaire."}


def test_the_public_page_of_the_second_call_says_how_each_criterion_is_judged(client, bretagne):
    body = client.get(reverse("calls:detail", args=[bretagne.slug])).content.decode()

    assert "noté critère par critère de 0 à 10" in body
    assert "Pondération : 2 — note minimale attendue : 4 — s’applique à : Émergence, Consolidation." in body
    assert "Les évaluateurs répondent oui ou non — pondération : 1 — note minimale attendue : 0,5" in body
    assert "Commenté par les évaluateurs, sans note — s’applique à : Émergence, Consolidation." in body
    assert "Pondération : 0" not in body


def test_the_api_gives_each_criterion_its_kind(client, bretagne):
    data = client.get(f"/api/v1/calls/{bretagne.slug}").json()

    kinds = {c["code"]: (c["kind"], c["scale_min"], c["scale_max"]) for c in data["criteria"]}
    assert kinds["projet"] == ("scale", "0.00", "10.00")
    assert kinds["accessibilite"] == ("yes_no", "0.00", "1.00")
    assert kinds["cooperation-regionale"][0] == "text_only"
