"""API of the Mängelmelder: categories, photos, reports, support, flags and the staff's workflow."""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from abuse.services import throttle
from accounts.publication import request_person_key
from accounts.selectors import staff_scope
from config.api import parse_body, parse_query
from config.errors import BadRequest, Forbidden
from geo import crs as crs_module
from geo.api import ERROR_RESPONSE, GeoJSONRenderer, coordinates_from_query
from geo.bbox import parse_bbox
from geo.conf import configured_nrw_area
from geo.geojson import parse_geometry
from geo.selectors import stored_point, to_geos
from geo.validation import clean_geometry
from idempotency.services import fingerprint, run_once
from reports import selectors, services
from reports.models import Category, Photo, Report, ReportStatus

# --- Output ---------------------------------------------------------------------------------


def photo_urls(photo: Photo) -> dict[str, Any]:
    """Return where a photo and its thumbnail are served."""
    return {
        "id": str(photo.id),
        "url": reverse("reports-media:photo", kwargs={"pk": photo.id}),
        "thumbnail_url": reverse("reports-media:photo-thumbnail", kwargs={"pk": photo.id}),
        "width": photo.width,
        "height": photo.height,
    }


def lonlat(point: Point) -> list[float]:
    """Return a stored point as [lon, lat] with 7 decimals (about 1 cm)."""
    lon, lat = crs_module.transform_coords([point.coords], crs_module.STORAGE, crs_module.CRS84)[0]
    return [round(float(lon), 7), round(float(lat), 7)]


def report_feature(report: Report, *, history: bool = True) -> dict[str, Any]:
    """Return a report as a public GeoJSON Feature: nothing about who reported it."""
    properties: dict[str, Any] = {
        "id": report.pk,
        "url": reverse("reports:detail", kwargs={"pk": report.pk}),
        "category": {"code": report.category.code, "name": report.category.name},
        "authority": {"key": report.authority.key, "name": report.authority.name},
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "description": report.description,
        "answers": report.answers,
        "photos": [photo_urls(photo) for photo in report.photos.all()],
        "support_count": getattr(report, "support_count", None),
        "duplicate_of": report.duplicate_of_id,
        "created_at": report.created_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
    }
    if history:
        properties["history"] = [
            {
                "status": update.status,
                "status_label": str(update.get_status_display()),
                "note": update.note,
                "created_at": update.created_at.isoformat(),
            }
            for update in report.updates.all()
            if update.is_public
        ]
    return {
        "type": "Feature",
        "id": report.pk,
        "geometry": {"type": "Point", "coordinates": lonlat(report.location)},
        "properties": properties,
    }


def category_json(category: Category) -> dict[str, Any]:
    """Return a category with its questions, shaped like an Open311 service definition."""
    return {
        "code": category.code,
        "name": category.name,
        "description": category.description,
        "group": category.parent.name if category.parent else None,
        "authority": {"key": category.authority.key, "name": category.authority.name},
        "duplicate_radius_m": category.duplicate_radius_m,
        "questions": [
            {
                "code": question.code,
                "prompt": question.prompt,
                "help_text": question.help_text,
                "datatype": question.datatype,
                "required": question.required,
                "choices": question.choices,
            }
            for question in category.questions.all()
        ],
    }


FEATURE = {"type": "object", "description": "GeoJSON Feature (RFC 7946, lon/lat)"}
FEATURE_COLLECTION = {"type": "object", "description": "GeoJSON FeatureCollection (RFC 7946, lon/lat)"}


# --- Input ----------------------------------------------------------------------------------


class PointQuery(serializers.Serializer[Any]):
    lon = serializers.FloatField(required=False)
    lat = serializers.FloatField(required=False)
    x = serializers.FloatField(required=False)
    y = serializers.FloatField(required=False)
    crs = serializers.CharField(required=False, max_length=100)


def point_from_query(query: dict[str, Any]) -> Point:
    """Return the point a query names (lon/lat, or x/y with crs) in the storage CRS, validated."""
    return stored_point(*coordinates_from_query(query))


def point_from_geojson(data: Any, crs_text: str | None) -> Point:
    """Return a GeoJSON Point (lon/lat, or the named CRS) in the storage CRS, validated."""
    source = crs_module.parse_crs(crs_text)
    geometry = parse_geometry(data, max_vertices=1, allowed_types=["Point"])
    stored = clean_geometry(geometry, source, area=configured_nrw_area(), max_vertices=1)
    return to_geos(stored)  # type: ignore[return-value]


# --- Citizens -------------------------------------------------------------------------------


class CategoryListApi(APIView):
    """Return the categories a citizen can report in at a place, with their questions."""

    @extend_schema(
        operation_id="categories_at_place",
        summary=_("Kategorien an einem Ort"),
        parameters=[PointQuery],
        responses={200: OpenApiResponse(response={"type": "object"}), 400: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        point = point_from_query(parse_query(PointQuery, request))
        return Response({"results": [category_json(category) for category in selectors.categories_at(point)]})


class PhotoUploadApi(APIView):
    """Accept a photo: check it by content, re-encode it without metadata, suggest its EXIF position."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="photos_create",
        summary=_("Foto hochladen"),
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses={
            201: OpenApiResponse(response={"type": "object"}),
            400: ERROR_RESPONSE,
            413: ERROR_RESPONSE,
            415: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
            429: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request) -> Response:
        throttle(request, "photo_upload")
        upload = request.FILES.get("file")
        if upload is None:
            raise BadRequest(_("Bitte senden Sie das Foto im Formularfeld „file“."))
        uploaded = services.photo_upload(stream=cast(BinaryIO, upload))
        suggestion = uploaded.suggested_location
        body = {
            **photo_urls(uploaded.photo),
            "suggested_location": (
                {"type": "Point", "coordinates": [suggestion.lon, suggestion.lat]} if suggestion else None
            ),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class ReportCreateInput(serializers.Serializer[Any]):
    category = serializers.SlugField(max_length=64)
    description = serializers.CharField(max_length=4000, trim_whitespace=True)
    location = serializers.JSONField(help_text=_("GeoJSON Point, Länge/Breite (oder im CRS von crs)"))
    crs = serializers.CharField(required=False, max_length=100, help_text=_("CRS von location, z. B. EPSG:25832"))
    photos = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=20)
    answers = serializers.DictField(required=False, default=dict)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class ReportCreateApi(APIView):
    """Create a report; with an Idempotency-Key header a repeat answers the first answer and creates nothing."""

    parser_classes = [JSONParser]
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="reports_create",
        summary=_("Meldung erstellen"),
        request=ReportCreateInput,
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={
            201: OpenApiResponse(response=FEATURE),
            400: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
            429: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request) -> Response:
        throttle(request, "report_create")
        data = parse_body(ReportCreateInput, request)
        account = request.user.pk if request.user.is_authenticated else None

        def write() -> tuple[int, dict[str, Any]]:
            report = services.report_create(
                category_code=data["category"],
                location=point_from_geojson(data["location"], data.get("crs")),
                description=data["description"],
                answers=data["answers"],
                photo_ids=data["photos"],
                name=data["name"],
                email=data["email"],
                user=request.user,
                language=get_language() or "de",
            )
            feature = report_feature(selectors.report_get_for_reporter(report.pk))
            feature["properties"]["public"] = report.is_public
            feature["properties"]["confirmation_required"] = not report.is_public
            return status.HTTP_201_CREATED, feature

        outcome = run_once(
            scope="reports.create",
            key=request.headers.get("Idempotency-Key"),
            request_hash=fingerprint(account, request.data),
            write=write,
        )
        headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
        return Response(outcome.body, status=outcome.status_code, headers=headers)


class ReportListQuery(serializers.Serializer[Any]):
    bbox = serializers.CharField(required=False, max_length=200)
    bbox_crs = serializers.CharField(required=False, max_length=100)
    category = serializers.ListField(child=serializers.SlugField(max_length=64), required=False)
    status = serializers.ListField(child=serializers.ChoiceField(choices=ReportStatus.values), required=False)
    authority = serializers.RegexField(r"^\d{2,8}$", required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=200)
    before = serializers.IntegerField(required=False, min_value=1, help_text=_("nur Meldungen mit kleinerer id"))


class ReportListApi(APIView):
    """Return public reports as GeoJSON, newest first, filtered by bbox, category, status and authority."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="reports_list",
        summary=_("Öffentliche Meldungen (GeoJSON)"),
        parameters=[
            OpenApiParameter("bbox", OpenApiTypes.STR),
            OpenApiParameter("bbox-crs", OpenApiTypes.STR),
            OpenApiParameter("category", OpenApiTypes.STR, many=True),
            OpenApiParameter("status", OpenApiTypes.STR, many=True, enum=ReportStatus.values),
            OpenApiParameter("authority", OpenApiTypes.STR),
            OpenApiParameter("limit", OpenApiTypes.INT),
            OpenApiParameter("before", OpenApiTypes.INT),
        ],
        responses={200: OpenApiResponse(response=FEATURE_COLLECTION), 400: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(ReportListQuery, request, renames={"bbox_crs": "bbox-crs"})
        area = None
        if "bbox" in query:
            area = to_geos(parse_bbox(query["bbox"], crs_module.parse_crs(query.get("bbox_crs"))))
        reports = selectors.report_list_public(
            area=area,
            category_codes=[c for value in query.get("category", []) for c in value.split(",") if c],
            statuses=query.get("status"),
            authority_key=query.get("authority"),
        ).order_by("-id")
        if "before" in query:
            reports = reports.filter(id__lt=query["before"])
        page = list(reports[: query["limit"] + 1])
        features = [report_feature(report, history=False) for report in page[: query["limit"]]]
        body: dict[str, Any] = {"type": "FeatureCollection", "numberReturned": len(features), "features": features}
        if len(page) > query["limit"]:
            params = request.query_params.copy()
            params["before"] = str(page[query["limit"] - 1].pk)
            body["links"] = [{"rel": "next", "href": f"{request.path}?{params.urlencode()}"}]
        return Response(body)


class ReportCollectionApi(ReportListApi, ReportCreateApi):
    """GET lists public reports, POST creates one: two operations on one URL, each with its own view code."""

    parser_classes = [JSONParser]


class ReportDetailApi(APIView):
    """Return one public report with its photos and history."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="reports_retrieve",
        summary=_("Eine Meldung"),
        responses={200: OpenApiResponse(response=FEATURE), 404: ERROR_RESPONSE},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(report_feature(selectors.report_get_public(pk)))


class DuplicateQuery(PointQuery):
    category = serializers.SlugField(max_length=64)


class DuplicateListApi(APIView):
    """Return open reports of the same category near a place, to support instead of reporting again."""

    @extend_schema(
        operation_id="reports_duplicates",
        summary=_("Ähnliche Meldungen in der Nähe"),
        parameters=[DuplicateQuery],
        responses={200: OpenApiResponse(response={"type": "object"}), 400: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(DuplicateQuery, request)
        point = point_from_query(query)
        results = []
        for report in selectors.duplicate_candidates(query["category"], point):
            photo = next(iter(report.photos.all()), None)
            results.append(
                {
                    "id": report.pk,
                    "url": reverse("reports:detail", kwargs={"pk": report.pk}),
                    "status": report.status,
                    "status_label": str(report.get_status_display()),
                    "description": report.description[:200],
                    "distance_m": round(report.distance.m, 1),  # type: ignore[attr-defined]
                    "support_count": report.support_count,  # type: ignore[attr-defined]
                    "thumbnail_url": photo_urls(photo)["thumbnail_url"] if photo else None,
                    "location": {"type": "Point", "coordinates": lonlat(report.location)},
                    "created_at": report.created_at.isoformat(),
                }
            )
        return Response({"results": results})


class ReportSupportApi(APIView):
    """Say "me too" for a report; counted once per person."""

    @extend_schema(
        operation_id="reports_support",
        summary=_("Meldung unterstützen"),
        request=None,
        responses={
            200: inline_serializer(
                "Support",
                {
                    "supported": serializers.BooleanField(),
                    "new": serializers.BooleanField(
                        help_text=_("false, wenn Sie die Meldung schon unterstützt hatten")
                    ),
                    "support_count": serializers.IntegerField(),
                },
            ),
            404: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        report = selectors.report_get_public(pk)
        created = services.report_support(report=report, supporter_key=request_person_key(request))
        count = report.supports.count()
        return Response({"supported": True, "new": created, "support_count": count})


class FlagInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=1000, trim_whitespace=True)


class ReportFlagApi(APIView):
    """Tell the moderators that a report is abusive."""

    @extend_schema(
        operation_id="reports_flag",
        summary=_("Missbrauch melden"),
        request=FlagInput,
        responses={
            201: OpenApiResponse(response={"type": "object"}),
            404: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
            429: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        throttle(request, "flag")
        body = parse_body(FlagInput, request)
        report = selectors.report_get_public(pk)
        services.report_flag(report=report, flagger_key=request_person_key(request), reason=body["reason"])
        return Response({"flagged": True}, status=status.HTTP_201_CREATED)


# --- Staff ----------------------------------------------------------------------------------


def staff_report_json(report: Report) -> dict[str, Any]:
    """Return a report for its authority's staff: with the reporter's contact and the internal history."""
    feature = report_feature(report, history=False)
    feature["properties"].update(
        {
            "reporter": {"name": report.reporter_name, "email": report.reporter_email},
            "public": report.is_public,
            "hidden_reason": report.hidden_reason,
            "flags": [
                {"reason": flag.reason, "created_at": flag.created_at.isoformat()} for flag in report.flags.all()
            ],
            "history": [
                {
                    "status": update.status,
                    "note": update.note,
                    "public": update.is_public,
                    "created_at": update.created_at.isoformat(),
                }
                for update in report.updates.all()
            ],
        }
    )
    return feature


class StaffReportListQuery(serializers.Serializer[Any]):
    status = serializers.ListField(child=serializers.ChoiceField(choices=ReportStatus.values), required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=200)


class StaffReportListApi(APIView):
    """Return the reports of the authorities the user works for (all for Land administrators)."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="staff_reports_list",
        summary=_("Meldungen der eigenen Behörde"),
        parameters=[StaffReportListQuery],
        responses={200: OpenApiResponse(response=FEATURE_COLLECTION), 403: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(StaffReportListQuery, request)
        scope = staff_scope(request.user)
        if not scope.is_staff:
            raise Forbidden()
        reports = selectors.report_list_for_staff(scope, statuses=query.get("status"))[: query["limit"]]
        features = [report_feature(report, history=False) for report in reports]
        return Response({"type": "FeatureCollection", "numberReturned": len(features), "features": features})


class StaffReportDetailApi(APIView):
    """Return one report of the user's authority with the reporter's contact and the internal history."""

    @extend_schema(
        operation_id="staff_reports_retrieve",
        summary=_("Meldung (Bearbeitung)"),
        responses={200: OpenApiResponse(response=FEATURE), 404: ERROR_RESPONSE},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(staff_report_json(selectors.report_get_for_staff(staff_scope(request.user), pk)))


class StatusInput(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ReportStatus.values)
    note = serializers.CharField(max_length=4000, allow_blank=True, default="")
    public = serializers.BooleanField(default=True)
    duplicate_of = serializers.IntegerField(required=False, min_value=1)


class StaffReportStatusApi(APIView):
    """Change a report's status with a note; the reporter is told by e-mail."""

    @extend_schema(
        operation_id="staff_reports_status",
        summary=_("Status ändern"),
        request=StatusInput,
        responses={
            200: OpenApiResponse(response=FEATURE),
            403: ERROR_RESPONSE,
            404: ERROR_RESPONSE,
            409: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse_body(StatusInput, request)
        services.report_change_status(
            user=request.user,
            report_id=pk,
            status=data["status"],
            note=data["note"],
            public=data["public"],
            duplicate_of=data.get("duplicate_of"),
        )
        return Response(staff_report_json(selectors.report_get_for_staff(staff_scope(request.user), pk)))


class HideInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


class StaffReportHideApi(APIView):
    """Hide a report from the public, with a reason."""

    @extend_schema(
        operation_id="staff_reports_hide",
        summary=_("Meldung verbergen"),
        request=HideInput,
        responses={200: OpenApiResponse(response=FEATURE), 403: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    def post(self, request: Request, pk: int) -> Response:
        body = parse_body(HideInput, request)
        services.report_hide(user=request.user, report_id=pk, reason=body["reason"])
        return Response(staff_report_json(selectors.report_get_for_staff(staff_scope(request.user), pk)))


class StaffReportUnhideApi(APIView):
    """Show a hidden report again."""

    @extend_schema(
        operation_id="staff_reports_unhide",
        summary=_("Meldung wieder zeigen"),
        request=None,
        responses={200: OpenApiResponse(response=FEATURE), 403: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.report_unhide(user=request.user, report_id=pk)
        return Response(staff_report_json(selectors.report_get_for_staff(staff_scope(request.user), pk)))
