"""The accounts app's own pages; included in the « accounts » namespace by personal/urls.py (/espace/)."""

from django.urls import path

from fabriques.accounts import views

urlpatterns = [
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("confirmation/renvoyer/", views.resend_confirmation, name="resend_confirmation"),
]
