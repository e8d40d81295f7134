"""Open311 GeoReport v2: thin views over the Mängelmelder's selectors and services.

Every answer and every error comes in the format the path names (.json or .xml); errors have the
spec's shape, `[{"code": <HTTP status>, "description": "..."}]`, in the request's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from abuse.services import throttle
from config.api import parse_body, parse_query
from config.exception_handler import api_exception_handler
from geo import crs as crs_module
from geo.bbox import parse_bbox
from geo.selectors import stored_point, to_geos
from idempotency.services import fingerprint, run_once
from reports import selectors as report_selectors
from reports.open311 import formats, selectors, services
from reports.open311.errors import LocationRequired, MediaNotAccepted, UnknownJurisdiction

JURISDICTION = "nrw"
CHANGESET = "2026-01-01T00:00:00+01:00"
_ATTRIBUTE = re.compile(r"^attribute\[([-\w]+)\](\[\])?$")


def _check_jurisdiction(value: str | None) -> None:
    if value not in (None, "", JURISDICTION):
        raise UnknownJurisdiction(jurisdiction=str(value)[:64])


def open311_exception_handler(exc: Exception, context: Mapping[str, Any]) -> HttpResponse | None:
    """Answer an error in the spec's shape and the path's format; our 422s are the spec's 400s."""
    response = api_exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = response.data or {}
    status = response.status_code
    if status == 422:
        status = 404 if body.get("code") == "unknown_category" else 400
    descriptions = [str(body.get("message", ""))]
    answers = (body.get("details") or {}).get("answers") or {}
    descriptions += [f"attribute[{code}]: {' '.join(map(str, problems))}" for code, problems in answers.items()]
    fmt = context["kwargs"].get("fmt", "json")
    errors = formats.errors(descriptions, status=status, fmt=fmt if fmt in formats.FORMATS else "json")
    for header in ("Retry-After", "Allow"):
        if header in response:
            errors[header] = response[header]
    return errors


class _FormatInPath(BaseContentNegotiation):
    """Let the path's suffix choose the format, whatever the Accept header says."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


class Open311View(APIView):
    """Base of the Open311 views: no sessions (clients carry an api_key), form bodies, Open311 errors."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _FormatInPath

    def get_exception_handler(self) -> Any:
        return open311_exception_handler


class JurisdictionQuery(serializers.Serializer[Any]):
    jurisdiction_id = serializers.CharField(required=False, allow_blank=True, max_length=100)


class DiscoveryApi(Open311View):
    """Describe this Open311 endpoint."""

    @extend_schema(exclude=True)
    def get(self, request: Request, fmt: str) -> HttpResponse:
        parse_query(JurisdictionQuery, request)
        body = formats.discovery_json(
            request,
            changeset=CHANGESET,
            contact=str(_("Fragen zur Schnittstelle: %(email)s") % {"email": settings.DEFAULT_FROM_EMAIL}),
            key_service=str(_("Einen api_key erhalten Anwendungen auf Anfrage beim Betrieb der Beteiligungskarte.")),
        )
        return formats.render(body, root="discovery", fmt=fmt)


class ServiceListQuery(JurisdictionQuery):
    lat = serializers.FloatField(required=False)
    long = serializers.FloatField(required=False)


class ServiceListApi(Open311View):
    """List the services: every category code offered anywhere, or those offered at lat/long."""

    @extend_schema(exclude=True)
    def get(self, request: Request, fmt: str) -> HttpResponse:
        query = parse_query(ServiceListQuery, request)
        _check_jurisdiction(query.get("jurisdiction_id"))
        if ("lat" in query) != ("long" in query):
            raise LocationRequired()
        point = stored_point(query["long"], query["lat"]) if "lat" in query else None
        services_ = [formats.service_json(category) for category in selectors.service_list(point)]
        return formats.render(services_, root="services", fmt=fmt)


class ServiceDefinitionApi(Open311View):
    """Describe a service's attributes: its category's questions."""

    @extend_schema(exclude=True)
    def get(self, request: Request, service_code: str, fmt: str) -> HttpResponse:
        query = parse_query(JurisdictionQuery, request)
        _check_jurisdiction(query.get("jurisdiction_id"))
        definition = formats.service_definition_json(selectors.service_get(service_code))
        return formats.render(definition, root="service_definition", fmt=fmt)


class RequestListQuery(JurisdictionQuery):
    service_request_id = serializers.RegexField(r"^\d{1,12}(,\d{1,12})*$", required=False, max_length=2000)
    service_code = serializers.RegexField(r"^[-\w]+(,[-\w]+)*$", required=False, max_length=1000)
    start_date = serializers.DateTimeField(required=False)
    end_date = serializers.DateTimeField(required=False)
    status = serializers.RegexField(r"^(open|closed)(,(open|closed))*$", required=False)
    bbox = serializers.CharField(required=False, max_length=200)
    lat = serializers.FloatField(required=False)
    long = serializers.FloatField(required=False)
    radius = serializers.FloatField(required=False, min_value=1, max_value=50_000)


class RequestCreateInput(serializers.Serializer[Any]):
    service_code = serializers.SlugField(max_length=64)
    lat = serializers.FloatField()
    long = serializers.FloatField()
    description = serializers.CharField(max_length=4000, trim_whitespace=True)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    first_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=59)
    last_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


def _answers(data: Mapping[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if match:
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            existing = answers.get(match.group(1), [])
            merged = (existing if isinstance(existing, list) else [existing]) + list(values)
            answers[match.group(1)] = merged if len(merged) > 1 or match.group(2) else merged[0]
    return answers


class RequestCollectionApi(Open311View):
    """GET lists public requests by the spec's filters, bbox and lat/long/radius; POST creates one with an api_key."""

    @extend_schema(exclude=True)
    def get(self, request: Request, fmt: str) -> HttpResponse:
        query = parse_query(RequestListQuery, request)
        _check_jurisdiction(query.get("jurisdiction_id"))
        area = to_geos(parse_bbox(query["bbox"], crs_module.CRS84)) if "bbox" in query else None
        near = None
        if "lat" in query or "long" in query or "radius" in query:
            if "lat" not in query or "long" not in query:
                raise LocationRequired()
            near = (stored_point(query["long"], query["lat"]), query.get("radius", 1000.0))
        statuses = set(query.get("status", "").split(",")) - {""}
        reports = selectors.request_list(
            ids=[int(pk) for pk in query.get("service_request_id", "").split(",") if pk],
            service_codes=[code for code in query.get("service_code", "").split(",") if code],
            start=query.get("start_date"),
            end=query.get("end_date"),
            closed=None if len(statuses) != 1 else statuses == {"closed"},
            area=area,
            near=near,
        )
        return formats.render(
            [formats.request_json(report, request) for report in reports], root="service_requests", fmt=fmt
        )

    @extend_schema(exclude=True)
    def post(self, request: Request, fmt: str) -> HttpResponse:
        throttle(request, "open311_create")
        client = services.open311_client_authenticate(request.data.get("api_key"))
        _check_jurisdiction(request.data.get("jurisdiction_id"))
        if request.data.get("media_url"):
            raise MediaNotAccepted()
        if not request.data.get("lat") or not request.data.get("long"):
            raise LocationRequired()
        data = parse_body(RequestCreateInput, request)
        answers = _answers(request.data)
        location = stored_point(data["long"], data["lat"])

        def write() -> tuple[int, dict[str, Any]]:
            submission = services.open311_request_create(
                client=client,
                category_code=data["service_code"],
                location=location,
                description=data["description"],
                answers=answers,
                name=f"{data['first_name']} {data['last_name']}".strip(),
                email=data["email"],
                language=get_language() or "de",
            )
            notice = "" if submission.report.is_public else str(_NOTICE_UNCONFIRMED)
            return 200, {"requests": [formats.created_json(submission, notice)]}

        outcome = run_once(
            scope="open311.requests.create",
            key=request.headers.get("Idempotency-Key"),
            request_hash=fingerprint(client.pk, sorted(request.POST.lists())),
            write=write,
        )
        return formats.render(outcome.body["requests"], root="service_requests", fmt=fmt, status=outcome.status_code)


_NOTICE_UNCONFIRMED = _(
    "Die Meldung wird veröffentlicht, sobald der Link in der E-Mail an die angegebene Adresse geöffnet wurde."
)


class RequestDetailApi(Open311View):
    """Return one public request."""

    @extend_schema(exclude=True)
    def get(self, request: Request, pk: int, fmt: str) -> HttpResponse:
        query = parse_query(JurisdictionQuery, request)
        _check_jurisdiction(query.get("jurisdiction_id"))
        report = report_selectors.report_get_public(pk)
        return formats.render([formats.request_json(report, request)], root="service_requests", fmt=fmt)


class TokenApi(Open311View):
    """Tell the id of a request answered with a token, once its report is public."""

    @extend_schema(exclude=True)
    def get(self, request: Request, token: str, fmt: str) -> HttpResponse:
        query = parse_query(JurisdictionQuery, request)
        _check_jurisdiction(query.get("jurisdiction_id"))
        submission = selectors.submission_by_token(token)
        return formats.render([formats.token_json(submission)], root="service_requests", fmt=fmt)


class UpdateListQuery(JurisdictionQuery):
    start_date = serializers.DateTimeField(required=False)
    end_date = serializers.DateTimeField(required=False)


class UpdateListApi(Open311View):
    """List the public changes of public requests (FixMyStreet's servicerequestupdates)."""

    @extend_schema(exclude=True)
    def get(self, request: Request, fmt: str) -> HttpResponse:
        query = parse_query(UpdateListQuery, request)
        _check_jurisdiction(query.get("jurisdiction_id"))
        updates = selectors.update_list(start=query.get("start_date"), end=query.get("end_date"))
        return formats.render(
            [formats.update_json(update) for update in updates], root="service_request_updates", fmt=fmt
        )
