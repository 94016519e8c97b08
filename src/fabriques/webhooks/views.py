"""Programme admins' page: webhook endpoints of a call (secret shown to them) and the delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fabriques.calls.models import Call
from fabriques.webhooks import domain
from fabriques.webhooks.forms import EndpointForm
from fabriques.webhooks.models import WebhookDelivery, WebhookEndpoint
from fabriques.webhooks.rules import can_manage_webhooks

LOG_ROWS = 100


def _call(request, call_slug: str) -> Call:
    call = get_object_or_404(Call, slug=call_slug)
    if not can_manage_webhooks(request.user, call):
        raise PermissionDenied
    return call


@login_required
def endpoints(request, call_slug: str):
    call = _call(request, call_slug)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        domain.endpoint_create(call=call, url=form.cleaned_data["url"], by=request.user)
        messages.success(request, "Point de réception ajouté : copiez son secret pour vérifier les signatures.")
        return redirect("webhooks:endpoints", call_slug=call.slug)
    deliveries = (WebhookDelivery.objects.filter(endpoint__call=call).select_related("endpoint", "dossier")
                  [:LOG_ROWS])
    return render(request, "webhooks/endpoints.html", {
        "call": call, "form": form, "endpoints": WebhookEndpoint.objects.filter(call=call),
        "deliveries": deliveries, "log_rows": LOG_ROWS,
    })


@login_required
@require_POST
def endpoint_toggle(request, call_slug: str, pk: int):
    call = _call(request, call_slug)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk, call=call)
    domain.endpoint_set_active(endpoint=endpoint, active=not endpoint.active, by=request.user)
    return redirect("webhooks:endpoints", call_slug=call.slug)
