"""Advisers on a draft: invitations with a scope and an end, threads per criterion, suggestions accepted into
the answer through `answer_save`, revocation, expiry, isolation from agents, exports, snapshots and retention."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.advice import domain
from fabriques.advice.enums import InvitationState, ThreadState
from fabriques.advice.models import AdviserInvitation, Comment, Thread
from fabriques.audit.models import AuditEntry
from fabriques.dossiers import domain as dossier_domain
from fabriques.dossiers.deposit import deposit_key_issue, dossier_deposit
from fabriques.mail.models import OutgoingEmail
from tests.advice.factories import invite_and_accept

pytestmark = pytest.mark.django_db


@pytest.fixture
def adviser(make_user):
    return make_user("conseiller@reseau.example.org")


@pytest.fixture
def three(dossier):
    return list(dossier.track.criteria.order_by("position")[:3])


def test_invite_on_three_criteria_then_comment_suggest_accept_resolve_revoke(dossier, applicant, adviser, three):
    invitation = invite_and_accept(dossier=dossier, by=applicant, adviser=adviser, criteria=three)
    assert invitation.state == InvitationState.ACCEPTED
    assert not invitation.whole_dossier
    first = three[0]
    dossier_domain.answer_save(dossier=dossier, criterion=first, text="Notre lieu accueille.", base_version=0,
                               by=applicant)

    thread = domain.thread_open(invitation=invitation, criterion=first, by=adviser, body="Citez des chiffres.",
                                suggestion="Notre lieu accueille 120 personnes par semaine.")
    comment = thread.comments.get()
    answer = domain.suggestion_accept(comment=comment, base_version=1, by=applicant)
    domain.thread_transition(thread, ThreadState.RESOLVED, by=applicant)
    domain.invitation_revoke(invitation=invitation, by=applicant)

    assert answer.text == "Notre lieu accueille 120 personnes par semaine."
    assert answer.version == 2
    comment.refresh_from_db()
    assert comment.suggestion_accepted_by == applicant
    assert Thread.objects.get().state == ThreadState.RESOLVED
    assert AdviserInvitation.objects.get().state == InvitationState.REVOKED
    journal = list(AuditEntry.objects.filter(dossier_id=dossier.pk, action__startswith="advice.")
                   .order_by("id").values_list("action", flat=True))
    assert journal == ["advice.invite", "advice.invitation_accepted", "advice.thread_open",
                       "advice.suggestion_accept", "advice.thread_resolved", "advice.invitation_revoked"]
    subjects = list(OutgoingEmail.objects.order_by("id").values_list("subject", flat=True))
    assert any("Invitation à relire le dossier" in s for s in subjects)
    assert any("Fin de votre accompagnement" in s for s in subjects)


def test_accepting_a_stale_suggestion_is_a_conflict_and_nothing_changes(dossier, applicant, adviser):
    criterion = dossier.track.criteria.order_by("position").first()
    invitation = invite_and_accept(dossier=dossier, by=applicant, adviser=adviser)
    dossier_domain.answer_save(dossier=dossier, criterion=criterion, text="v1", base_version=0, by=applicant)
    thread = domain.thread_open(invitation=invitation, criterion=criterion, by=adviser, body="",
                                suggestion="proposition")
    dossier_domain.answer_save(dossier=dossier, criterion=criterion, text="v2 tapée entre-temps", base_version=1,
                               by=applicant)

    with pytest.raises(dossier_domain.ConflictError):
        domain.suggestion_accept(comment=thread.comments.get(), base_version=1, by=applicant)

    assert dossier.answers.get(criterion=criterion).text == "v2 tapée entre-temps"
    assert Comment.objects.get().suggestion_accepted_at is None


def test_adviser_cannot_comment_outside_scope_nor_beyond_the_limits(dossier, applicant, adviser, three):
    invitation = invite_and_accept(dossier=dossier, by=applicant, adviser=adviser, criteria=three[:1])
    with pytest.raises(domain.AdviceError, match="périmètre"):
        domain.thread_open(invitation=invitation, criterion=three[1], by=adviser, body="hors périmètre")
    with pytest.raises(domain.AdviceError, match="2000 au plus"):
        domain.thread_open(invitation=invitation, criterion=three[0], by=adviser, body="x" * 2001)
    with pytest.raises(domain.AdviceError, match="reformulation compte"):
        domain.thread_open(invitation=invitation, criterion=three[0], by=adviser, body="ok",
                           suggestion="y" * (three[0].max_length + 1))
    with pytest.raises(domain.AdviceError, match="vide"):
        domain.thread_open(invitation=invitation, criterion=three[0], by=adviser, body="  ")
    assert Thread.objects.count() == 0


def test_invitation_refusals_keep_nothing(dossier, applicant, adviser, make_user):
    today = timezone.localdate()
    with pytest.raises(domain.AdviceError, match="passée"):
        domain.adviser_invite(dossier=dossier, by=applicant, email=adviser.email, ends_on=today - dt.timedelta(1))
    with pytest.raises(domain.AdviceError, match="un an"):
        domain.adviser_invite(dossier=dossier, by=applicant, email=adviser.email, ends_on=today + dt.timedelta(400))
    with pytest.raises(domain.AdviceError, match="Seuls le responsable"):
        domain.adviser_invite(dossier=dossier, by=make_user("x@example.org"), email=adviser.email, ends_on=today)
    invitation = domain.adviser_invite(dossier=dossier, by=applicant, email=adviser.email, ends_on=today)
    with pytest.raises(domain.AdviceError, match="adressée à"):
        domain.invitation_accept(token=invitation.token, user=make_user("autre@example.org"))
    assert AdviserInvitation.objects.filter(state=InvitationState.ACCEPTED).count() == 0


def test_revoked_and_expired_advisers_get_404(client, dossier, applicant, adviser):
    invitation = invite_and_accept(dossier=dossier, by=applicant, adviser=adviser)
    url = reverse("advice:review", args=[invitation.uuid])
    client.force_login(adviser)
    assert client.get(url).status_code == 200

    AdviserInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(url).status_code == 404
    assert domain.invitations_expire() == 1
    assert AdviserInvitation.objects.get().state == InvitationState.EXPIRED

    second = invite_and_accept(dossier=dossier, by=applicant, adviser=adviser)
    domain.invitation_revoke(invitation=second, by=applicant)
    assert client.get(reverse("advice:review", args=[second.uuid])).status_code == 404
    with pytest.raises(domain.AdviceError, match="retirée"):
        domain.invitation_accept(token=second.token, user=adviser)


def test_adviser_of_dossier_a_cannot_read_b(client, dossier, applicant, adviser, open_wave, track, organisation):
    other = dossier_domain.dossier_create(wave=open_wave, track=track, organisation=organisation, by=applicant)
    invitation_a = invite_and_accept(dossier=dossier, by=applicant, adviser=adviser)
    client.force_login(adviser)
    assert client.get(reverse("advice:review", args=[invitation_a.uuid])).status_code == 200
    assert client.get(reverse("dossiers:detail", args=[dossier.uuid])).status_code == 404
    assert client.get(reverse("dossiers:detail", args=[other.uuid])).status_code == 404
    assert client.get(reverse("advice:dossier", args=[other.uuid])).status_code == 404


def test_comments_are_escaped_and_never_reach_agents_exports_or_the_snapshot(client, complete_dossier, applicant,
                                                                             adviser, call, make_user):
    dossier = complete_dossier
    invitation = invite_and_accept(dossier=dossier, by=applicant, adviser=adviser)
    criterion = dossier.track.criteria.order_by("position").first()
    domain.thread_open(invitation=invitation, criterion=criterion, by=adviser, body="<script>alert(1)</script>",
                       suggestion="SECRET-CONSEIL")
    client.force_login(applicant)
    page = client.get(reverse("dossiers:answer", args=[dossier.uuid, criterion.code])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "SECRET-CONSEIL" in page

    dossier_deposit(dossier=dossier, by=applicant, submission_key=deposit_key_issue(dossier=dossier))
    assert "SECRET-CONSEIL" not in str(dossier.versions.get().snapshot)
    client.force_login(make_user("comite@example.org", call=call, role=Role.COMMITTEE))
    agent_page = client.get(reverse("instruction:dossier", args=[dossier.uuid]))
    assert agent_page.status_code == 200
    assert b"SECRET-CONSEIL" not in agent_page.content
    assert b"conseiller@reseau.example.org" not in agent_page.content  # nor who advises, in the journal


def test_retention_erases_the_comments_with_the_content(deposited_dossier, applicant, adviser):
    from fabriques.personal.personal_data import _erase_content

    # Invited while the wave is open, then the content is erased at the end of the retention period.
    invitation = invite_and_accept(dossier=deposited_dossier, by=applicant, adviser=adviser)
    criterion = deposited_dossier.track.criteria.order_by("position").first()
    domain.thread_open(invitation=invitation, criterion=criterion, by=adviser, body="remarque")
    _erase_content(deposited_dossier, timezone.now())
    assert Comment.objects.count() == 0
    assert Thread.objects.count() == 0


def test_adviser_page_runs_constant_queries(client, dossier, applicant, adviser):
    invitation = invite_and_accept(dossier=dossier, by=applicant, adviser=adviser, sees_budget=True,
                                   sees_attachments=True)
    criteria = list(dossier.track.criteria.order_by("position"))
    client.force_login(adviser)
    url = reverse("advice:review", args=[invitation.uuid])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    domain.thread_open(invitation=invitation, criterion=criteria[0], by=adviser, body="un")
    count()  # warm-up: the track's criteria are memoised per process
    few = count()
    for criterion in criteria:
        thread = domain.thread_open(invitation=invitation, criterion=criterion, by=adviser, body="deux",
                                    suggestion="reformulation")
        domain.comment_reply(thread=thread, by=applicant, body="merci")
        dossier_domain.answer_save(dossier=dossier, criterion=criterion, text="réponse", base_version=0, by=applicant)
    many = count()
    assert many == few, f"{few} queries with 1 thread, {many} with {len(criteria) + 1} threads"


def test_applicant_page_invites_and_keeps_input_on_error(client, dossier, applicant):
    client.force_login(applicant)
    url = reverse("advice:dossier", args=[dossier.uuid])
    response = client.post(url, {"email": "pas-une-adresse", "whole_dossier": "1", "ends_on": "2020-01-01",
                                 "message": "Merci de relire"})
    assert response.status_code == 400
    assert "pas-une-adresse" in response.content.decode()
    assert "Merci de relire" in response.content.decode()
    ends = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(url, {"email": "Conseil@Example.org", "whole_dossier": "1", "ends_on": ends})
    assert response.status_code == 302
    assert AdviserInvitation.objects.get().email == "conseil@example.org"


def test_budget_and_attachments_only_when_granted(client, complete_dossier, applicant, adviser, make_user):
    attachment = complete_dossier.attachments.first()
    plain = invite_and_accept(dossier=complete_dossier, by=applicant, adviser=adviser)
    client.force_login(adviser)
    page = client.get(reverse("advice:review", args=[plain.uuid])).content.decode()
    assert "Équilibre du budget" not in page
    assert attachment.original_name not in page
    assert client.get(reverse("advice:attachment", args=[plain.uuid, attachment.uuid])).status_code == 404

    other = make_user("second@conseil.example.org")
    granted = invite_and_accept(dossier=complete_dossier, by=applicant, adviser=other, sees_budget=True,
                                sees_attachments=True)
    client.force_login(other)
    page = client.get(reverse("advice:review", args=[granted.uuid])).content.decode()
    assert attachment.original_name in page
    assert "Équilibre du budget" in page
    download = client.get(reverse("advice:attachment", args=[granted.uuid, attachment.uuid]))
    assert download.status_code == 200
    assert client.get(reverse("advice:review", args=[plain.uuid])).status_code == 404  # not theirs


def test_personal_data_export_holds_the_persons_comments(dossier, applicant, adviser):
    from fabriques.personal.personal_data import personal_data_export

    invitation = invite_and_accept(dossier=dossier, by=applicant, adviser=adviser)
    criterion = dossier.track.criteria.order_by("position").first()
    domain.thread_open(invitation=invitation, criterion=criterion, by=adviser, body="Ma remarque")
    data = personal_data_export(adviser)
    assert [c["body"] for c in data["advice_comments"]] == ["Ma remarque"]
    assert data["advice_comments"][0]["dossier"] == dossier.reference


def test_dashboard_shows_the_advisers_invitations_and_reviews(client, dossier, applicant, adviser):
    waiting = domain.adviser_invite(dossier=dossier, by=applicant, email=adviser.email,
                                    ends_on=timezone.localdate() + dt.timedelta(days=5))
    client.force_login(adviser)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("advice:accept", args=[waiting.token]) in page
    domain.invitation_accept(token=waiting.token, user=adviser)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("advice:review", args=[waiting.uuid]) in page


def test_an_expired_invitation_cannot_be_accepted_and_is_marked_expired(dossier, applicant, adviser):
    invitation = domain.adviser_invite(dossier=dossier, by=applicant, email=adviser.email,
                                       ends_on=timezone.localdate())
    AdviserInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(domain.AdviceError, match="expiré"):
        domain.invitation_accept(token=invitation.token, user=adviser)
    assert AdviserInvitation.objects.get().state == InvitationState.EXPIRED
    assert AuditEntry.objects.filter(action="advice.invitation_expired", dossier_id=dossier.pk).exists()
