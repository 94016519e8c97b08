from django.urls import path

from fabriques.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mes-donnees/", views.my_data, name="my-data"),
    path("supprimer-mon-compte/", views.erase, name="erase"),
    path("appels/<slug:slug>/invitations/", views.invite, name="invite"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("confirmation/renvoyer/", views.resend_confirmation, name="resend_confirmation"),
]
