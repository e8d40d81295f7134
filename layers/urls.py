"""Pages of the layers app."""

from django.urls import path

from layers import views

app_name = "layers"

urlpatterns = [
    path("", views.authority_map, name="authority-map"),
]
