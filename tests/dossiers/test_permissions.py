"""Nobody sees what is not theirs: every dossier URL × every role, by URL (404 for strangers)."""

import pytest
from django.urls import reverse

from fabriques.accounts.enums import OrganisationRole, Role
from fabriques.accounts.models import OrganisationMember
from fabriques.dossiers import domain, queries
from fabriques.dossiers.deposit import deposit_key_issue

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "org_member", "cowriter", "invited_not_accepted", "other_applicant", "instructor"]


@pytest.fixture
def users(deposited_dossier, applicant, make_user, call):
    member = make_user("membre@example.org")
    OrganisationMember.objects.create(organisation=deposited_dossier.organisation, user=member,
                                      role=OrganisationRole.MEMBER)
    cowriter = make_user("co@example.org")
    invitation = domain.cowriter_invite(dossier=deposited_dossier, email=cowriter.email, by=applicant)
    domain.cowriter_accept(token=invitation.token, user=cowriter)
    pending = make_user("pending@example.org")
    domain.cowriter_invite(dossier=deposited_dossier, email=pending.email, by=applicant)
    return {
        "anonymous": None, "owner": applicant, "org_member": member, "cowriter": cowriter,
        "invited_not_accepted": pending, "other_applicant": make_user("autre@example.org"),
        "instructor": make_user("instructeur@example.org", call=call, role=Role.INSTRUCTOR),
    }


def _urls(dossier):
    uuid = dossier.uuid
    attachment = dossier.attachments.first()
    code = queries.criteria_for(dossier)[0].code
    return {
        "detail": reverse("dossiers:detail", args=[uuid]),
        "place": reverse("dossiers:place", args=[uuid]),
        "answer": reverse("dossiers:answer", args=[uuid, code]),
        "budget": reverse("dossiers:budget", args=[uuid]),
        "attachments": reverse("dossiers:attachments", args=[uuid]),
        "download": reverse("dossiers:attachment-download", args=[uuid, attachment.uuid]),
        "cowriters": reverse("dossiers:cowriters", args=[uuid]),
        "selfcheck": reverse("dossiers:selfcheck", args=[uuid]),
        "deposit": reverse("dossiers:deposit", args=[uuid]),
        "proof": reverse("dossiers:proof", args=[uuid, 1]),
        "organisation": reverse("dossiers:organisation-edit", args=[dossier.organisation_id]),
    }


WRITERS = {"owner", "org_member", "cowriter"}
DEPOSITORS = {"owner", "org_member"}


def _expected(role: str, page: str) -> int:
    if role == "anonymous":
        return 302
    if page in {"deposit", "organisation"}:
        return 200 if role in DEPOSITORS else 404
    return 200 if role in WRITERS else 404


@pytest.mark.parametrize("role", ROLES)
def test_get_every_dossier_url_as_each_role(client, users, deposited_dossier, role):
    if users[role] is not None:
        client.force_login(users[role])
    for page, url in _urls(deposited_dossier).items():
        response = client.get(url)
        assert response.status_code == _expected(role, page), (role, page)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("account_login")), page


@pytest.mark.parametrize("role", ["other_applicant", "instructor", "invited_not_accepted"])
def test_strangers_cannot_write_delete_deposit_or_withdraw_and_nothing_changes(
    client, users, deposited_dossier, role
):
    client.force_login(users[role])
    urls = _urls(deposited_dossier)
    uuid = deposited_dossier.uuid
    attachment = deposited_dossier.attachments.first()
    answer = deposited_dossier.answers.order_by("criterion__position").first()
    posts = [
        (urls["answer"], {"text": "piraté", "version": answer.version}),
        (urls["place"], {"name": "piraté", "version": deposited_dossier.place_version}),
        (urls["budget"], {"version": deposited_dossier.budget_version}),
        (reverse("dossiers:attachment-delete", args=[uuid, attachment.uuid]), {}),
        (urls["deposit"], {"submission_key": deposit_key_issue(dossier=deposited_dossier)}),
        (reverse("dossiers:withdraw", args=[uuid]), {}),
        (urls["cowriters"], {"email": "moi@example.org"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    deposited_dossier.refresh_from_db()
    answer.refresh_from_db()
    assert answer.text != "piraté"
    assert deposited_dossier.place_name == "La Fabrique des Pentes"
    assert deposited_dossier.state == "deposited"
    assert deposited_dossier.attachments.count() == 4
    assert deposited_dossier.versions.count() == 1
    assert deposited_dossier.cowriters.count() == 2


def test_a_cowriter_edits_but_cannot_deposit_or_withdraw(client, users, deposited_dossier):
    client.force_login(users["cowriter"])
    answer = deposited_dossier.answers.order_by("criterion__position").first()
    url = reverse("dossiers:answer", args=[deposited_dossier.uuid, answer.criterion.code])
    assert client.post(url, {"text": "Ajout du co-rédacteur", "version": answer.version}).status_code == 302
    answer.refresh_from_db()
    assert answer.text == "Ajout du co-rédacteur"
    assert client.post(reverse("dossiers:withdraw", args=[deposited_dossier.uuid])).status_code == 302
    deposited_dossier.refresh_from_db()
    assert deposited_dossier.state == "deposited"


def test_someone_else_cannot_accept_an_invitation_addressed_to_another_email(client, users, deposited_dossier):
    invitation = deposited_dossier.cowriters.get(email="pending@example.org")
    client.force_login(users["other_applicant"])
    response = client.post(reverse("dossiers:cowriter-accept", args=[invitation.token]))
    assert response.status_code == 400
    assert "adressée à pending@example.org" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_by is None


def test_my_dossiers_lists_only_mine(client, users, deposited_dossier):
    client.force_login(users["other_applicant"])
    assert deposited_dossier.reference not in client.get(reverse("dossiers:list")).content.decode()
    client.force_login(users["cowriter"])
    assert deposited_dossier.reference in client.get(reverse("dossiers:list")).content.decode()
