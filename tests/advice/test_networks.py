"""Networks as advisers: registration, listing by the platform's staff, coverage by région/département, members
sharing an invitation, and what a network member sees (only its invitations)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fabriques.advice import domain, queries
from fabriques.advice.enums import InvitationState
from fabriques.advice.models import Network
from fabriques.audit.models import AuditEntry
from fabriques.dossiers import domain as dossier_domain
from tests.advice.factories import listed_network
from tests.dossiers.factories import make_commune

pytestmark = pytest.mark.django_db


def _network_invite(dossier, applicant, network):
    return domain.adviser_invite(dossier=dossier, by=applicant, network=network,
                                 ends_on=timezone.localdate() + dt.timedelta(days=15))


def test_registered_network_is_proposed_only_once_listed_and_only_where_it_covers(make_user):
    manager = make_user("reseau@occitanie.example.org")
    network = domain.network_register(by=manager, name="Réseau tiers-lieux Occitanie",
                                      contact_email="Contact@Occitanie.example.org", regions=["76"], departements=[])
    assert queries.networks_covering(region="76", departement="31") == []

    staff = make_user("staff@example.org")
    staff.is_superuser = True
    with pytest.raises(domain.AdviceError, match="équipe de la plateforme"):
        domain.network_list(network=network, listed=True, by=manager)
    domain.network_list(network=network, listed=True, by=staff)

    found = queries.networks_covering(region="76", departement="31")
    assert [n.name for n in found] == ["Réseau tiers-lieux Occitanie"]
    assert queries.networks_covering(region="84", departement="69") == []
    assert network.contact_email == "contact@occitanie.example.org"
    assert AuditEntry.objects.filter(action="advice.network_listed", object_id=str(network.pk)).exists()


def test_network_by_departement_and_bad_input(make_user):
    manager = make_user("r@example.org")
    with pytest.raises(domain.AdviceError, match="au moins une région"):
        domain.network_register(by=manager, name="Vide", contact_email="a@example.org", regions=[], departements=[])
    with pytest.raises(domain.AdviceError, match="Région inconnue"):
        domain.network_register(by=manager, name="X", contact_email="a@example.org", regions=["99"], departements=[])
    listed_network(by=manager, name="Haute-Garonne numérique", regions=(), departements=("31",))
    assert [n.name for n in queries.networks_covering(region="76", departement="31")] == ["Haute-Garonne numérique"]
    assert queries.networks_covering(region="76", departement="34") == []


def test_members_share_a_network_invitation(client, dossier, applicant, make_user):
    manager = make_user("manager@reseau.example.org")
    colleague = make_user("collegue@reseau.example.org")
    network = listed_network(by=manager)
    domain.network_member_add(network=network, email=colleague.email, by=manager)
    invitation = _network_invite(dossier, applicant, network)
    outsider = make_user("dehors@example.org")

    with pytest.raises(domain.AdviceError, match="membres du réseau"):
        domain.network_invitation_accept(invitation=invitation, user=outsider)
    domain.network_invitation_accept(invitation=invitation, user=colleague)

    review = reverse("advice:review", args=[invitation.uuid])
    for user, status in ((manager, 200), (colleague, 200), (outsider, 404), (applicant, 404)):
        client.force_login(user)
        assert client.get(review).status_code == status, user.email
    assert Network.objects.get().invitations.get().state == InvitationState.ACCEPTED


def test_network_member_sees_only_its_invitations_and_their_state(client, dossier, applicant, make_user, open_wave,
                                                                   track, organisation):
    member_a, member_b = make_user("a@reseau-a.example.org"), make_user("b@reseau-b.example.org")
    network_a = listed_network(by=member_a, name="Réseau A")
    network_b = listed_network(by=member_b, name="Réseau B")
    _network_invite(dossier, applicant, network_a)
    other = dossier_domain.dossier_create(wave=open_wave, track=track, organisation=organisation, by=applicant)
    _network_invite(other, applicant, network_b)

    client.force_login(member_a)
    page = client.get(reverse("advice:network-dossiers", args=[network_a.slug])).content.decode()
    assert dossier.reference in page
    assert other.reference not in page
    assert "Brouillon" in page
    assert organisation.name not in page  # the state, nothing else of the dossier
    assert client.get(reverse("advice:network-dossiers", args=[network_b.slug])).status_code == 404
    assert client.get(reverse("advice:network-members", args=[network_b.slug])).status_code == 404


def test_network_dossiers_page_runs_constant_queries(client, open_wave, track, organisation, applicant, make_user):
    member = make_user("m@reseau.example.org")
    network = listed_network(by=member)
    client.force_login(member)
    url = reverse("advice:network-dossiers", args=[network.slug])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _network_invite(dossier_domain.dossier_create(wave=open_wave, track=track, organisation=organisation,
                                                  by=applicant), applicant, network)
    count()
    few = count()
    for _ in range(5):
        _network_invite(dossier_domain.dossier_create(wave=open_wave, track=track, organisation=organisation,
                                                      by=applicant), applicant, network)
    assert count() == few


def test_eligibility_page_and_call_page_propose_the_covering_networks(client, call, make_user):
    make_commune(code="31555", name="Toulouse", dep="31", region="76", lat=43.6045, lon=1.4440)
    listed_network(by=make_user("r@example.org"), name="Réseau tiers-lieux Occitanie")
    listed_network(by=make_user("s@example.org"), name="Réseau Bretagne", regions=("53",))
    track = call.tracks.get(slug="numerique")

    page = client.get(reverse("territory:eligibility-check"), {"track": track.pk, "commune": "31555"})
    text = page.content.decode()
    assert "Être accompagné" in text
    assert "Réseau tiers-lieux Occitanie" in text
    assert "Réseau Bretagne" not in text
    call_page = client.get(reverse("calls:detail", args=[call.slug])).content.decode()
    assert "Réseau tiers-lieux Occitanie" in call_page
    assert "Réseau Bretagne" in call_page


def test_network_form_keeps_input_on_error(client, make_user):
    client.force_login(make_user("r@example.org"))
    response = client.post(reverse("advice:network-create"), {"name": "Mon réseau", "contact_email": "pas-une",
                                                              "departements": "31 XYZ"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Mon réseau" in text
    assert "Code de département non reconnu : XYZ." in text
    response = client.post(reverse("advice:network-create"), {"name": "Mon réseau", "contact_email": "c@example.org",
                                                              "regions": ["76"], "departements": "31"})
    assert response.status_code == 302
    assert Network.objects.get().areas.count() == 2


def test_call_page_queries_do_not_grow_with_networks(client, call, make_user):
    url = reverse("calls:detail", args=[call.slug])
    listed_network(by=make_user("r0@example.org"), name="Réseau 0")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(1, 5):
        listed_network(by=make_user(f"r{n}@example.org"), name=f"Réseau {n}", regions=("76", "84"))
    assert count() == few
