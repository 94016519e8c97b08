from django.urls import path

from fabriques.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("appels/<slug:slug>/invitations/", views.invite, name="invite"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
