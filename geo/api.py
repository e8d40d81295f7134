"""API of the geo app: who is responsible for a place, the authorities with their areas, places by name."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import parse_query
from config.errors import BadRequest
from geo import crs as crs_module
from geo.bbox import parse_bbox
from geo.crs import CRS
from geo.models import Authority, AuthorityKind
from geo.selectors import (
    MAX_QUERY_LENGTH,
    Location,
    Place,
    authority_get,
    authority_list,
    locate_coordinates,
    place_search,
)

ERROR_RESPONSE = OpenApiResponse(
    response={
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "details": {"type": "object"},
        },
        "required": ["code", "message", "details"],
    },
    description=_("Fehler mit Code, Meldung (Deutsch, Englisch mit Accept-Language: en) und Details."),
)
CRS_CHOICES = ", ".join(c.key for c in crs_module.ALLOWED)


class GeoJSONRenderer(JSONRenderer):
    """Render GeoJSON with its own media type; plain JSON stays available for Accept: application/json."""

    media_type = "application/geo+json"
    format = "geojson"


def content_crs_headers(crs: CRS) -> dict[str, str]:
    """Return the Content-Crs header (OGC API – Features Part 2) for an answer in `crs`."""
    return {"Content-Crs": f"<{crs.uri}>"}


# --- Locate -----------------------------------------------------------------------------------


class LocateQuery(serializers.Serializer[Any]):
    lon = serializers.FloatField(required=False, help_text=_("Geographische Länge (WGS 84)"))
    lat = serializers.FloatField(required=False, help_text=_("Geographische Breite (WGS 84)"))
    x = serializers.FloatField(required=False, help_text=_("Erste Koordinate in der Achsenfolge von crs"))
    y = serializers.FloatField(required=False, help_text=_("Zweite Koordinate in der Achsenfolge von crs"))
    crs = serializers.CharField(required=False, max_length=100, help_text=_("CRS von x/y, z. B. EPSG:25832"))


class AuthorityRefSerializer(serializers.Serializer[Authority]):
    key = serializers.CharField()
    regional_key = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=AuthorityKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    designation = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, authority: Authority) -> str:
        return reverse("geo:authority-detail", kwargs={"key": authority.key})


class LonLatSerializer(serializers.Serializer[Any]):
    lon = serializers.FloatField()
    lat = serializers.FloatField()


class ProjectedPointSerializer(serializers.Serializer[Any]):
    crs = serializers.CharField()
    x = serializers.FloatField()
    y = serializers.FloatField()


class LocationSerializer(serializers.Serializer[Location]):
    gemeinde = AuthorityRefSerializer()
    kreis = AuthorityRefSerializer(allow_null=True)
    regierungsbezirk = AuthorityRefSerializer(allow_null=True)
    land = AuthorityRefSerializer(allow_null=True)
    match = serializers.ChoiceField(
        choices=["inside", "nearest"],
        help_text=_("inside: der Punkt liegt in der Gemeinde; nearest: knapp außerhalb der generalisierten Grenze"),
    )
    distance_m = serializers.FloatField(help_text=_("Abstand zur Gemeindegrenze in Metern (0 bei inside)"))
    point = serializers.SerializerMethodField()
    point_storage = serializers.SerializerMethodField()

    @extend_schema_field(LonLatSerializer)
    def get_point(self, location: Location) -> dict[str, float]:
        lon, lat = crs_module.transform_coords([location.point.coords], crs_module.STORAGE, crs_module.CRS84)[0]
        return {"lon": round(float(lon), 7), "lat": round(float(lat), 7)}

    @extend_schema_field(ProjectedPointSerializer)
    def get_point_storage(self, location: Location) -> dict[str, Any]:
        return {"crs": crs_module.STORAGE.key, "x": round(location.point.x, 3), "y": round(location.point.y, 3)}


def coordinates_from_query(query: dict[str, Any]) -> tuple[float, float, CRS]:
    """Return the coordinates a query names, as lon/lat or as x/y in `crs` (EPSG:25832 by default)."""
    if "lon" in query or "lat" in query:
        if {"x", "y", "crs"} & set(query):
            raise BadRequest(_("Geben Sie entweder lon und lat an oder x, y und crs, nicht beides."))
        if not {"lon", "lat"} <= set(query):
            raise BadRequest(_("Bitte geben Sie lon und lat an."))
        return query["lon"], query["lat"], crs_module.CRS84
    if {"x", "y"} <= set(query):
        return query["x"], query["y"], crs_module.parse_crs(query.get("crs"), default=crs_module.STORAGE)
    raise BadRequest(_("Bitte geben Sie lon und lat an (oder x, y und crs, z. B. crs=EPSG:25832)."))


class LocateApi(APIView):
    """Return the Gemeinde responsible for a point, with its Kreis, Regierungsbezirk and Land."""

    @extend_schema(
        operation_id="locate",
        summary=_("Zuständige Gemeinde für einen Ort"),
        parameters=[LocateQuery],
        responses={200: LocationSerializer, 400: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        first, second, source = coordinates_from_query(parse_query(LocateQuery, request))
        location = locate_coordinates(first, second, source)
        return Response(LocationSerializer(location).data)


# --- Authorities ------------------------------------------------------------------------------


class AuthorityListQuery(serializers.Serializer[Any]):
    kind = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("Art(en), wiederholbar oder mit Komma getrennt")
    )
    bbox = serializers.CharField(required=False, max_length=200, help_text=_("minx,miny,maxx,maxy"))
    bbox_crs = serializers.CharField(required=False, max_length=100, help_text=_("CRS der bbox (Standard: CRS84)"))
    crs = serializers.CharField(required=False, max_length=100, help_text=_("CRS der Ausgabe (Standard: CRS84)"))
    parent_key = serializers.RegexField(
        r"^\d{2,5}$", required=False, help_text=_("Schlüssel der übergeordneten Einheit")
    )

    def validate_kind(self, values: list[str]) -> list[AuthorityKind]:
        kinds = [part.strip() for value in values for part in value.split(",") if part.strip()]
        unknown = [kind for kind in kinds if kind not in AuthorityKind.values]
        if unknown:
            raise serializers.ValidationError(
                _("Unbekannte Art: %(unknown)s. Möglich sind: %(kinds)s.")
                % {"unknown": ", ".join(unknown), "kinds": ", ".join(AuthorityKind.values)}
            )
        return [AuthorityKind(kind) for kind in kinds]


class AuthorityDetailQuery(serializers.Serializer[Any]):
    crs = serializers.CharField(required=False, max_length=100, help_text=_("CRS der Ausgabe (Standard: CRS84)"))


def authority_feature(authority: Authority) -> dict[str, Any]:
    """Return an authority as a GeoJSON Feature; its geometry was built by PostGIS."""
    parent = authority.parent
    return {
        "type": "Feature",
        "id": authority.key,
        "geometry": json.loads(authority.boundary_geojson),  # type: ignore[attr-defined]
        "properties": {
            "key": authority.key,
            "regional_key": authority.regional_key,
            "name": authority.name,
            "kind": authority.kind,
            "kind_label": str(authority.get_kind_display()),
            "designation": authority.designation,
            "parent_key": parent.key if parent else None,
            "parent_name": parent.name if parent else None,
            "url": reverse("geo:authority-detail", kwargs={"key": authority.key}),
        },
    }


FEATURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": {"type": "object", "description": "GeoJSON MultiPolygon"},
        "properties": {
            "type": "object",
            "properties": {
                name: {"type": "string", "nullable": name.startswith("parent")}
                for name in (
                    "key",
                    "regional_key",
                    "name",
                    "kind",
                    "kind_label",
                    "designation",
                    "parent_key",
                    "parent_name",
                    "url",
                )
            },
        },
    },
}
OUTPUT_CRS_PARAMETER = OpenApiParameter(
    "crs", OpenApiTypes.STR, description=_("CRS der Ausgabe: %(choices)s") % {"choices": CRS_CHOICES}
)


class AuthorityListApi(APIView):
    """Return authorities as GeoJSON, filtered by kind, bounding box and parent."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="authorities_list",
        summary=_("Behörden und ihre Gebiete (GeoJSON)"),
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, many=True, enum=AuthorityKind.values, explode=True),
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy"),
            OpenApiParameter("bbox-crs", OpenApiTypes.STR, description=CRS_CHOICES),
            OUTPUT_CRS_PARAMETER,
            OpenApiParameter("parent", OpenApiTypes.STR, description=_("Schlüssel der übergeordneten Einheit")),
        ],
        responses={
            200: OpenApiResponse(
                response={
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": ["FeatureCollection"]},
                        "numberReturned": {"type": "integer"},
                        "features": {"type": "array", "items": FEATURE_SCHEMA},
                    },
                }
            ),
            400: ERROR_RESPONSE,
        },
    )
    def get(self, request: Request) -> Response:
        query = parse_query(AuthorityListQuery, request, renames={"bbox_crs": "bbox-crs", "parent_key": "parent"})
        output_crs = crs_module.parse_crs(query.get("crs"))
        area = None
        if "bbox" in query:
            area = parse_bbox(query["bbox"], crs_module.parse_crs(query.get("bbox_crs")))
        elif "bbox_crs" in query:
            raise BadRequest(_("bbox-crs ist nur zusammen mit bbox sinnvoll."))
        authorities = authority_list(
            kinds=query.get("kind"), area=area, parent_key=query.get("parent_key"), output_crs=output_crs
        )
        features = [authority_feature(authority) for authority in authorities]
        body = {"type": "FeatureCollection", "numberReturned": len(features), "features": features}
        return Response(body, headers=content_crs_headers(output_crs))


class AuthorityDetailApi(APIView):
    """Return one authority with its area as a GeoJSON Feature."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="authorities_retrieve",
        summary=_("Eine Behörde mit ihrem Gebiet (GeoJSON)"),
        parameters=[OUTPUT_CRS_PARAMETER],
        responses={200: OpenApiResponse(response=FEATURE_SCHEMA), 400: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    def get(self, request: Request, key: str) -> Response:
        query = parse_query(AuthorityDetailQuery, request)
        output_crs = crs_module.parse_crs(query.get("crs"))
        authority = authority_get(key, output_crs=output_crs)
        return Response(authority_feature(authority), headers=content_crs_headers(output_crs))


# --- Places -----------------------------------------------------------------------------------


class PlaceSearchQuery(serializers.Serializer[Any]):
    q = serializers.CharField(
        max_length=MAX_QUERY_LENGTH,
        allow_blank=True,
        help_text=_("Name einer Gemeinde oder Straße, z. B. „Aachener Str“; unter 2 Zeichen gibt es keine Treffer"),
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=25, default=10, help_text=_("Höchstzahl der Treffer (1 bis 25)")
    )


class PlaceSerializer(serializers.Serializer[Place]):
    kind = serializers.ChoiceField(choices=["gemeinde", "street"], help_text=_("gemeinde oder street"))
    key = serializers.CharField(help_text=_("AGS der Gemeinde oder Straßenschlüssel der Gemeinde"))
    name = serializers.CharField(help_text=_("Name, wie ihn die Quelle schreibt"))
    # DRF takes declared fields off the class, so this does not clash with Field.label; mypy cannot know.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text=_("Zur Anzeige, z. B. „Aachener Straße, Köln“ oder „Moers (Stadt, Kreis Wesel)“")
    )
    gemeinde_key = serializers.CharField(help_text=_("AGS der Gemeinde"))
    gemeinde_name = serializers.CharField()
    point = serializers.SerializerMethodField(help_text=_("Ein Punkt auf der Straße oder in der Gemeinde (WGS 84)"))
    bbox = serializers.SerializerMethodField(
        help_text=_("Umgebendes Rechteck: min. Länge, min. Breite, max. Länge, max. Breite")
    )
    match = serializers.ChoiceField(
        choices=["exact", "prefix", "similar"],
        help_text=_("exact: gleicher Name; prefix: der Name beginnt mit der Suche; similar: ähnlicher Name"),
    )
    similarity = serializers.FloatField(help_text=_("Wie viel der Suche der Name enthält, 0 bis 1"))

    @extend_schema_field(LonLatSerializer)
    def get_point(self, place: Place) -> dict[str, float]:
        return {"lon": round(place.point.lon, 7), "lat": round(place.point.lat, 7)}

    @extend_schema_field(serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4))
    def get_bbox(self, place: Place) -> list[float]:
        return [round(value, 7) for value in place.bbox]


class PlaceListSerializer(serializers.Serializer[Any]):
    results = PlaceSerializer(many=True)


class PlaceSearchApi(APIView):
    """Find Gemeinden and streets by name, for a citizen who does not use the map."""

    @extend_schema(
        operation_id="places_search",
        summary=_("Gemeinden und Straßen nach Namen suchen"),
        description=_(
            "Sucht in unseren eigenen Daten, ohne externen Geocoder. Groß- und Kleinschreibung, Umlaute, ß/ss "
            "und „Str.“/„Straße“ spielen keine Rolle; gleiche und beginnende Namen kommen vor ähnlichen."
        ),
        parameters=[PlaceSearchQuery],
        responses={200: PlaceListSerializer, 400: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(PlaceSearchQuery, request)
        places = place_search(query["q"], limit=query["limit"])
        return Response(PlaceListSerializer({"results": places}).data)
