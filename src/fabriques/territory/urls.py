from django.urls import path

from fabriques.territory import batch_views, views

app_name = "territory"
urlpatterns = [
    path("communes/", views.commune_search, name="commune-search"),
    path("eligibilite/", views.eligibility_check, name="eligibility-check"),
    path("verification-par-lot/", batch_views.batch_check_page, name="batch"),
]
