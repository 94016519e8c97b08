import json

import pytest
from django.core import mail
from django.core.management import call_command

from fabriques.committee import domain
from fabriques.committee.enums import OutboxState, Outcome
from fabriques.committee.models import Decision, OutboxMessage
from fabriques.dossiers.enums import DossierState
from fabriques.evaluation.models import DossierScore

pytestmark = pytest.mark.django_db


def _relaxed(scenario, people, **values):
    targets = [{**t, "value": values.get(t["kind"], 0 if t["kind"] != "max_laureates" else t["value"])}
               for t in scenario.targets]
    return domain.scenario_settings(scenario=scenario, envelope_eur=scenario.envelope_eur, targets=targets,
                                    use_calibrated=True, by=people["admin"])


def test_the_wave_is_calibrated_and_stored(evaluated_wave):
    summary = domain.wave_calibrate(wave=evaluated_wave)

    scores = DossierScore.objects.filter(dossier__wave=evaluated_wave)
    assert summary["dossiers"] == 8
    assert scores.count() == 8
    assert all(s.calibrated is not None and s.band_low <= s.band_high for s in scores)


def test_default_targets_share_the_programme_targets_among_waves(evaluated_wave, people):
    scenario = domain.scenario_create(wave=evaluated_wave, name="Essai", by=people["committee"])

    by_kind = {t["kind"]: t["value"] for t in scenario.targets}
    # 30 laureates in the wave out of 300 in the programme: a tenth of 150 rural, 150 QPV, 30 digital.
    assert by_kind == {"min_rural": 15, "min_qpv": 15, "track_min": 3, "every_region_min": 1, "max_laureates": 30}


def test_targets_that_cannot_be_met_are_named_and_nothing_is_chosen(evaluated_wave, people):
    scenario = domain.scenario_create(wave=evaluated_wave, name="Trop ambitieux", by=people["committee"])

    domain.scenario_solve(scenario=scenario, by=people["committee"])

    assert scenario.result["status"] == "infeasible"
    assert list(scenario.result["chosen"]) == []
    assert scenario.result["message"].startswith("Ces objectifs ne peuvent pas être tenus ensemble : « ")
    assert "part de la vague" in scenario.result["message"]
    with pytest.raises(domain.CommitteeError, match="pas de solution"):
        domain.decisions_stage(scenario=scenario, by=people["committee"])


def test_a_pin_needs_a_reason_and_forces_the_dossier_out(evaluated_wave, people):
    scenario = _relaxed(domain.scenario_create(wave=evaluated_wave, name="A", by=people["committee"]), people)
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    best = int(scenario.result["chosen"][0])
    dossier = evaluated_wave.dossiers.get(pk=best)

    with pytest.raises(domain.CommitteeError, match="motif écrit"):
        domain.scenario_pin(scenario=scenario, dossier=dossier, kind="force_out", reason="", by=people["committee"])
    domain.scenario_pin(scenario=scenario, dossier=dossier, kind="force_out", reason="Projet déjà financé",
                        by=people["committee"])
    domain.scenario_solve(scenario=scenario, by=people["committee"])

    assert best not in [int(i) for i in scenario.result["chosen"]]


def test_an_adjusted_amount_must_stay_within_the_track_bounds(evaluated_wave, people):
    scenario = domain.scenario_create(wave=evaluated_wave, name="B", by=people["committee"])
    dossier = evaluated_wave.dossiers.first()

    with pytest.raises(domain.CommitteeError, match="entre 50"):
        domain.scenario_amount(scenario=scenario, dossier=dossier, amount_eur=200000, reason="", by=people["admin"])
    domain.scenario_amount(scenario=scenario, dossier=dossier, amount_eur=60000, reason="Budget resserré",
                           by=people["admin"])

    assert scenario.amounts.get(dossier=dossier).amount_eur == 60000


def test_staged_decisions_are_applied_together_with_reasons_and_letters(
    evaluated_wave, people, client, django_capture_on_commit_callbacks
):
    scenario = _relaxed(domain.scenario_create(wave=evaluated_wave, name="C", by=people["committee"]), people)
    scenario.envelope_eur = 300000
    scenario.save()
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    staged = domain.decisions_stage(scenario=scenario, by=people["committee"])
    laureates = [d for d in staged if d.outcome == Outcome.LAUREATE]

    assert len(staged) == 8
    assert 1 <= len(laureates) <= 6
    assert sum(d.amount_eur for d in laureates) <= 300000
    assert all(d.reasons for d in staged)
    assert all(d.dossier.state == DossierState.EVALUATED for d in staged)  # staged only

    with django_capture_on_commit_callbacks(execute=True):
        applied = domain.decisions_apply(wave=evaluated_wave, by=people["admin"])

    assert applied == 8
    states = dict(evaluated_wave.dossiers.values_list("pk", "state"))
    for decision in Decision.objects.filter(dossier__wave=evaluated_wave):
        assert states[decision.dossier_id] == decision.outcome
    drafts = OutboxMessage.objects.filter(dossier__wave=evaluated_wave, state=OutboxState.DRAFT)
    assert drafts.count() == 8
    assert all(m.letter.read(4) == b"%PDF" for m in drafts)

    laureate = laureates[0]
    message = drafts.get(dossier=laureate.dossier)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the letter leaves the outbox after the commit
        domain.outbox_send(message=message, by=people["admin"])
    [sent] = mail.outbox
    assert sent.to == [laureate.dossier.owner.email]
    assert sent.attachments[0][2] == "application/pdf"
    with pytest.raises(domain.CommitteeError, match="déjà été envoyé"):
        domain.outbox_send(message=message, by=people["admin"])

    client.force_login(laureate.dossier.owner)
    page = client.get(f"/comite/decision/{laureate.dossier.uuid}/").content.decode()
    assert "Lauréat" in page
    assert client.get(f"/comite/courriers/{message.pk}/decision.pdf").status_code == 200
    other = drafts.exclude(pk=message.pk).first()
    assert client.get(f"/comite/courriers/{other.pk}/decision.pdf").status_code == 404


def test_an_applied_decision_cannot_be_edited(evaluated_wave, people, django_capture_on_commit_callbacks):
    scenario = _relaxed(domain.scenario_create(wave=evaluated_wave, name="D", by=people["committee"]), people)
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    domain.decisions_stage(scenario=scenario, by=people["committee"])
    with django_capture_on_commit_callbacks(execute=True):
        domain.decisions_apply(wave=evaluated_wave, by=people["admin"])
    decision = Decision.objects.filter(dossier__wave=evaluated_wave).first()

    with pytest.raises(domain.CommitteeError, match="déjà été notifiée"):
        domain.decision_edit(decision=decision, outcome=Outcome.NOT_RETAINED, amount_eur=None, reasons="x",
                             by=people["committee"])


def test_allocate_cli_prints_the_choice_and_the_by_rank_list(evaluated_wave, capsys):
    call_command("allocate", "--wave", evaluated_wave.slug, "--json")

    out = json.loads(capsys.readouterr().out)
    assert out["wave"] == "vague-demo-close"
    assert set(out) >= {"chosen", "objective", "budget_used", "targets", "by_rank", "status"}
    assert "objective" in out["by_rank"]


def test_the_session_page_is_for_the_committee_and_only_admins_apply(evaluated_wave, people, client, make_user):
    """One wave, every role: building an evaluated wave is the expensive part of these tests."""
    base = f"/comite/{evaluated_wave.call.slug}/{evaluated_wave.slug}/"
    expected = {"applicant": 403, "evaluator": 403, "instructor": 403, "committee": 200, "admin": 200}
    users = {"applicant": make_user("porteur.x@exemple.fr"), **people}
    assert client.get(base).status_code == 302
    for who, status in expected.items():
        client.force_login(users[who])
        assert client.get(base).status_code == status, who
        assert client.get(base + "decisions/").status_code == status, who
        outbox = client.get(base + "courriers/").status_code
        assert outbox == (200 if who == "admin" else 403), who
        if who in ("committee", "instructor"):
            assert client.post(base + "decisions/", {"apply": "1"}).status_code == 403
    assert not Decision.objects.filter(dossier__wave=evaluated_wave, applied_at__isnull=False).exists()
    scenario = domain.scenario_create(wave=evaluated_wave, name="Privé", by=people["committee"])
    dossier = evaluated_wave.dossiers.first()
    posts = [f"{base}scenarios/{scenario.pk}/{tail}" for tail in ("reglages/", "calcul/", "retenir/")]
    posts.append(f"{base}scenarios/{scenario.pk}/dossiers/{dossier.uuid}/")
    for who in ("applicant", "evaluator", "instructor"):
        client.force_login(users[who])
        for url in posts:
            assert client.post(url, {"pin": "force_in", "reason": "x", "envelope_eur": "1"}).status_code == 403, url
    scenario.refresh_from_db()
    assert (scenario.envelope_eur, scenario.pins.count(), scenario.solved_at) == (4500000, 0, None)


def test_letters_carry_the_committee_reason_and_the_waiting_rank_and_go_all_at_once(
    evaluated_wave, people, client, django_capture_on_commit_callbacks
):
    scenario = _relaxed(domain.scenario_create(wave=evaluated_wave, name="Lettres", by=people["committee"]), people)
    scenario.envelope_eur = 300000
    scenario.save()
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    # A dossier left out, above the score threshold: the one below it must stay « non retenu » for the move below
    # (primary-key order: the demo dossiers share their creation time, so the default order is the database's).
    pinned = (evaluated_wave.dossiers.exclude(pk__in=[int(i) for i in scenario.result["chosen"]])
              .exclude(score__below_threshold=True).order_by("pk").first())
    domain.scenario_pin(scenario=scenario, dossier=pinned, kind="force_in", reason="Seul lieu du canton",
                        by=people["committee"])
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    staged = {d.dossier_id: d for d in domain.decisions_stage(scenario=scenario, by=people["committee"])}
    laureate = staged[pinned.pk]
    assert laureate.outcome == Outcome.LAUREATE
    assert laureate.reasons.startswith("Motif du comité : Seul lieu du canton\n")
    moved = next(d for d in staged.values() if d.outcome == Outcome.NOT_RETAINED)
    ranks = [d.waiting_rank for d in staged.values() if d.waiting_rank]
    domain.decision_edit(decision=moved, outcome=Outcome.WAITING_LIST, amount_eur=None,
                         reasons="Placé en attente par le comité.", by=people["committee"])
    assert moved.waiting_rank == max(ranks, default=0) + 1

    with django_capture_on_commit_callbacks(execute=True):
        domain.decisions_apply(wave=evaluated_wave, by=people["admin"])
    letters = {m.dossier_id: m for m in OutboxMessage.objects.filter(dossier__wave=evaluated_wave)}
    assert "Seul lieu du canton" in letters[pinned.pk].body
    assert f"sur liste d’attente (rang {moved.waiting_rank})." in letters[moved.dossier_id].body
    assert all("None" not in m.body for m in letters.values())

    client.force_login(people["admin"])
    url = f"/comite/{evaluated_wave.call.slug}/{evaluated_wave.slug}/courriers/"
    assert f"Envoyer les {len(letters)} courriers en brouillon" in client.get(url).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"send_all": "1"}, follow=True).content.decode()
    assert f"{len(letters)} courriers envoyés." in page
    assert len(mail.outbox) == len(letters)
    assert set(OutboxMessage.objects.filter(dossier__wave=evaluated_wave).values_list("state", flat=True)) == {
        OutboxState.SENT}
    assert "en brouillon</button>" not in page


def test_flags_and_the_dossier_page_speak_in_criterion_titles_and_show_the_answers(evaluated_wave, people, client):
    dossier = evaluated_wave.dossiers.select_related("track").first()
    criterion = dossier.track.criteria.order_by("position").first()
    DossierScore.objects.filter(dossier=dossier).update(below_threshold=[criterion.code])
    client.force_login(people["committee"])
    base = f"/comite/{evaluated_wave.call.slug}/{evaluated_wave.slug}/"

    session_page = client.get(base).content.decode()
    assert f"<li>Sous le seuil : {criterion.title}</li>" in session_page
    assert f"Sous le seuil : {criterion.code}<" not in session_page

    page = client.get(f"/comite/dossiers/{dossier.uuid}/").content.decode()
    version = dossier.versions.order_by("-number").first()
    assert f"Critères sous leur seuil : {criterion.title}." in page
    assert "Réponses du porteur" in page
    assert f"Version déposée n° {version.number}" in page
    first_answer = next(a["text"] for a in version.snapshot["answers"] if a["code"] == criterion.code)
    assert first_answer.split("\n")[0][:30] in page
