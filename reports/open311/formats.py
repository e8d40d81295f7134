"""The shapes Open311 GeoReport v2 answers with, in JSON and in XML (element names as the spec names them)."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from geo import crs as crs_module
from reports.models import OPEN_STATUSES, Category, Open311Submission, Report, ReportUpdate

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element of each item in a list, by the list's element name.
_ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(name: str, value: Any) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_element(_ITEM_NAMES[name], child))
    else:
        element.text = _text(value)
    return element


def render(data: Any, *, root: str, fmt: str, status: int = 200) -> HttpResponse:
    """Return the data as JSON, or as XML under the root element `root`."""
    if fmt == "xml":
        body = ET.tostring(_element(root, data), encoding="utf-8", xml_declaration=True)
    else:
        body = json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))


def errors(descriptions: list[str], *, status: int, fmt: str) -> HttpResponse:
    """Return the spec's error answer: one error per description, each carrying the status."""
    return render(
        [{"code": status, "description": text} for text in descriptions], root="errors", fmt=fmt, status=status
    )


def datetime_text(moment: datetime.datetime) -> str:
    """Return a moment as W3C date-time with the offset of the local time zone."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def service_json(category: Category) -> dict[str, Any]:
    """Return a category as an Open311 service."""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.questions.all()),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.parent.name if category.parent else "",
    }


def service_definition_json(category: Category) -> dict[str, Any]:
    """Return a category's questions as an Open311 service definition."""
    attributes = []
    for order, question in enumerate(category.questions.all(), start=1):
        attribute: dict[str, Any] = {
            "variable": True,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": question.help_text,
            "order": order,
            "description": question.prompt,
        }
        if question.choices:
            attribute["values"] = [{"key": str(c["key"]), "name": str(c["name"])} for c in question.choices]
        attributes.append(attribute)
    return {"service_code": category.code, "attributes": attributes}


def open_or_closed(status: str) -> str:
    """Return Open311's status for one of ours."""
    return "open" if status in OPEN_STATUSES else "closed"


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def request_json(report: Report, request: HttpRequest) -> dict[str, Any]:
    """Return a public report as an Open311 service request: nothing about who reported it."""
    lon, lat = crs_module.transform_coords([report.location.coords], crs_module.STORAGE, crs_module.CRS84)[0]
    notes = [update.note for update in report.updates.all() if update.is_public and update.note]
    photo = next(iter(report.photos.all()), None)
    return {
        "service_request_id": report.pk,
        "status": open_or_closed(report.status),
        "status_notes": notes[-1] if notes else "",
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": report.authority.name,
        "service_notice": "",
        "requested_datetime": datetime_text(report.created_at),
        "updated_datetime": datetime_text(report.updated_at),
        "expected_datetime": "",
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": round(float(lat), 7),
        "long": round(float(lon), 7),
        "media_url": _absolute(request, reverse("reports-media:photo", kwargs={"pk": photo.id})) if photo else "",
    }


def created_json(submission: Open311Submission, notice: str) -> dict[str, Any]:
    """Return the answer to a new request: its id if it is public, else the token to ask for it later."""
    if submission.report.is_public:
        return {"service_request_id": submission.report.pk, "service_notice": notice}
    return {"token": submission.token, "service_notice": notice}


def token_json(submission: Open311Submission) -> dict[str, Any]:
    """Return what a token tells: the request's id once the report is public."""
    if submission.report.is_public:
        return {"service_request_id": submission.report.pk, "token": submission.token}
    return {"token": submission.token}


def update_json(update: ReportUpdate) -> dict[str, Any]:
    """Return a public change of a report as FixMyStreet's request update."""
    return {
        "update_id": update.pk,
        "service_request_id": update.report_id,
        "status": open_or_closed(update.status),
        "external_status_code": update.status,
        "description": update.note,
        "updated_datetime": datetime_text(update.created_at),
        "media_url": "",
    }


def discovery_json(request: HttpRequest, *, changeset: str, contact: str, key_service: str) -> dict[str, Any]:
    """Return the discovery document naming our one production endpoint."""
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": _absolute(request, reverse("open311:discovery", kwargs={"fmt": "json"}).rsplit("/", 1)[0]),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
