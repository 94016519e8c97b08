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
ONCE_SESSION = "webhooks:shown-once"  # session key: the new endpoint shown once


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
        endpoint = domain.endpoint_create(call=call, url=form.cleaned_data["url"], by=request.user)
        request.session[ONCE_SESSION] = [endpoint.pk, endpoint.secret]  # shown once, by the next page
        messages.success(request, "Point de réception ajouté : copiez son secret maintenant, il ne sera plus affiché.")
        return redirect("webhooks:endpoints", call_slug=call.slug)
    shown = request.session.pop(ONCE_SESSION, None)
    deliveries = (WebhookDelivery.objects.filter(endpoint__call=call).select_related("endpoint", "dossier")
                  [:LOG_ROWS])
    return render(request, "webhooks/endpoints.html", {
        "call": call, "form": form, "endpoints": WebhookEndpoint.objects.filter(call=call),
        "deliveries": deliveries, "log_rows": LOG_ROWS,
        "new_secret": {"pk": shown[0], "secret": shown[1]} if shown else None,
    })


@login_required
@require_POST
def endpoint_delete(request, call_slug: str, pk: int):
    call = _call(request, call_slug)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk, call=call)
    domain.endpoint_delete(endpoint=endpoint, by=request.user)
    messages.success(request, f"Point de réception {endpoint.url} supprimé.")
    return redirect("webhooks:endpoints", call_slug=call.slug)


@login_required
@require_POST
def endpoint_test(request, call_slug: str, pk: int):
    call = _call(request, call_slug)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk, call=call)
    delivery = domain.endpoint_test(endpoint=endpoint, by=request.user)
    if delivery.state == "delivered":
        messages.success(request, f"Envoi de test reçu par {endpoint.url} (HTTP {delivery.last_status}).")
    else:
        messages.error(request, f"Envoi de test non reçu par {endpoint.url} : {delivery.last_error}. "
                                "Il sera réessayé comme les autres envois.")
    return redirect("webhooks:endpoints", call_slug=call.slug)


@login_required
@require_POST
def endpoint_toggle(request, call_slug: str, pk: int):
    call = _call(request, call_slug)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk, call=call)
    domain.endpoint_set_active(endpoint=endpoint, active=not endpoint.active, by=request.user)
    return redirect("webhooks:endpoints", call_slug=call.slug)
