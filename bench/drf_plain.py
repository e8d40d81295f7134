"""A plain djangorestframework-gis serializer of the reports layer: the baseline our GeoJSON is compared with."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from reports.models import Report


class PlainReportSerializer(GeoFeatureModelSerializer):
    """The reports layer's properties, serialized the textbook way, one model instance at a time."""

    lonlat = GeometryField(read_only=True, precision=7)
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    authority = serializers.CharField(source="authority.key")

    class Meta:
        model = Report
        geo_field = "lonlat"
        fields = (
            "id",
            "lonlat",
            "status",
            "category",
            "category_name",
            "authority",
            "description",
            "created_at",
            "updated_at",
        )


def plain_geojson(area: Polygon, limit: int) -> bytes:
    """Return the first `limit` public reports in `area` (storage CRS) as GeoJSON, serialized by DRF-gis."""
    rows = (
        Report.objects.public()
        .filter(location__intersects=area)
        .select_related("category", "authority")
        .annotate(lonlat=Transform("location", 4326))
        .order_by("id")[:limit]
    )
    data: Any = PlainReportSerializer(rows, many=True).data
    return bytes(JSONRenderer().render(data))
