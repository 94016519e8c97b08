"""Instructor acts beside the dossier page: cancel or extend a request for complements, read the differences its
answer brought, « repasser en instruction », « classer sans suite »."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from fabriques.dossiers.models import DossierVersion
from fabriques.instruction import acts, complements, rules, views
from fabriques.instruction.act_forms import ExtendForm, ReasonForm, end_of_day
from fabriques.instruction.enums import ComplementState
from fabriques.instruction.models import ComplementRequest
from fabriques.instruction.version_diff import version_diff


def _request_of(dossier, pk) -> ComplementRequest:
    return get_object_or_404(ComplementRequest.objects.prefetch_related("items"), dossier=dossier, pk=pk)


@login_required
@require_POST
def complement_cancel(request, uuid, pk):
    dossier = views._instructed_dossier(request, uuid)
    complement = _request_of(dossier, pk)
    form = ReasonForm(request.POST)
    form.complement_pk = complement.pk

    def action(data):
        complements.complement_cancel(request=complement, reason=data["reason"], by=request.user)
        return "Demande de compléments annulée : le porteur en est informé."

    return views._submit(request, dossier, key="cancel_form", form=form, action=action, error_field="reason")


@login_required
@require_POST
def complement_extend(request, uuid, pk):
    dossier = views._instructed_dossier(request, uuid)
    complement = _request_of(dossier, pk)
    form = ExtendForm(request.POST)
    form.complement_pk = complement.pk

    def action(data):
        complements.complement_extend(request=complement, due_at=end_of_day(data["due_date"]), reason=data["reason"],
                                      by=request.user)
        return f"Délai prolongé jusqu’au {data['due_date']:%d/%m/%Y} : le porteur en est informé."

    return views._submit(request, dossier, key="extend_form", form=form, action=action, error_field="due_date")


@login_required
def complement_diff(request, uuid, pk):
    """What the complements changed: the version asked about against the version deposited with the answer."""
    dossier = views._agent_dossier(request, uuid)
    complement = _request_of(dossier, pk)
    diff = None
    if complement.state == ComplementState.ANSWERED and complement.answer_version:
        before_number = complement.base_version or complement.answer_version - 1
        versions = {v.number: v for v in DossierVersion.objects.filter(
            dossier=dossier, number__in=[before_number, complement.answer_version])}
        if len(versions) != 2:
            raise Http404("Version introuvable")
        diff = version_diff(versions[before_number].snapshot, versions[complement.answer_version].snapshot,
                            before_number=before_number, after_number=complement.answer_version)
        if rules.can_instruct(request.user, dossier):
            complements.complements_seen(request=complement, by=request.user)
    return render(request, "instruction/complement_diff.html",
                  {"dossier": dossier, "complement": complement, "diff": diff})


@login_required
@require_POST
def reinstruct(request, uuid):
    dossier = views._instructed_dossier(request, uuid)

    def action(data):
        acts.dossier_reinstruct(dossier=dossier, reason=data["reason"], by=request.user)
        return "Le dossier repasse en instruction : le porteur en est informé."

    return views._submit(request, dossier, key="reinstruct_form", form=ReasonForm(request.POST), action=action,
                         error_field="reason")


@login_required
@require_POST
def close_without_followup(request, uuid):
    dossier = views._instructed_dossier(request, uuid)

    def action(data):
        acts.dossier_close_without_followup(dossier=dossier, reason=data["reason"], by=request.user)
        return "Dossier classé sans suite : le porteur en est informé avec le motif."

    return views._submit(request, dossier, key="close_form", form=ReasonForm(request.POST), action=action,
                         error_field="reason")
