"""Automatic assignment on the database: N per dossier, conflicts, scopes, even loads, one e-mail each."""

from fabriques.accounts.enums import Role
from fabriques.audit.models import AuditEntry
from fabriques.dossiers.enums import DossierState
from fabriques.dossiers.models import Dossier
from fabriques.evaluation.assignments import assignment_create, assignment_remove, assignments_auto, conflict_declare
from fabriques.evaluation.dossier_scores import IN_PLAY
from fabriques.evaluation.enums import AssignmentMethod, AssignmentState, ConflictKind
from fabriques.evaluation.models import Assignment
from fabriques.evaluation.wave_settings import evaluator_scope_set


def _evaluators(make_user, call, n):
    return [make_user(f"eval{i}@example.org", call=call, role=Role.EVALUATOR) for i in range(n)]


def test_each_dossier_gets_three_evaluators_with_even_loads(make_dossier, make_user, call, open_wave, instructor,
                                                           mailoutbox, django_capture_on_commit_callbacks):
    dossiers = [make_dossier() for _ in range(4)]
    people = _evaluators(make_user, call, 5)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary = assignments_auto(wave=open_wave, by=instructor)
    assert (summary.created, summary.dossiers, summary.evaluators, summary.shortfalls) == (12, 4, 5, [])
    assert (summary.min_load, summary.max_load) == (2, 3)
    for dossier in dossiers:
        assert Assignment.objects.filter(dossier=dossier, method=AssignmentMethod.AUTO).count() == 3
    assert set(Dossier.objects.values_list("state", flat=True)) == {DossierState.IN_EVALUATION}
    evaluator_mails = sorted(m.to[0] for m in mailoutbox if m.to[0].startswith("eval"))
    assert evaluator_mails == sorted(p.email for p in people)
    assert AuditEntry.objects.filter(action="evaluation.assign").count() == 4


def test_running_it_again_keeps_existing_assignments_and_adds_nothing(make_dossier, make_user, call, open_wave,
                                                                     instructor):
    make_dossier()
    _evaluators(make_user, call, 3)
    assignments_auto(wave=open_wave, by=instructor)
    again = assignments_auto(wave=open_wave, by=instructor)
    assert (again.created, Assignment.objects.count()) == (0, 3)


def test_a_declared_conflict_is_replaced_by_another_evaluator_at_once(make_dossier, make_user, call, open_wave,
                                                                      instructor):
    dossier = make_dossier()
    people = _evaluators(make_user, call, 4)
    assignments_auto(wave=open_wave, by=instructor, per_dossier=3)
    first = Assignment.objects.filter(dossier=dossier).order_by("evaluator_id").first()
    conflict_declare(assignment=first, has_conflict=True, kind=ConflictKind.FAMILY, by=first.evaluator)
    summary = assignments_auto(wave=open_wave, by=instructor, per_dossier=3)
    in_play = set(Assignment.objects.filter(dossier=dossier, state__in=IN_PLAY)
                  .values_list("evaluator_id", flat=True))
    assert summary.created == 0  # the declaration refilled the place already
    assert first.evaluator_id not in in_play
    assert in_play == {p.pk for p in people} - {first.evaluator_id}


def test_scopes_limit_tracks_and_regions(make_dossier, make_user, call, open_wave, instructor):
    territoire = make_dossier(track="territoire")
    numerique = make_dossier(track="numerique")
    digital_only, elsewhere, anywhere = _evaluators(make_user, call, 3)
    evaluator_scope_set(user=digital_only, call=call, by=instructor,
                               track_ids=[call.tracks.get(slug="numerique").pk], region_codes=[])
    evaluator_scope_set(user=elsewhere, call=call, by=instructor, track_ids=[], region_codes=["84"])
    summary = assignments_auto(wave=open_wave, by=instructor, per_dossier=2)
    pairs = set(Assignment.objects.values_list("dossier_id", "evaluator_id"))
    assert pairs == {(territoire.pk, anywhere.pk), (numerique.pk, anywhere.pk), (numerique.pk, digital_only.pk)}
    assert [(s.reference, s.missing) for s in summary.shortfalls] == [(territoire.reference, 1)]


def test_dossiers_not_yet_admissible_are_left_alone(make_dossier, make_user, call, open_wave, instructor):
    pending = make_dossier(state=DossierState.IN_INSTRUCTION)
    _evaluators(make_user, call, 3)
    summary = assignments_auto(wave=open_wave, by=instructor)
    assert (summary.created, summary.dossiers) == (0, 0)
    assert not Assignment.objects.filter(dossier=pending).exists()


def test_assignment_in_a_removed_state_is_not_given_back_automatically(dossier, make_user, call, open_wave,
                                                                      instructor):
    people = _evaluators(make_user, call, 3)
    assignment = assignment_create(dossier=dossier, evaluator=people[0], by=instructor)
    assignment_remove(assignment=assignment, by=instructor)
    assignments_auto(wave=open_wave, by=instructor, per_dossier=3)
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.REMOVED
    assert Assignment.objects.filter(dossier=dossier, state__in=IN_PLAY).count() == 2
