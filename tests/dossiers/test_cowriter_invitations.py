"""Co-writer invitations: revoke (access goes with it), resend, and the invitee sees it in « Mon espace »."""

import pytest
from django.core import mail
from django.urls import reverse

from fabriques.audit.models import AuditEntry
from fabriques.dossiers import domain
from fabriques.dossiers.models import CoWriterInvitation

pytestmark = pytest.mark.django_db



def test_an_existing_user_sees_the_invitation_in_their_space_and_accepts_it(client, dossier, applicant, make_user):
    guest = make_user("co@example.org")
    invitation = domain.cowriter_invite(dossier=dossier, email="Co@Example.org", by=applicant)
    client.force_login(guest)

    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Invitations à co-rédiger" in page
    assert f'href="{reverse("dossiers:cowriter-accept", args=[invitation.token])}"' in page

    client.post(reverse("dossiers:cowriter-accept", args=[invitation.token]))
    assert "Invitations à co-rédiger" not in client.get(reverse("accounts:dashboard")).content.decode()
    assert client.get(reverse("dossiers:detail", args=[dossier.uuid])).status_code == 200


def test_resending_e_mails_the_same_link_again(client, dossier, applicant, django_capture_on_commit_callbacks):
    invitation = domain.cowriter_invite(dossier=dossier, email="co@example.org", by=applicant)
    client.force_login(applicant)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers:cowriter-resend", args=[dossier.uuid, invitation.pk]), follow=True)

    assert "Invitation envoyée à nouveau à co@example.org." in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["co@example.org"]
    assert invitation.token in message.body
    assert AuditEntry.objects.filter(action="dossier.cowriter_resend").count() == 1


def test_revoking_an_accepted_invitation_removes_the_access(client, dossier, applicant, make_user):
    guest = make_user("co@example.org")
    invitation = domain.cowriter_invite(dossier=dossier, email="co@example.org", by=applicant)
    domain.cowriter_accept(token=invitation.token, user=guest)
    client.force_login(applicant)

    page = client.get(reverse("dossiers:cowriters", args=[dossier.uuid])).content.decode()
    assert "Retirer<span class=\"fr-sr-only\"> l’invitation de co@example.org" in page
    assert "Cette personne ne pourra plus modifier le dossier." in page  # asked first (confirm.js)
    client.post(reverse("dossiers:cowriter-revoke", args=[dossier.uuid, invitation.pk]))

    assert not CoWriterInvitation.objects.exists()
    assert AuditEntry.objects.filter(action="dossier.cowriter_revoke").count() == 1
    client.force_login(guest)
    assert client.get(reverse("dossiers:detail", args=[dossier.uuid])).status_code == 404


def test_a_co_writer_can_neither_revoke_nor_resend(client, dossier, applicant, make_user):
    guest = make_user("co@example.org")
    invitation = domain.cowriter_invite(dossier=dossier, email="co@example.org", by=applicant)
    domain.cowriter_accept(token=invitation.token, user=guest)
    other = domain.cowriter_invite(dossier=dossier, email="autre@example.org", by=applicant)
    client.force_login(guest)

    for name in ("dossiers:cowriter-resend", "dossiers:cowriter-revoke"):
        page = client.post(reverse(name, args=[dossier.uuid, other.pk]), follow=True).content.decode()
        assert "Seuls le responsable du dossier et les membres de l’organisation" in page
    assert CoWriterInvitation.objects.count() == 2


def test_someone_outside_the_dossier_gets_a_404(client, dossier, applicant, make_user):
    invitation = domain.cowriter_invite(dossier=dossier, email="co@example.org", by=applicant)
    client.force_login(make_user("intrus@example.org"))
    assert client.post(reverse("dossiers:cowriter-revoke", args=[dossier.uuid, invitation.pk])).status_code == 404
    assert CoWriterInvitation.objects.count() == 1
