"""URLs of OGC API – Features, mounted at /ogc/."""

from django.urls import URLPattern, path

from layers.ogc import views

app_name = "ogc"

urlpatterns: list[URLPattern] = [
    path("", views.landing, name="landing"),
    path("api", views.api, name="api"),
    path("conformance", views.conformance, name="conformance"),
    path("collections", views.collections, name="collections"),
    path("collections/<str:collection_id>", views.collection, name="collection"),
    path("collections/<str:collection_id>/items", views.items, name="items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", views.item, name="item"),
]
