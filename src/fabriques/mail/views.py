"""The development inbox pages (DEBUG only; 404 otherwise)."""

from django.http import Http404
from django.shortcuts import render

from fabriques.mail import devinbox


def inbox(request):
    if devinbox.inbox_dir() is None:
        raise Http404("Page introuvable")
    return render(request, "mail/inbox.html", {"emails": devinbox.inbox_list()})


def inbox_email(request, name: str):
    found = devinbox.inbox_get(name)
    if found is None:
        raise Http404("Courriel introuvable")
    return render(request, "mail/inbox_email.html", {"email": found})
