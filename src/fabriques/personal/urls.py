"""The person's space, /espace/. Its pages and the accounts app's invitation and confirmation pages share the
« accounts » namespace their links have always used (accounts:dashboard, accounts:invitation…)."""

from django.urls import path

from fabriques.accounts import urls as accounts_urls
from fabriques.personal import views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mes-donnees/", views.my_data, name="my-data"),
    path("supprimer-mon-compte/", views.erase, name="erase"),
    path("appels/<slug:slug>/invitations/", views.invite, name="invite"),
    *accounts_urls.urlpatterns,
]
