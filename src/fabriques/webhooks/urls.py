from django.urls import path

from fabriques.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("<slug:call_slug>/", views.endpoints, name="endpoints"),
    path("<slug:call_slug>/<int:pk>/activer/", views.endpoint_toggle, name="toggle"),
    path("<slug:call_slug>/<int:pk>/supprimer/", views.endpoint_delete, name="delete"),
    path("<slug:call_slug>/<int:pk>/tester/", views.endpoint_test, name="test"),
]
