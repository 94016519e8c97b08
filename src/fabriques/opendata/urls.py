from django.urls import path

from fabriques.opendata import map_views, stats_views, views

app_name = "opendata"
urlpatterns = [
    path("", views.opendata_page, name="page"),
    path("laureats.csv", views.laureates_csv, name="laureates-csv"),
    path("laureats.geojson", views.laureates_geojson, name="laureates-geojson"),
    path("datapackage.json", views.datapackage_json, name="datapackage"),
    path("carte/", map_views.map_page, name="map"),
    path("statistiques/", stats_views.statistics_index, name="statistics-index"),
    path("statistiques/<slug:call_slug>/", stats_views.statistics, name="statistics"),
]
