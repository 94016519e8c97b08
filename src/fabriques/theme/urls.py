"""The public-service pages of the footer: legal notice, accessibility, personal data, site map, contact."""

from django.urls import path

from fabriques.theme import neutral_views, views

app_name = "theme"
urlpatterns = [
    path("mentions-legales/", views.legal_notice, name="legal"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
    path("plan-du-site/", views.sitemap, name="sitemap"),
    path("contact/", views.contact, name="contact"),
    path("theme/couleurs.css", neutral_views.colours_css, name="colours"),
]
