"""Pages of the layers app: the maps of authorities and procedures, and the embeddable maps."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from layers import views

app_name = "layers"

urlpatterns = [
    path("", views.authority_map, name="authority-map"),
    path(_("karte/"), views.overview_map, name="overview"),
    path(_("einbetten/karte/"), views.embed_overview, name="embed-overview"),
    path(_("einbetten/verfahren/<slug:slug>/"), views.embed_procedure, name="embed-procedure"),
]
