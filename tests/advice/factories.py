"""Builders for advice tests (also used by the permission matrix)."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from fabriques.advice import domain
from fabriques.advice.models import Network


def invite_and_accept(*, dossier, by, adviser, criteria=None, days: int = 30, **kwargs):
    invitation = domain.adviser_invite(dossier=dossier, by=by, email=adviser.email, criteria=criteria,
                                       ends_on=timezone.localdate() + dt.timedelta(days=days), **kwargs)
    return domain.invitation_accept(token=invitation.token, user=adviser)


def listed_network(*, by, name="Réseau des tiers-lieux d’Occitanie", regions=("76",), departements=()):
    network = domain.network_register(by=by, name=name, contact_email="contact@reseau.example.org",
                                      regions=list(regions), departements=list(departements))
    Network.objects.filter(pk=network.pk).update(listed=True)
    network.listed = True
    return network


def advice_world(w):
    """For the URL matrix: an adviser reading `w.dossier`, one thread, a network with one member (cached on w)."""
    if getattr(w, "advice", None) is None:
        from tests.conftest import user_create

        adviser = user_create("conseillere@example.org")
        invitation = invite_and_accept(dossier=w.dossier, by=w.users["applicant"], adviser=adviser)
        criterion = w.criterion
        thread = domain.thread_open(invitation=invitation, criterion=criterion, by=adviser, body="À préciser.",
                                    suggestion="Une meilleure réponse.")
        network = listed_network(by=user_create("reseau@example.org"))
        w.advice = SimpleNamespace(adviser=adviser, invitation=invitation, thread=thread, network=network,
                                   comment=thread.comments.first())
    return w.advice
