from django.urls import path

from fabriques.calls import views, wave_views

app_name = "calls"
urlpatterns = [
    path("", views.home, name="home"),
    path("appels/<slug:slug>/", views.call_detail, name="detail"),
    path("appels/<slug:slug>/calendrier.ics", views.call_calendar, name="calendar"),
    path("appels/<slug:slug>/vagues/", wave_views.waves, name="waves"),
]
