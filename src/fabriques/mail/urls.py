from django.urls import path

from fabriques.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<str:name>/", views.inbox_email, name="inbox_email"),
]
