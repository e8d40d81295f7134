"""API of the planner workspace under /api/v1/workspace/: one view per operation, for an authority or a procedure.

Every view answers anonymous requests with 403 and another authority's workspace with 404
(workspace.scope); every GET takes the filter parameters of workspace.filters.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import parse_body, parse_query
from geo.api import ERROR_RESPONSE
from workspace import selectors, services
from workspace.exports import SUPPORTED_SRIDS
from workspace.filters import FeedbackFilter, filter_from_query
from workspace.scope import Workspace, workspace_for_authority, workspace_for_procedure

JSON_OBJECT = OpenApiResponse(response={"type": "object"})
GEOJSON = OpenApiResponse(response={"type": "object", "description": "GeoJSON FeatureCollection (RFC 7946, lon/lat)"})
ERRORS = {400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE}


# --- Input ----------------------------------------------------------------------------------


class FilterQuery(serializers.Serializer[Any]):
    """The filter parameters; checked strictly by workspace.filters.filter_from_query."""

    sources = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("reports und/oder contributions")
    )
    start = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Beginn (JJJJ-MM-TT); fehlt er: vor 90 Tagen; leer: offen")
    )
    end = serializers.CharField(required=False, allow_blank=True, help_text=_("Ende (JJJJ-MM-TT), einschließlich"))
    category = serializers.ListField(child=serializers.CharField(), required=False, help_text=_("Kategorie-Kennung"))
    status = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("Status; fehlt er: offene; all: alle")
    )
    procedure = serializers.CharField(required=False, allow_blank=True, help_text=_("Kurzname eines Verfahrens"))
    q = serializers.CharField(required=False, allow_blank=True, help_text=_("Text in Beschreibung oder Beitrag"))


class ItemsQuery(FilterQuery):
    after = serializers.CharField(required=False, help_text=_("Seitenmarke aus „next“"))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=selectors.MAX_PAGE, default=50)


class ClusterQuery(FilterQuery):
    eps = serializers.FloatField(required=False, default=50.0, help_text=_("Abstand in Metern (1 bis 5000)"))
    min_points = serializers.IntegerField(required=False, default=5, help_text=_("Mindestgröße (2 bis 1000)"))


class GridQuery(FilterQuery):
    cell = serializers.FloatField(required=False, default=500.0, help_text=_("Zellgröße in Metern"))
    shape = serializers.ChoiceField(choices=["square", "hexagon"], required=False, default="square")


class HeatQuery(FilterQuery):
    cell = serializers.FloatField(required=False, default=25.0, help_text=_("Zellgröße in Metern"))


class HotspotQuery(FilterQuery):
    before_start = serializers.DateField()
    before_end = serializers.DateField()
    after_start = serializers.DateField()
    after_end = serializers.DateField()
    cell = serializers.FloatField(required=False, default=500.0, help_text=_("Zellgröße in Metern"))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=20)


class DuplicateQuery(FilterQuery):
    distance = serializers.FloatField(required=False, default=50.0, help_text=_("Höchstabstand in Metern"))
    similarity = serializers.FloatField(required=False, default=0.3, help_text=_("Mindestähnlichkeit 0 bis 1"))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)


class ExportQuery(FilterQuery):
    format = serializers.ChoiceField(choices=["csv", "geojson", "gpkg"], required=False, default="csv")
    crs = serializers.ChoiceField(choices=list(SUPPORTED_SRIDS), required=False, default=4326)
    personal = serializers.BooleanField(required=False, default=False)


class MergeInput(serializers.Serializer[Any]):
    duplicate = serializers.IntegerField(min_value=1)
    original = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")


# --- Output ---------------------------------------------------------------------------------


def item_json(item: selectors.FeedbackItem) -> dict[str, Any]:
    """Return a list item as JSON."""
    data = dataclasses.asdict(item)
    data["created_at"] = item.created_at.isoformat()
    data["photos"] = list(item.photos)
    return data


def cluster_json(cluster: selectors.Cluster) -> dict[str, Any]:
    """Return a cluster as JSON."""
    data = dataclasses.asdict(cluster)
    data["center"] = list(cluster.center)
    return data


# --- Views ----------------------------------------------------------------------------------


class WorkspaceApi(APIView):
    """Base of the workspace views: the workspace from the URL, the filter from the query."""

    permission_classes: ClassVar[list[type[IsAuthenticated]]] = [IsAuthenticated]  # type: ignore[misc]
    query_class: ClassVar[type[serializers.Serializer[Any]]] = FilterQuery

    def workspace(self, request: Request, kwargs: dict[str, Any]) -> Workspace:
        """Return the workspace the URL names, or raise WorkspaceNotFound."""
        if "slug" in kwargs:
            return workspace_for_procedure(request.user, kwargs["slug"])
        return workspace_for_authority(request.user, kwargs["key"])

    def query(self, request: Request) -> tuple[FeedbackFilter, dict[str, Any]]:
        """Return the filter and the view's own validated parameters."""
        own = parse_query(self.query_class, request)
        params = {name: request.query_params.getlist(name) for name in request.query_params}
        return filter_from_query(params), own


class ItemsApi(WorkspaceApi):
    """List the filtered reports and contributions, newest first, a page at a time."""

    query_class = ItemsQuery

    def get(self, request: Request, **kwargs: Any) -> Response:
        ws = self.workspace(request, kwargs)
        flt, own = self.query(request)
        page = selectors.feedback_page(ws, flt, after=own.get("after"), limit=own["limit"])
        return Response(
            {"items": [item_json(item) for item in page.items], "next": page.next_cursor, "total": page.total}
        )


class FeaturesApi(WorkspaceApi):
    """Return the filtered feedback as GeoJSON points (contributions by a point on their place)."""

    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        ws = self.workspace(request, kwargs)
        flt, _own = self.query(request)
        return HttpResponse(selectors.feedback_geojson(ws, flt), content_type="application/geo+json")


class ClustersApi(WorkspaceApi):
    """Return the DBSCAN clusters of the filtered feedback, with distance and minimum size in metres and points."""

    query_class = ClusterQuery

    def get(self, request: Request, **kwargs: Any) -> Response:
        ws = self.workspace(request, kwargs)
        flt, own = self.query(request)
        clusters = selectors.dbscan_clusters(ws, flt, eps_m=own["eps"], min_points=own["min_points"])
        return Response({"clusters": [cluster_json(cluster) for cluster in clusters], "count": len(clusters)})


class ClusterDetailApi(WorkspaceApi):
    """Return one cluster with its members."""

    query_class = ClusterQuery

    def get(self, request: Request, cluster: str, **kwargs: Any) -> Response:
        ws = self.workspace(request, kwargs)
        flt, own = self.query(request)
        detail = selectors.cluster_detail(ws, flt, eps_m=own["eps"], min_points=own["min_points"], key=cluster)
        return Response({"cluster": cluster_json(detail.cluster), "items": [item_json(item) for item in detail.items]})


class GridApi(WorkspaceApi):
    """Return square or hexagonal cells (size in metres) with their counts, as GeoJSON."""

    query_class = GridQuery

    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        ws = self.workspace(request, kwargs)
        flt, own = self.query(request)
        body = selectors.grid_cells(ws, flt, cell_m=own["cell"], shape=own["shape"])
        return HttpResponse(body, content_type="application/geo+json")


class HeatmapApi(WorkspaceApi):
    """Return heatmap points [lat, lon, weight]."""

    query_class = HeatQuery

    def get(self, request: Request, **kwargs: Any) -> Response:
        ws = self.workspace(request, kwargs)
        flt, own = self.query(request)
        points = selectors.heat_points(ws, flt, cell_m=own["cell"])
        return Response({"points": [list(point) for point in points]})


class HotspotsApi(WorkspaceApi):
    """Rank the places whose feedback grew most between two periods."""

    query_class = HotspotQuery

    def get(self, request: Request, **kwargs: Any) -> Response:
        ws = self.workspace(request, kwargs)
        flt, own = self.query(request)
        found = selectors.hotspots(
            ws,
            flt,
            before=(own["before_start"], own["before_end"]),
            after=(own["after_start"], own["after_end"]),
            cell_m=own["cell"],
            limit=own["limit"],
        )
        return Response({"hotspots": [dict(dataclasses.asdict(spot), center=list(spot.center)) for spot in found]})


class WeeklyChartApi(WorkspaceApi):
    """Return counts per ISO week and category."""

    def get(self, request: Request, **kwargs: Any) -> Response:
        ws = self.workspace(request, kwargs)
        flt, _own = self.query(request)
        weeks = selectors.weekly_counts(ws, flt)
        return Response(
            {"weeks": [{"week": week.isoformat(), "category": name, "count": count} for week, name, count in weeks]}
        )


class CategoryChartApi(WorkspaceApi):
    """Return counts per category."""

    def get(self, request: Request, **kwargs: Any) -> Response:
        ws = self.workspace(request, kwargs)
        flt, _own = self.query(request)
        counts = selectors.category_counts(ws, flt)
        return Response({"categories": [{"category": name, "count": count} for name, count in counts]})


class DuplicatesApi(WorkspaceApi):
    """Return candidate duplicate pairs of reports, most likely first."""

    query_class = DuplicateQuery

    def get(self, request: Request, **kwargs: Any) -> Response:
        ws = self.workspace(request, kwargs)
        flt, own = self.query(request)
        pairs = selectors.duplicate_pairs(
            ws, flt, distance_m=own["distance"], min_similarity=own["similarity"], limit=own["limit"]
        )
        return Response(
            {
                "pairs": [
                    {
                        "a": item_json(pair.a),
                        "b": item_json(pair.b),
                        "distance_m": pair.distance_m,
                        "similarity": pair.similarity,
                        "score": pair.score,
                    }
                    for pair in pairs
                ]
            }
        )


class MergeApi(WorkspaceApi):
    """Merge a duplicate report into the original in one step; supporters and history follow."""

    def post(self, request: Request, **kwargs: Any) -> Response:
        ws = self.workspace(request, kwargs)
        body = parse_body(MergeInput, request)
        report = services.reports_merge(
            user=request.user, ws=ws, duplicate_id=body["duplicate"], original_id=body["original"], note=body["note"]
        )
        return Response({"duplicate": report.pk, "original": report.duplicate_of_id, "status": report.status})


class ExportApi(WorkspaceApi):
    """Download exactly what the filters show as CSV, GeoJSON or GeoPackage; personal data only when allowed."""

    query_class = ExportQuery

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        """Answer errors as JSON: `format` names the file format here, not one of DRF's renderers."""
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        ws = self.workspace(request, kwargs)
        flt, own = self.query(request)
        export = services.export_feedback(
            user=request.user, ws=ws, flt=flt, fmt=own["format"], crs=int(own["crs"]), personal=own["personal"]
        )
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["X-Export-Rows"] = str(export.rows)
        return response


class DictionaryApi(APIView):
    """Return the data dictionary of the exports: every column with its German description."""

    permission_classes: ClassVar[list[type[IsAuthenticated]]] = [IsAuthenticated]  # type: ignore[misc]

    @extend_schema(
        operation_id="workspace_dictionary",
        summary=_("Datenlexikon der Exporte"),
        responses={200: JSON_OBJECT, 403: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "fields": [
                    {
                        "name": entry.name,
                        "type": entry.type,
                        "description": str(entry.description),
                        "personal": entry.personal,
                    }
                    for entry in services.data_dictionary()
                ]
            }
        )


# --- Schema: one operation id per path, for the authority and for the procedure ---------------

_OPERATIONS: dict[str, tuple[type[WorkspaceApi], str, str | Promise, Any]] = {
    "items": (ItemsApi, "get", _("Liste der Rückmeldungen"), JSON_OBJECT),
    "features": (FeaturesApi, "get", _("Rückmeldungen als GeoJSON"), GEOJSON),
    "clusters": (ClustersApi, "get", _("Cluster (DBSCAN, Meter)"), JSON_OBJECT),
    "cluster": (ClusterDetailApi, "get", _("Ein Cluster mit seinen Rückmeldungen"), JSON_OBJECT),
    "grid": (GridApi, "get", _("Raster- oder Sechseckzellen"), GEOJSON),
    "heatmap": (HeatmapApi, "get", _("Punkte der Heatmap"), JSON_OBJECT),
    "hotspots": (HotspotsApi, "get", _("Orte mit dem größten Zuwachs"), JSON_OBJECT),
    "weekly": (WeeklyChartApi, "get", _("Anzahl je Woche und Kategorie"), JSON_OBJECT),
    "categories": (CategoryChartApi, "get", _("Anzahl je Kategorie"), JSON_OBJECT),
    "duplicates": (DuplicatesApi, "get", _("Mögliche Duplikate"), JSON_OBJECT),
    "merge": (MergeApi, "post", _("Duplikat zusammenführen"), JSON_OBJECT),
    "export": (
        ExportApi,
        "get",
        _("Export als CSV, GeoJSON oder GeoPackage"),
        OpenApiResponse(response=OpenApiTypes.BINARY),
    ),
}


def _documented(op: str, owner: str) -> type[WorkspaceApi]:
    base, method, summary, response = _OPERATIONS[op]
    schema: dict[str, Any] = {
        "operation_id": f"workspace_{owner}_{op}",
        "summary": summary,
        "responses": {
            200: response,
            **ERRORS,
            **({409: ERROR_RESPONSE, 422: ERROR_RESPONSE} if method == "post" else {}),
        },
    }
    if method == "post":
        schema["request"] = MergeInput
    else:
        schema["parameters"] = [base.query_class]
    view = type(f"{owner.title()}{base.__name__}", (base,), {"__doc__": base.__doc__})
    return extend_schema_view(**{method: extend_schema(**schema)})(view)


AUTHORITY_VIEWS: dict[str, type[WorkspaceApi]] = {op: _documented(op, "authority") for op in _OPERATIONS}
PROCEDURE_VIEWS: dict[str, type[WorkspaceApi]] = {op: _documented(op, "procedure") for op in _OPERATIONS}
