"""Agents' page to create (shown once) and revoke their API tokens."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fabriques.apitokens import domain, queries, rules
from fabriques.apitokens.forms import TokenForm


@login_required
def token_list(request):
    calls = rules.calls_for_tokens(request.user)
    if not calls.exists():
        raise PermissionDenied
    form = TokenForm(request.POST or None, calls=calls)
    raw = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expires = timezone.make_aware(dt.datetime.combine(data["expires_on"], dt.time(23, 59, 59)))
        try:
            _, raw = domain.token_create(owner=request.user, name=data["name"], calls=data["calls"],
                                         can_write=data["can_write"], expires_at=expires)
        except domain.TokenError as exc:
            form.add_error(None, str(exc))
        else:
            form = TokenForm(calls=calls)
    context = {"form": form, "raw": raw, "tokens": queries.tokens_of(request.user), "now": timezone.now()}
    return render(request, "apitokens/tokens.html", context)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = queries.tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    domain.token_revoke(token=token, by=request.user)
    messages.success(request, f"Le jeton « {token.name} » est révoqué.")
    return redirect("apitokens:list")
