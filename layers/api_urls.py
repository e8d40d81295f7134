"""URLs of the layer registry's API (mounted under /api/v1/ by config/urls.py)."""

from django.urls import path

from layers import api

api_patterns = (
    [
        path("layers/", api.LayerListApi.as_view(), name="layers"),
        path("layers/<str:layer>/features", api.LayerFeaturesApi.as_view(), name="layer-features"),
    ],
    "layers-api",
)
