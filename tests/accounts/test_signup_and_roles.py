import re

import pytest
from django.core import mail
from django.urls import reverse

from fabriques.accounts.domain import InvitationError, agent_invite, invitation_accept
from fabriques.accounts.enums import Role
from fabriques.accounts.models import CallRole, User

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide-2019"


def _link(message) -> str:
    return re.search(r"http://\S+", message.body).group(0).replace("http://testserver", "")


def test_sign_up_requires_email_confirmation_then_logs_in(client):
    response = client.post(
        reverse("account_signup"), {"email": "Lea@Exemple.fr", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 302  # not confirmed yet
    [message] = mail.outbox
    assert message.to == ["lea@exemple.fr"]
    confirm = _link(message)
    response = client.post(confirm)
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_sign_up_with_a_weak_password_is_refused_in_french_and_keeps_the_email(client):
    response = client.post(reverse("account_signup"), {"email": "a@b.fr", "password1": "123", "password2": "123"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in body
    assert 'value="a@b.fr"' in body
    assert not User.objects.exists()


def test_password_reset_sends_a_link_that_sets_a_new_password(client, make_user):
    make_user("reset@exemple.fr")

    client.post(reverse("account_reset_password"), {"email": "reset@exemple.fr"})
    link = _link(mail.outbox[-1])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    client.post(form_url, {"password1": "nouveau-mot-de-passe-77", "password2": "nouveau-mot-de-passe-77"})

    assert client.login(email="reset@exemple.fr", password="nouveau-mot-de-passe-77")


def test_admin_invites_an_agent_who_accepts_and_gets_the_role(client, call, admin_user, make_user,
                                                              django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):  # the invitation e-mail goes out after its commit
        response = client.post(
            reverse("accounts:invite", args=[call.slug]), {"email": "Expert@Exemple.fr", "role": Role.EVALUATOR}
        )
    assert response.status_code == 302
    link = _link(mail.outbox[-1])
    expert = make_user("expert@exemple.fr")
    client.force_login(expert)

    response = client.post(link)

    assert response.status_code == 302
    assert CallRole.objects.filter(user=expert, call=call, role=Role.EVALUATOR).exists()


@pytest.mark.parametrize("role", [None, Role.INSTRUCTOR, Role.EVALUATOR, Role.COMMITTEE])
def test_only_a_programme_admin_may_invite(client, call, make_user, role):
    user = make_user("someone@exemple.fr", call=call, role=role)
    client.force_login(user)

    response = client.post(reverse("accounts:invite", args=[call.slug]), {"email": "x@y.fr", "role": Role.ADMIN})

    assert response.status_code == 403
    assert not mail.outbox


def test_anonymous_invite_page_redirects_to_login(client, call):
    response = client.get(reverse("accounts:invite", args=[call.slug]))

    assert response.status_code == 302
    assert "/compte/login/" in response["Location"]


def test_an_invitation_for_another_address_cannot_be_accepted(call, admin_user, make_user):
    invitation = agent_invite(call=call, email="expert@exemple.fr", role=Role.EVALUATOR, by=admin_user)
    intruder = make_user("intrus@exemple.fr")

    with pytest.raises(InvitationError, match=r"adressée à expert@exemple\.fr"):
        invitation_accept(token=invitation.token, user=intruder)

    assert not CallRole.objects.filter(user=intruder).exists()


def test_an_invitation_is_used_once(call, admin_user, make_user):
    invitation = agent_invite(call=call, email="expert@exemple.fr", role=Role.COMMITTEE, by=admin_user)
    expert = make_user("expert@exemple.fr")
    invitation_accept(token=invitation.token, user=expert)

    with pytest.raises(InvitationError, match="déjà été acceptée"):
        invitation_accept(token=invitation.token, user=expert)

    assert CallRole.objects.filter(user=expert).count() == 1


def test_applicant_role_cannot_be_given_by_invitation(call, admin_user):
    with pytest.raises(InvitationError):
        agent_invite(call=call, email="x@y.fr", role=Role.APPLICANT, by=admin_user)


def test_the_agent_space_links_to_each_role_s_work(client, call, make_user):
    from fabriques.accounts.domain import role_grant

    agent = make_user("multi@exemple.fr", call=call, role=Role.INSTRUCTOR)
    role_grant(user=agent, call=call, role=Role.ADMIN)
    role_grant(user=agent, call=call, role=Role.EVALUATOR)
    client.force_login(agent)

    body = client.get(reverse("accounts:dashboard")).content.decode()

    assert 'href="/instruction/"' in body
    assert 'href="/evaluation/mes-evaluations/"' in body
    assert f'href="/instruction/appels/{call.slug}/groupes/"' in body
    assert "Comité — Vague 1 (2019)" in body
