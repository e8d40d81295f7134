"""API of participation procedures: procedures and contributions as GeoJSON, support, flags and moderation."""

from __future__ import annotations

import json
import posixpath
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
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
from geo.api import CRS_CHOICES, ERROR_RESPONSE, OUTPUT_CRS_PARAMETER, GeoJSONRenderer, content_crs_headers
from geo.bbox import parse_bbox
from geo.selectors import to_geos
from idempotency.services import fingerprint, run_once
from procedures import selectors, services
from procedures.markdown import render_markdown
from procedures.models import (
    Contribution,
    GeometryKind,
    Procedure,
    ProcedureDocument,
    ProcedureKind,
    ProcedureStatus,
)
from procedures.notifications import contribution_link

# One rule for "me too" and flags across the portal: a keyed hash of the account or browser session.
from reports.api import FEATURE, FEATURE_COLLECTION

# --- Output ---------------------------------------------------------------------------------

_GEOMETRY_KINDS = {
    "ST_Point": GeometryKind.POINT,
    "ST_LineString": GeometryKind.LINE,
    "ST_Polygon": GeometryKind.POLYGON,
}


def _geometry(geojson: str | None) -> Any:
    # The GeoJSON text was built by PostGIS; parsed here only to be embedded in the answer.
    return json.loads(geojson) if geojson else None


def procedure_properties(procedure: Procedure) -> dict[str, Any]:
    """Return what anyone may know of a procedure in a list: no description, no documents."""
    current_status = ProcedureStatus(getattr(procedure, "current_status", None) or procedure.status)
    return {
        "slug": procedure.slug,
        "title": procedure.title,
        "summary": procedure.summary,
        "kind": procedure.kind,
        "kind_label": str(procedure.get_kind_display()),
        "status": current_status.value,
        "status_label": str(current_status.label),
        "starts_at": procedure.starts_at.isoformat(),
        "ends_at": procedure.ends_at.isoformat(),
        "authority": {"key": procedure.authority.key, "name": procedure.authority.name},
        "contribution_count": getattr(procedure, "contribution_count", None),
        "allowed_geometries": list(procedure.allowed_geometries),
        "area_attribution": procedure.area_attribution,
        "url": reverse("procedures:detail", kwargs={"slug": procedure.slug}),
        "embed_url": reverse("layers:embed-procedure", kwargs={"slug": procedure.slug}),
        "center": [round(procedure.center_lon, 7), round(procedure.center_lat, 7)],  # type: ignore[attr-defined]
    }


def procedure_feature(procedure: Procedure) -> dict[str, Any]:
    """Return a procedure as a GeoJSON Feature of its area; the geometry was built by PostGIS."""
    return {
        "type": "Feature",
        "id": procedure.slug,
        "geometry": _geometry(procedure.area_geojson),  # type: ignore[attr-defined]
        "properties": procedure_properties(procedure),
    }


def _document_size(document: ProcedureDocument) -> int | None:
    try:
        return int(document.file.size)
    except OSError:
        # A file lost from storage must not hide the whole procedure.
        return None


def document_json(document: ProcedureDocument) -> dict[str, Any]:
    """Return a document's title, address and size in bytes."""
    return {
        "title": document.title,
        "url": reverse(
            "procedures-media:document",
            kwargs={"pk": document.pk, "filename": posixpath.basename(document.file.name or "")},
        ),
        "size": _document_size(document),
    }


def procedure_detail_feature(procedure: Procedure) -> dict[str, Any]:
    """Return a procedure with everything its page shows: description, contact, documents, limits, map."""
    feature = procedure_feature(procedure)
    feature["properties"].update(
        {
            "description": procedure.description,
            "description_html": str(render_markdown(procedure.description)),
            "contact": {
                "name": procedure.contact_name,
                "email": procedure.contact_email,
                "phone": procedure.contact_phone,
            },
            "documents": [document_json(document) for document in procedure.documents.all()],
            "limits": {
                "max_vertices": procedure.max_vertices,
                "max_length_m": procedure.max_length_m,
                "max_area_m2": procedure.max_area_m2,
            },
            "geometry_required": procedure.geometry_required,
            "map": {
                "extent": [round(value, 7) for value in selectors.procedure_extent(procedure)],
                "basemap": procedure.basemap,
                "overlays": list(procedure.overlays),
            },
            "contributions_url": reverse("procedures-api:procedure-contributions", kwargs={"slug": procedure.slug}),
        }
    )
    return feature


def contribution_feature(contribution: Contribution) -> dict[str, Any]:
    """Return a contribution as a public GeoJSON Feature: nothing about who wrote it."""
    kind = _GEOMETRY_KINDS.get(getattr(contribution, "geometry_type", None) or "")
    return {
        "type": "Feature",
        "id": contribution.pk,
        "geometry": _geometry(getattr(contribution, "geometry_geojson", None)),
        "properties": {
            "id": contribution.pk,
            "procedure": contribution.procedure.slug,
            "text": contribution.text,
            "geometry_kind": kind.value if kind else None,
            "support_count": getattr(contribution, "support_count", None),
            "replies": [
                {"text": reply.text, "created_at": reply.created_at.isoformat()} for reply in contribution.replies.all()
            ],
            "created_at": contribution.created_at.isoformat(),
            "url": contribution_link(contribution),
        },
    }


def staff_contribution_json(contribution: Contribution) -> dict[str, Any]:
    """Return a contribution for its authority's staff: with its author's contact and the moderation state."""
    feature = contribution_feature(contribution)
    feature["properties"].update(
        {
            "author": {"name": contribution.author_name, "email": contribution.author_email},
            "public": contribution.is_public,
            "confirmed": contribution.confirmed_at is not None,
            "hidden_reason": contribution.hidden_reason,
            "flags": [
                {
                    "reason": flag.reason,
                    "created_at": flag.created_at.isoformat(),
                    "handled": flag.handled_at is not None,
                }
                for flag in contribution.flags.all()
            ],
        }
    )
    return feature


def _split_choices(values: list[str], choices: list[str], message: Any) -> list[str]:
    """Return the values of a repeatable, comma-separated parameter, or raise naming the unknown ones."""
    parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [part for part in parts if part not in choices]
    if unknown:
        raise serializers.ValidationError(
            message % {"unknown": ", ".join(part[:40] for part in unknown[:5]), "choices": ", ".join(choices)}
        )
    return parts


# --- Procedures -------------------------------------------------------------------------------


class ProcedureListQuery(serializers.Serializer[Any]):
    bbox = serializers.CharField(required=False, max_length=200)
    bbox_crs = serializers.CharField(required=False, max_length=100)
    authority = serializers.RegexField(r"^\d{2,8}$", required=False)
    kind = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    status = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    q = serializers.CharField(required=False, max_length=200)
    crs = serializers.CharField(required=False, max_length=100)
    simplify = serializers.FloatField(required=False, min_value=0, max_value=1000)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=500)

    def validate_kind(self, values: list[str]) -> list[str]:
        return _split_choices(
            values, ProcedureKind.values, _("Unbekannte Art: %(unknown)s. Möglich sind: %(choices)s.")
        )

    def validate_status(self, values: list[str]) -> list[str]:
        return _split_choices(
            values, ProcedureStatus.values, _("Unbekannter Status: %(unknown)s. Möglich sind: %(choices)s.")
        )


class ProcedureListApi(APIView):
    """Return published procedures as GeoJSON, running first, filtered by place, authority, kind, status and text."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="procedures_list",
        summary=_("Beteiligungsverfahren (GeoJSON)"),
        description=_(
            "Veröffentlichte Verfahren mit ihrem Gebiet: laufende zuerst (was am frühesten endet, vorn), "
            "dann geplante, dann beendete (zuletzt beendete vorn)."
        ),
        parameters=[
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy"),
            OpenApiParameter("bbox-crs", OpenApiTypes.STR, description=CRS_CHOICES),
            OpenApiParameter(
                "authority",
                OpenApiTypes.STR,
                description=_("Amtlicher Schlüssel (2–8 Ziffern); ein Kreis umfasst seine Gemeinden"),
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                many=True,
                enum=ProcedureKind.values,
                explode=True,
                description=_("Art(en), wiederholbar oder mit Komma getrennt"),
            ),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                many=True,
                enum=ProcedureStatus.values,
                explode=True,
                description=_("Status, wiederholbar oder mit Komma getrennt"),
            ),
            OpenApiParameter("q", OpenApiTypes.STR, description=_("Suchtext (Titel, Beschreibung, Behörde)")),
            OUTPUT_CRS_PARAMETER,
            OpenApiParameter(
                "simplify",
                OpenApiTypes.NUMBER,
                description=_("Gebiete vereinfachen, Toleranz in Metern (0 bis 1000), für Übersichtskarten"),
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, description=_("Höchstzahl (1 bis 1000, Standard 500)")),
        ],
        responses={200: OpenApiResponse(response=FEATURE_COLLECTION), 400: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(ProcedureListQuery, request, renames={"bbox_crs": "bbox-crs"})
        output_crs = crs_module.parse_crs(query.get("crs"))
        area = None
        if "bbox" in query:
            area = to_geos(parse_bbox(query["bbox"], crs_module.parse_crs(query.get("bbox_crs"))))
        elif "bbox_crs" in query:
            raise BadRequest(_("bbox-crs ist nur zusammen mit bbox sinnvoll."))
        procedures = selectors.procedure_list_public(
            area=area,
            authority_key=query.get("authority"),
            kinds=query.get("kind", []),
            statuses=query.get("status", []),
            text=query.get("q"),
        )
        procedures = selectors.with_geojson(procedures, output_crs, simplify_m=query.get("simplify"))
        features = [procedure_feature(procedure) for procedure in procedures[: query["limit"]]]
        body = {"type": "FeatureCollection", "numberReturned": len(features), "features": features}
        return Response(body, headers=content_crs_headers(output_crs))


class ProcedureDetailQuery(serializers.Serializer[Any]):
    crs = serializers.CharField(required=False, max_length=100)


class ProcedureDetailApi(APIView):
    """Return one procedure with its description, documents, limits and map settings."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="procedures_retrieve",
        summary=_("Ein Beteiligungsverfahren (GeoJSON)"),
        parameters=[OUTPUT_CRS_PARAMETER],
        responses={200: OpenApiResponse(response=FEATURE), 400: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    def get(self, request: Request, slug: str) -> Response:
        query = parse_query(ProcedureDetailQuery, request)
        output_crs = crs_module.parse_crs(query.get("crs"))
        procedure = selectors.procedure_get_public_geojson(slug, user=request.user, crs=output_crs)
        return Response(procedure_detail_feature(procedure), headers=content_crs_headers(output_crs))


# --- Contributions ----------------------------------------------------------------------------


class ContributionListQuery(serializers.Serializer[Any]):
    bbox = serializers.CharField(required=False, max_length=200)
    bbox_crs = serializers.CharField(required=False, max_length=100)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=200)
    before = serializers.IntegerField(required=False, min_value=1)


class ContributionListApi(APIView):
    """Return a procedure's public contributions as GeoJSON, newest first; text-only ones without geometry."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="procedures_contributions_list",
        summary=_("Öffentliche Beiträge zu einem Verfahren (GeoJSON)"),
        parameters=[
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy"),
            OpenApiParameter("bbox-crs", OpenApiTypes.STR, description=CRS_CHOICES),
            OpenApiParameter("limit", OpenApiTypes.INT, description=_("Höchstzahl (1 bis 1000, Standard 200)")),
            OpenApiParameter("before", OpenApiTypes.INT, description=_("nur Beiträge mit kleinerer id")),
        ],
        responses={200: OpenApiResponse(response=FEATURE_COLLECTION), 400: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    def get(self, request: Request, slug: str) -> Response:
        query = parse_query(ContributionListQuery, request, renames={"bbox_crs": "bbox-crs"})
        area = None
        if "bbox" in query:
            area = to_geos(parse_bbox(query["bbox"], crs_module.parse_crs(query.get("bbox_crs"))))
        elif "bbox_crs" in query:
            raise BadRequest(_("bbox-crs ist nur zusammen mit bbox sinnvoll."))
        procedure = selectors.procedure_get_public(slug, user=request.user)
        # Newest first by id, so that "before" pages without gaps or repeats.
        contributions = selectors.contribution_list_public(procedure, area=area).defer("geometry").order_by("-id")
        if "before" in query:
            contributions = contributions.filter(id__lt=query["before"])
        limit = query["limit"]
        page = list(contributions[: limit + 1])
        features = [contribution_feature(contribution) for contribution in page[:limit]]
        body: dict[str, Any] = {"type": "FeatureCollection", "numberReturned": len(features), "features": features}
        if len(page) > limit:
            params = request.query_params.copy()
            params["before"] = str(page[limit - 1].pk)
            body["links"] = [{"rel": "next", "href": f"{request.path}?{params.urlencode()}"}]
        return Response(body, headers=content_crs_headers(crs_module.CRS84))


class ContributionCreateInput(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, trim_whitespace=True)
    geometry = serializers.JSONField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("GeoJSON Point, LineString oder Polygon in Länge/Breite (oder im CRS von crs), oder null"),
    )
    crs = serializers.CharField(required=False, max_length=100, help_text=_("CRS von geometry, z. B. EPSG:25832"))
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class ContributionCreateApi(APIView):
    """Contribute to a running procedure; with an Idempotency-Key header a repeat answers the first answer."""

    parser_classes = [JSONParser]
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="procedures_contributions_create",
        summary=_("Beitrag zu einem Verfahren schreiben"),
        description=_(
            "Nur während das Verfahren läuft (sonst 409). Ohne Benutzerkonto wird der Beitrag erst öffentlich, "
            "wenn der Link in der Bestätigungs-E-Mail geöffnet wird; Name und E-Mail werden nie veröffentlicht."
        ),
        request=ContributionCreateInput,
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={
            201: OpenApiResponse(response=FEATURE),
            400: ERROR_RESPONSE,
            404: ERROR_RESPONSE,
            409: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
            429: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        throttle(request, "contribution_create")
        data = parse_body(ContributionCreateInput, request)
        procedure = selectors.procedure_get_public(slug, user=request.user)
        account = request.user.pk if request.user.is_authenticated else None

        def write() -> tuple[int, dict[str, Any]]:
            # A closed procedure says so before anything about the place is checked.
            services.procedure_check_open(procedure)
            geometry = None
            if data["geometry"] is not None:
                geometry = services.contribution_geometry(procedure, data["geometry"], data.get("crs"))
            contribution = services.contribution_create(
                procedure=procedure,
                text=data["text"],
                geometry=geometry,
                name=data["name"],
                email=data["email"],
                user=request.user,
                language=get_language() or "de",
            )
            feature = contribution_feature(selectors.contribution_get_for_author(contribution.pk))
            feature["properties"]["public"] = contribution.is_public
            feature["properties"]["confirmation_required"] = not contribution.is_public
            return status.HTTP_201_CREATED, feature

        outcome = run_once(
            scope="procedures.contributions.create",
            key=request.headers.get("Idempotency-Key"),
            request_hash=fingerprint(account, slug, request.data),
            write=write,
        )
        headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
        return Response(outcome.body, status=outcome.status_code, headers=headers)


class ContributionCollectionApi(ContributionListApi, ContributionCreateApi):
    """GET lists a procedure's public contributions, POST adds one: two operations on one URL."""

    parser_classes = [JSONParser]


class ContributionDetailApi(APIView):
    """Return one public contribution with the authority's replies."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="contributions_retrieve",
        summary=_("Ein Beitrag"),
        responses={200: OpenApiResponse(response=FEATURE), 404: ERROR_RESPONSE},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(contribution_feature(selectors.contribution_get_public(pk)))


class ContributionSupportApi(APIView):
    """Support a contribution while its procedure runs; counted once per person."""

    @extend_schema(
        operation_id="contributions_support",
        summary=_("Beitrag unterstützen"),
        request=None,
        responses={
            200: inline_serializer(
                "ContributionSupport",
                {
                    "supported": serializers.BooleanField(),
                    "new": serializers.BooleanField(
                        help_text=_("false, wenn Sie den Beitrag schon unterstützt hatten")
                    ),
                    "support_count": serializers.IntegerField(),
                },
            ),
            404: ERROR_RESPONSE,
            409: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        contribution = selectors.contribution_get_public(pk)
        created = services.contribution_support(contribution=contribution, supporter_key=request_person_key(request))
        count = contribution.supports.count()
        return Response({"supported": True, "new": created, "support_count": count})


class ContributionFlagInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=1000, trim_whitespace=True)


class ContributionFlagApi(APIView):
    """Tell the moderators that a contribution is abusive."""

    @extend_schema(
        operation_id="contributions_flag",
        summary=_("Missbrauch eines Beitrags melden"),
        request=ContributionFlagInput,
        responses={
            201: OpenApiResponse(response={"type": "object"}),
            404: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
            429: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        throttle(request, "flag")
        body = parse_body(ContributionFlagInput, request)
        contribution = selectors.contribution_get_public(pk)
        services.contribution_flag(
            contribution=contribution,
            flagger_key=request_person_key(request),
            reason=body["reason"],
        )
        return Response({"flagged": True}, status=status.HTTP_201_CREATED)


# --- Staff ----------------------------------------------------------------------------------


class StaffContributionListQuery(serializers.Serializer[Any]):
    procedure = serializers.SlugField(required=False, max_length=80)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=200)


class StaffContributionListApi(APIView):
    """Return the contributions to the user's authorities' procedures, hidden and unconfirmed ones included."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="staff_contributions_list",
        summary=_("Beiträge zu Verfahren der eigenen Behörde"),
        parameters=[
            OpenApiParameter("procedure", OpenApiTypes.STR, description=_("Kurzname eines Verfahrens")),
            OpenApiParameter("limit", OpenApiTypes.INT, description=_("Höchstzahl (1 bis 1000, Standard 200)")),
        ],
        responses={
            200: OpenApiResponse(response=FEATURE_COLLECTION),
            400: ERROR_RESPONSE,
            403: ERROR_RESPONSE,
            404: ERROR_RESPONSE,
        },
    )
    def get(self, request: Request) -> Response:
        query = parse_query(StaffContributionListQuery, request)
        scope = staff_scope(request.user)
        if not scope.is_staff:
            raise Forbidden()
        procedure = selectors.procedure_get_for_staff(scope, query["procedure"]) if "procedure" in query else None
        contributions = selectors.contribution_list_for_staff(scope, procedure=procedure)[: query["limit"]]
        features = [staff_contribution_json(contribution) for contribution in contributions]
        return Response({"type": "FeatureCollection", "numberReturned": len(features), "features": features})


class ReplyInput(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, trim_whitespace=True)


class StaffContributionReplyApi(APIView):
    """Answer a contribution publicly; its author hears of it by e-mail."""

    @extend_schema(
        operation_id="staff_contributions_reply",
        summary=_("Beitrag beantworten"),
        request=ReplyInput,
        responses={
            201: OpenApiResponse(response=FEATURE),
            403: ERROR_RESPONSE,
            404: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        body = parse_body(ReplyInput, request)
        services.contribution_reply(user=request.user, contribution_id=pk, text=body["text"])
        contribution = selectors.contribution_get_for_staff(staff_scope(request.user), pk)
        return Response(staff_contribution_json(contribution), status=status.HTTP_201_CREATED)


class ContributionHideInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, allow_blank=True, trim_whitespace=True)


class StaffContributionHideApi(APIView):
    """Hide a contribution from the public, with a reason."""

    @extend_schema(
        operation_id="staff_contributions_hide",
        summary=_("Beitrag verbergen"),
        request=ContributionHideInput,
        responses={
            200: OpenApiResponse(response=FEATURE),
            403: ERROR_RESPONSE,
            404: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        body = parse_body(ContributionHideInput, request)
        services.contribution_hide(user=request.user, contribution_id=pk, reason=body["reason"])
        contribution = selectors.contribution_get_for_staff(staff_scope(request.user), pk)
        return Response(staff_contribution_json(contribution))


class StaffContributionUnhideApi(APIView):
    """Show a hidden contribution again."""

    @extend_schema(
        operation_id="staff_contributions_unhide",
        summary=_("Beitrag wieder zeigen"),
        request=None,
        responses={200: OpenApiResponse(response=FEATURE), 403: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.contribution_unhide(user=request.user, contribution_id=pk)
        contribution = selectors.contribution_get_for_staff(staff_scope(request.user), pk)
        return Response(staff_contribution_json(contribution))
