from django.urls import path

from fabriques.advice import network_views, views

app_name = "advice"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("relecture/<uuid:uuid>/", views.review, name="review"),
    path("relecture/<uuid:uuid>/criteres/<slug:code>/commenter/", views.comment, name="comment"),
    path("relecture/<uuid:uuid>/fils/<int:pk>/repondre/", views.reply, name="reply"),
    path("relecture/<uuid:uuid>/pieces/<uuid:file_uuid>/", views.attachment, name="attachment"),
    path("dossiers/<uuid:uuid>/", views.dossier, name="dossier"),
    path("dossiers/<uuid:uuid>/invitations/<uuid:invitation>/retirer/", views.revoke, name="revoke"),
    path("dossiers/<uuid:uuid>/fils/<int:pk>/repondre/", views.dossier_reply, name="dossier-reply"),
    path("dossiers/<uuid:uuid>/fils/<int:pk>/etat/", views.thread_state, name="thread-state"),
    path("dossiers/<uuid:uuid>/commentaires/<int:pk>/accepter/", views.accept_suggestion, name="accept-suggestion"),
    path("reseaux/", network_views.networks, name="networks"),
    path("reseaux/nouveau/", network_views.network_create, name="network-create"),
    path("reseaux/<slug:slug>/", network_views.network, name="network"),
    path("reseaux/<slug:slug>/dossiers/", network_views.network_dossiers, name="network-dossiers"),
    path("reseaux/<slug:slug>/dossiers/<uuid:uuid>/accepter/", network_views.network_accept, name="network-accept"),
    path("reseaux/<slug:slug>/membres/", network_views.network_members, name="network-members"),
]
