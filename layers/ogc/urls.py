"""URLs of OGC API – Features (being written by helper OG; replaced)."""

from django.urls import URLPattern

app_name = "ogc"

urlpatterns: list[URLPattern] = []
