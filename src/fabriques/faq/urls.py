from django.urls import path

from fabriques.faq import views

app_name = "faq"
urlpatterns = [
    path("mes-questions/", views.mine, name="mine"),
    path("<slug:slug>/", views.faq, name="faq"),
    path("<slug:slug>/poser/", views.ask, name="ask"),
    path("<slug:slug>/suivre/", views.follow, name="follow"),
    path("<slug:slug>/equipe/", views.team, name="team"),
    path("<slug:slug>/equipe/<int:pk>/", views.answer, name="answer"),
]
