from django.urls import path  # noqa: F401 - filled below

app_name = "opendata"
urlpatterns: list = []
