"""Agents follow dossiers, instructors are assigned dossiers of their group, and a daily digest tells what changed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.audit.models import AuditEntry
from fabriques.instruction.admissibility import instruction_start
from fabriques.instruction.follow import follow_digests_send, follow_set, instruction_assign
from fabriques.instruction.messages import message_post
from fabriques.instruction.models import DossierFollow, FollowDigest
from fabriques.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db

URL = "/instruction/"


def _refs(response) -> list[str]:
    return [d.reference for d in response.context["page"].object_list]


def test_follow_and_unfollow_from_the_dossier_page_and_filter_my_followed_dossiers(client, build, communes,
                                                                                   occitanie):
    followed, other = build(communes["toulouse"]), build(communes["toulouse"])
    client.force_login(occitanie["instructor"])

    page = client.get(f"/instruction/dossiers/{followed.uuid}/").content.decode()
    assert "Suivre" in page
    response = client.post(f"/instruction/dossiers/{followed.uuid}/suivre/", {"follow": "1"})

    assert response.status_code == 302
    assert DossierFollow.objects.filter(user=occitanie["instructor"], dossier=followed).exists()
    assert _refs(client.get(URL, {"followed": "on"})) == [followed.reference]
    assert set(_refs(client.get(URL))) == {followed.reference, other.reference}
    assert "Ne plus suivre" in client.get(f"/instruction/dossiers/{followed.uuid}/").content.decode()

    client.post(f"/instruction/dossiers/{followed.uuid}/suivre/", {"follow": "0"})
    assert _refs(client.get(URL, {"followed": "on"})) == []


def test_an_agent_cannot_follow_a_dossier_they_do_not_see(client, build, communes, occitanie):
    elsewhere = build(communes["lyon"])
    client.force_login(occitanie["instructor"])

    response = client.post(f"/instruction/dossiers/{elsewhere.uuid}/suivre/", {"follow": "1"})

    assert response.status_code == 404
    assert not DossierFollow.objects.exists()


def test_assigning_gives_the_dossier_to_an_instructor_of_its_group_who_then_follows_it(
    client, build, communes, occitanie, make_user, call, admin_user
):
    from fabriques.instruction.routing import group_save

    colleague = make_user("collegue@exemple.fr", call=call, role=Role.INSTRUCTOR)
    group_save(call=call, name="Occitanie", regions=["76"], departements=[],
               member_emails=[occitanie["instructor"].email, colleague.email], by=admin_user)
    dossier = build(communes["toulouse"])
    client.force_login(occitanie["instructor"])

    response = client.post(f"/instruction/dossiers/{dossier.uuid}/attribuer/", {"instructor": colleague.pk})

    assert response.status_code == 302
    dossier.instruction.refresh_from_db()
    assert dossier.instruction.assigned_to == colleague
    assert DossierFollow.objects.filter(user=colleague, dossier=dossier).exists()
    entry = AuditEntry.objects.get(action="instruction.assigned", dossier_id=dossier.pk)
    assert entry.after == {"instructeur": colleague.email}
    mail = OutgoingEmail.objects.get(subject=f"[Fabriques] Le dossier {dossier.reference} vous est attribué")
    assert mail.recipients == [colleague.email]
    client.force_login(colleague)
    assert _refs(client.get(URL, {"followed": "on"})) == [dossier.reference]


def test_assigning_to_someone_outside_the_group_is_refused_in_french_and_nothing_changes(
    client, build, communes, occitanie
):
    dossier = build(communes["toulouse"])
    client.force_login(occitanie["instructor"])

    response = client.post(f"/instruction/dossiers/{dossier.uuid}/attribuer/",
                           {"instructor": occitanie["other_instructor"].pk}, follow=True)

    assert "n’est pas instructrice dans le groupe du dossier" in response.content.decode()
    dossier.instruction.refresh_from_db()
    assert dossier.instruction.assigned_to is None
    response = client.post(f"/instruction/dossiers/{dossier.uuid}/attribuer/", {"instructor": "abc"}, follow=True)
    assert "Choisissez un instructeur dans la liste." in response.content.decode()


def test_only_who_may_instruct_assigns(client, build, communes, occitanie, make_user, call):
    dossier = build(communes["toulouse"])
    committee = make_user("comite@exemple.fr", call=call, role=Role.COMMITTEE)
    client.force_login(committee)

    response = client.post(f"/instruction/dossiers/{dossier.uuid}/attribuer/",
                           {"instructor": occitanie["instructor"].pk})

    assert response.status_code == 403


def test_the_digest_lists_what_others_changed_on_followed_dossiers_once_a_day(
    build, communes, occitanie, close_wave, admin_user
):
    instructor = occitanie["instructor"]
    dossier, quiet = build(communes["toulouse"]), build(communes["toulouse"])
    close_wave()
    follow_set(dossier=dossier, user=instructor, follow=True)
    follow_set(dossier=quiet, user=instructor, follow=True)
    instruction_start(dossier=dossier, by=admin_user)
    message_post(dossier=dossier, author=dossier.owner, body="Voici le devis.")
    message_post(dossier=dossier, author=instructor, body="Ma propre note", internal=True)

    assert follow_digests_send() == 1

    mail = OutgoingEmail.objects.get(recipients=[instructor.email], subject__contains="suivi")
    assert mail.subject == "[Fabriques] Un dossier suivi a changé"
    assert dossier.reference in mail.body
    assert quiet.reference not in mail.body
    assert "état : Déposé → En instruction (admin@example.org)" in mail.body
    assert f"nouveau message de {dossier.owner.email}" in mail.body
    assert "Ma propre note" not in mail.body
    assert "note interne" not in mail.body
    assert FollowDigest.objects.get(user=instructor).last_sent_at is not None
    message_post(dossier=dossier, author=dossier.owner, body="Encore un.")
    assert follow_digests_send() == 0  # not twice within a day
    assert follow_digests_send(now=timezone.now() + dt.timedelta(hours=25)) == 1


def test_the_digest_costs_the_same_queries_whatever_the_changes(build, communes, occitanie, close_wave, admin_user):
    instructor = occitanie["instructor"]
    dossiers = [build(communes["toulouse"]) for _ in range(3)]
    close_wave()
    for dossier in dossiers:
        follow_set(dossier=dossier, user=instructor, follow=True)
    message_post(dossier=dossiers[0], author=dossiers[0].owner, body="Un.")
    with CaptureQueriesContext(connection) as one:
        follow_digests_send()
    for dossier in dossiers:
        message_post(dossier=dossier, author=dossier.owner, body="Deux.")
    with CaptureQueriesContext(connection) as three:
        follow_digests_send(force=True)

    assert len(one) == len(three)


def test_the_digest_leaves_out_a_dossier_the_agent_no_longer_sees(build, communes, occitanie, admin_user, call):
    from fabriques.instruction.routing import dossier_reroute

    instructor = occitanie["instructor"]
    dossier = build(communes["toulouse"])
    follow_set(dossier=dossier, user=instructor, follow=True)
    message_post(dossier=dossier, author=dossier.owner, body="Bonjour.")
    dossier_reroute(dossier=dossier, group=occitanie["other_group"], by=admin_user, reason="Erreur de région")

    assert follow_digests_send() == 0
    assert not OutgoingEmail.objects.filter(recipients=[instructor.email], subject__contains="suivi").exists()


def test_assign_is_the_same_single_act_when_nothing_changes(build, communes, occitanie):
    dossier = build(communes["toulouse"])
    instruction_assign(dossier=dossier, instructor=occitanie["instructor"], by=occitanie["instructor"])
    instruction_assign(dossier=dossier, instructor=occitanie["instructor"], by=occitanie["instructor"])

    assert AuditEntry.objects.filter(action="instruction.assigned").count() == 1
    assert not OutgoingEmail.objects.filter(subject__contains="vous est attribué").exists()  # assigned to oneself
