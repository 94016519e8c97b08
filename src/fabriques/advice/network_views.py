"""Networks of advisers: public directory and page, registration, members, the dossiers that invited them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fabriques.advice import domain, queries, rules
from fabriques.advice.enums import NetworkRole
from fabriques.advice.forms import MemberForm, NetworkForm
from fabriques.advice.models import Network
from fabriques.dossiers.domain import DossierError


def _visible_network(request, slug) -> Network:
    """Listed networks are public; an unlisted one only to its members (others get a 404)."""
    network = Network.objects.filter(slug=slug).prefetch_related("areas").first()
    if network is None or not (network.listed or rules.is_network_member(request.user, network)):
        raise Http404("Réseau introuvable")
    return network


def networks(request):
    return render(request, "advice/networks.html", {"networks": list(queries.networks_listed())})


def network(request, slug):
    network = _visible_network(request, slug)
    return render(request, "advice/network.html",
                  {"network": network, "is_member": rules.is_network_member(request.user, network)})


@login_required
def network_create(request):
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = domain.network_register(by=request.user, name=data["name"], contact_email=data["contact_email"],
                                              regions=data["regions"], departements=data["departements"],
                                              description=data["description"], website=data["website"])
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Réseau « {created.name} » enregistré. Il sera proposé aux porteurs une fois "
                                      "vérifié par l’équipe de la plateforme.")
            return redirect("advice:network-dossiers", slug=created.slug)
    return render(request, "advice/network_form.html", {"form": form}, status=400 if form.errors else 200)


def _member_network_or_404(request, slug) -> Network:
    network = Network.objects.filter(slug=slug).first()
    if network is None or not rules.is_network_member(request.user, network):
        raise Http404("Réseau introuvable")
    return network


@login_required
def network_dossiers(request, slug):
    network = _member_network_or_404(request, slug)
    return render(request, "advice/network_dossiers.html",
                  {"network": network, "invitations": queries.network_dossiers(request.user, network)})


@login_required
@require_POST
def network_accept(request, slug, uuid):
    network = _member_network_or_404(request, slug)
    invitation = get_object_or_404(rules.network_invitations_for(request.user, network)
                                   .select_related("dossier__wave", "dossier__organisation", "network", "invited_by"),
                                   uuid=uuid)
    try:
        domain.network_invitation_accept(invitation=invitation, user=request.user)
    except DossierError as exc:
        messages.error(request, str(exc))
        return redirect("advice:network-dossiers", slug=network.slug)
    messages.success(request, f"Le réseau accompagne le dossier {invitation.dossier.reference}.")
    return redirect("advice:review", uuid=invitation.uuid)


@login_required
def network_members(request, slug):
    network = _member_network_or_404(request, slug)
    is_manager = network.members.filter(user=request.user, role=NetworkRole.MANAGER).exists()
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.network_member_add(network=network, email=form.cleaned_data["email"], by=request.user)
        except DossierError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"{form.cleaned_data['email']} est membre du réseau.")
            return redirect("advice:network-members", slug=network.slug)
    members = network.members.select_related("user")
    return render(request, "advice/network_members.html",
                  {"network": network, "members": members, "form": form, "is_manager": is_manager},
                  status=400 if form.errors else 200)
