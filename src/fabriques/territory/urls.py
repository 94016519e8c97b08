from django.urls import path

from fabriques.territory import views

app_name = "territory"
urlpatterns = [
    path("communes/", views.commune_search, name="commune-search"),
    path("eligibilite/", views.eligibility_check, name="eligibility-check"),
]
