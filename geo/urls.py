"""URLs of the geo API, mounted under /api/v1/."""

from django.urls import path

from geo import api

app_name = "geo"

urlpatterns = [
    path("locate", api.LocateApi.as_view(), name="locate"),
    path("authorities/", api.AuthorityListApi.as_view(), name="authority-list"),
    path("authorities/<str:key>/", api.AuthorityDetailApi.as_view(), name="authority-detail"),
    path("places/", api.PlaceSearchApi.as_view(), name="place-search"),
]
