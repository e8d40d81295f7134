"""Open311 GeoReport v2: discovery, services, requests (GET and POST), tokens and updates, JSON and XML."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from reports import services
from reports.models import Open311Client, Open311Submission, Report, ReportStatus
from reports.open311.services import open311_client_create
from tests.reports.conftest import DORTMUND, KOELN, MOERS, REPORT_BODY, public_report

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
PERSONAL = ("Erika", "Mustermann", "erika@example.org")


@pytest.fixture
def client_key() -> str:
    """Return the api_key of an active Open311 client."""
    return open311_client_create(name="Stadt-App", contact_email="app@example.org")[1]


@pytest.fixture
def o311() -> Client:
    """Return a client that asks for German."""
    return Client(HTTP_ACCEPT_LANGUAGE="de")


def form(key: str, lonlat: tuple[float, float] = KOELN, **extra: Any) -> dict[str, Any]:
    """Return a POST body for a pothole report at a place."""
    return {
        "api_key": key,
        "service_code": "strassenschaden",
        "lat": str(lonlat[1]),
        "long": str(lonlat[0]),
        "description": "Tiefes Schlagloch auf dem Radweg.",
        "attribute[groesse]": "mittel",
        "attribute[flaeche]": ["radweg", "gehweg"],
        "first_name": "Erika",
        "last_name": "Mustermann",
        "email": "erika@example.org",
        **extra,
    }


def xml(response: Any) -> ET.Element:
    """Parse an XML answer, asserting its content type."""
    assert response["Content-Type"].startswith("text/xml")
    # Our own answer, not untrusted input.
    return ET.fromstring(response.content)  # noqa: S314


def assert_error(response: Any, status: int) -> None:
    """Assert an answer is the spec's error shape with this status, in JSON or XML."""
    assert response.status_code == status
    if response["Content-Type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors"
        assert {e.findtext("code") for e in root.findall("error")} == {str(status)}
        assert all(e.findtext("description") for e in root.findall("error"))
    else:
        body = response.json()
        assert isinstance(body, list)
        assert body
        assert body[0]["code"] == status
        assert all(set(error) == {"code", "description"} and error["description"] for error in body)


def assert_no_personal_data(response: Any) -> None:
    text = response.content.decode()
    for value in PERSONAL:
        assert value not in text


# --- Discovery and services ------------------------------------------------------------------


def test_discovery_in_json_and_xml(o311: Client) -> None:
    body = o311.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    root = xml(o311.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_services_list_each_code_once(o311: Client) -> None:
    services_ = o311.get(f"{BASE}/services.json").json()
    codes = [service["service_code"] for service in services_]
    assert sorted(codes) == sorted(set(codes))
    assert {"strassenschaden", "muell", "gruenflaeche", "landesstrasse"} <= set(codes)
    pothole = next(s for s in services_ if s["service_code"] == "strassenschaden")
    assert pothole["metadata"] is True
    assert pothole["type"] == "realtime"
    assert set(pothole) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}

    root = xml(o311.get(f"{BASE}/services.xml?jurisdiction_id=nrw"))
    assert root.tag == "services"
    assert sorted(s.findtext("service_code") or "" for s in root.findall("service")) == sorted(codes)
    assert {s.findtext("metadata") for s in root.findall("service")} <= {"true", "false"}


def test_services_at_a_place(o311: Client) -> None:
    at_dortmund = {
        s["service_code"] for s in o311.get(f"{BASE}/services.json?lat={DORTMUND[1]}&long={DORTMUND[0]}").json()
    }
    at_koeln = {s["service_code"] for s in o311.get(f"{BASE}/services.json?lat={KOELN[1]}&long={KOELN[0]}").json()}
    assert "gruenflaeche" in at_koeln
    assert "gruenflaeche" not in at_dortmund
    assert_error(o311.get(f"{BASE}/services.json?lat={KOELN[1]}"), 400)
    # Outside NRW.
    assert_error(o311.get(f"{BASE}/services.xml?lat=48.1&long=11.5"), 400)


def test_service_definition_with_attributes_and_values(o311: Client) -> None:
    body = o311.get(f"{BASE}/services/strassenschaden.json").json()
    assert body["service_code"] == "strassenschaden"
    groesse, flaeche = body["attributes"]
    assert groesse["code"] == "groesse"
    assert groesse["datatype"] == "singlevaluelist"
    assert groesse["required"] is True
    assert groesse["variable"] is True
    assert groesse["order"] == 1
    assert groesse["description"]
    assert {"key", "name"} == set(groesse["values"][0])
    assert flaeche["datatype"] == "multivaluelist"

    root = xml(o311.get(f"{BASE}/services/strassenschaden.xml"))
    assert root.tag == "service_definition"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["groesse", "flaeche"]
    assert attributes[0].findtext("required") == "true"
    assert attributes[0].findall("values/value/key")

    strings = o311.get(f"{BASE}/services/strassenbeleuchtung.json").json()["attributes"]
    assert [a["datatype"] for a in strings] == ["string", "datetime"]
    assert "values" not in strings[0]


def test_unknown_service_and_jurisdiction_answer_404(o311: Client) -> None:
    assert_error(o311.get(f"{BASE}/services/gibtsnicht.json"), 404)
    assert_error(o311.get(f"{BASE}/services/gibtsnicht.xml"), 404)
    assert_error(o311.get(f"{BASE}/services.json?jurisdiction_id=bayern"), 404)
    assert o311.get(f"{BASE}/services.json?jurisdiction_id=").status_code == 200


# --- Creating requests -----------------------------------------------------------------------


def test_post_creates_the_same_report_as_the_web(
    o311: Client, client_key: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = o311.post(f"{BASE}/requests.json", form(client_key))
    assert response.status_code == 200, response.content
    (answer,) = response.json()
    assert set(answer) == {"token", "service_notice"}
    assert answer["service_notice"]
    submission = Open311Submission.objects.select_related("report", "client").get(token=answer["token"])
    report = submission.report
    assert submission.client.name == "Stadt-App"
    # Routed like the web: Köln offers potholes at the Neumarkt.
    assert report.authority.key == "05315000"
    assert report.answers == {"groesse": "mittel", "flaeche": ["radweg", "gehweg"]}
    assert report.reporter_name == "Erika Mustermann"
    assert report.reporter_email == "erika@example.org"
    assert report.published_at is None
    # The confirmation link goes to the reporter, never to the client application.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["erika@example.org"]
    assert answer["token"] not in str(mail.outbox[0].body)

    # The web API's report from the same input looks the same.
    web = o311.post(
        "/api/v1/reports/",
        json.dumps({**REPORT_BODY, "answers": {"groesse": "mittel", "flaeche": ["radweg", "gehweg"]}}),
        content_type="application/json",
    )
    twin = Report.objects.get(pk=web.json()["id"])
    assert (twin.authority_id, twin.category_id, twin.answers, twin.status) == (
        report.authority_id,
        report.category_id,
        report.answers,
        report.status,
    )

    token_url = f"{BASE}/tokens/{answer['token']}.json"
    assert o311.get(token_url).json() == [{"token": answer["token"]}]
    assert_error(o311.get(f"{BASE}/requests/{report.pk}.json"), 404)

    link = str(mail.outbox[0].body).split("/bestaetigen/", 1)[1].split("/", 1)[0]
    services.report_confirm(token=link)
    assert o311.get(token_url).json() == [{"service_request_id": report.pk, "token": answer["token"]}]
    root = xml(o311.get(f"{BASE}/tokens/{answer['token']}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == str(report.pk)
    detail = o311.get(f"{BASE}/requests/{report.pk}.json")
    assert detail.status_code == 200
    assert detail.json()[0]["service_code"] == "strassenschaden"
    assert_no_personal_data(detail)


def test_post_without_confirmation_answers_the_id_in_xml(o311: Client, client_key: str) -> None:
    # Dortmund publishes reports without an account at once.
    response = o311.post(f"{BASE}/requests.xml", form(client_key, DORTMUND, email=""))
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_requests"
    report = Report.objects.get(pk=root.findtext("request/service_request_id"))
    assert report.is_public
    assert report.authority.key == "05913000"
    assert root.find("request/token") is None


def test_post_repeated_with_an_idempotency_key_creates_one_report(o311: Client, client_key: str) -> None:
    body = form(client_key, DORTMUND, email="")
    first = o311.post(f"{BASE}/requests.json", body, HTTP_IDEMPOTENCY_KEY="open311-once-1")
    second = o311.post(f"{BASE}/requests.json", body, HTTP_IDEMPOTENCY_KEY="open311-once-1")
    assert first.json() == second.json()
    assert Open311Submission.objects.count() == 1


@pytest.mark.parametrize("key", [None, "", "falsch"])
def test_post_without_a_valid_key_is_forbidden(o311: Client, key: str | None) -> None:
    body = form(key or "")
    if key is None:
        del body["api_key"]
    assert_error(o311.post(f"{BASE}/requests.json", body), 403)
    assert_error(o311.post(f"{BASE}/requests.xml", body), 403)
    assert not Open311Submission.objects.exists()


def test_post_with_an_inactive_key_is_forbidden(o311: Client, client_key: str) -> None:
    Open311Client.objects.update(is_active=False)
    assert_error(o311.post(f"{BASE}/requests.json", form(client_key)), 403)


def test_post_needs_lat_and_long(o311: Client, client_key: str) -> None:
    body = {k: v for k, v in form(client_key).items() if k not in ("lat", "long")}
    assert_error(o311.post(f"{BASE}/requests.json", {**body, "address_string": "Neumarkt, Köln"}), 400)


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"service_code": "gibtsnicht"}, 404),
        ({"attribute[groesse]": "riesig"}, 400),
        ({"attribute[unbekannt]": "x"}, 400),
        ({"attribute[groesse]": ""}, 400),
        ({"description": ""}, 400),
        ({"email": ""}, 400),
        ({"lat": "48.1", "long": "11.5"}, 400),
        ({"media_url": "http://example.org/foto.jpg"}, 400),
        ({"jurisdiction_id": "bayern"}, 404),
    ],
)
def test_post_rejects_bad_input(o311: Client, client_key: str, extra: dict[str, str], status: int) -> None:
    response = o311.post(f"{BASE}/requests.json", {**form(client_key), **extra})
    assert_error(response, status)
    assert_error(o311.post(f"{BASE}/requests.xml", {**form(client_key), **extra}), status)
    assert not Open311Submission.objects.exists()


def test_invalid_attribute_names_the_attribute(o311: Client, client_key: str) -> None:
    body = o311.post(f"{BASE}/requests.json", {**form(client_key), "attribute[groesse]": "riesig"}).json()
    assert any(error["description"].startswith("attribute[groesse]") for error in body)


def test_category_not_offered_here_answers_400(o311: Client, client_key: str) -> None:
    # Nobody offers "gruenflaeche" in Moers.
    assert_error(o311.post(f"{BASE}/requests.json", form(client_key, MOERS, service_code="gruenflaeche")), 400)


def test_management_command_prints_the_key_once(o311: Client) -> None:
    out = StringIO()
    call_command("create_open311_client", "Melde-App", "melde@example.org", stdout=out)
    key = out.getvalue().split("api_key: ", 1)[1].split()[0]
    client = Open311Client.objects.get(name="Melde-App")
    assert key not in client.key_hash
    response = o311.post(f"{BASE}/requests.json", form(key, DORTMUND, email=""))
    assert response.status_code == 200


# --- Reading requests ------------------------------------------------------------------------


@pytest.fixture
def reports(create_report: Callable[..., dict[str, Any]]) -> dict[str, Report]:
    """Return three public reports (Köln pothole, Köln litter, Dortmund pothole) and one unconfirmed."""
    from tests.reports.conftest import geojson

    made = {
        "koeln": create_report(),
        "muell": create_report(category="muell", answers={"art": ["sperrmuell"]}),
        "dortmund": create_report(location=geojson(*DORTMUND)),
        "unconfirmed": create_report(),
    }
    return {
        name: public_report(body["id"]) if name != "unconfirmed" else Report.objects.get(pk=body["id"])
        for name, body in made.items()
    }


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["service_request_id"] for item in response.json()]


def test_requests_list_only_public_reports_without_personal_data(o311: Client, reports: dict[str, Report]) -> None:
    response = o311.get(f"{BASE}/requests.json")
    listed = ids(response)
    assert {reports[n].pk for n in ("koeln", "muell", "dortmund")} <= set(listed)
    assert reports["unconfirmed"].pk not in listed
    assert_no_personal_data(response)
    item = next(i for i in response.json() if i["service_request_id"] == reports["koeln"].pk)
    assert item["status"] == "open"
    assert item["agency_responsible"] == "Köln"
    assert item["long"] == pytest.approx(KOELN[0], abs=1e-6)
    assert item["lat"] == pytest.approx(KOELN[1], abs=1e-6)
    datetime.datetime.fromisoformat(item["requested_datetime"])

    root = xml(o311.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    assert {int(r.findtext("service_request_id") or 0) for r in root.findall("request")} == set(listed)
    assert_no_personal_data(o311.get(f"{BASE}/requests.xml"))


def test_requests_filters(o311: Client, reports: dict[str, Report], processor_koeln: User) -> None:
    koeln, muell, dortmund = reports["koeln"], reports["muell"], reports["dortmund"]
    both = f"{koeln.pk},{dortmund.pk},{reports['unconfirmed'].pk}"
    assert sorted(ids(o311.get(f"{BASE}/requests.json?service_request_id={both}"))) == sorted([koeln.pk, dortmund.pk])
    mine = {koeln.pk, muell.pk, dortmund.pk}
    assert set(ids(o311.get(f"{BASE}/requests.json?service_code=muell"))) & mine == {muell.pk}

    services.report_change_status(
        user=processor_koeln, report_id=muell.pk, status=ReportStatus.RESOLVED, note="Abgeholt."
    )
    closed = set(ids(o311.get(f"{BASE}/requests.json?status=closed")))
    assert closed & mine == {muell.pk}
    assert set(ids(o311.get(f"{BASE}/requests.json?status=open"))) & mine == {koeln.pk, dortmund.pk}
    assert set(ids(o311.get(f"{BASE}/requests.json?status=open,closed"))) & mine == mine
    detail = o311.get(f"{BASE}/requests/{muell.pk}.json").json()[0]
    assert (detail["status"], detail["status_notes"]) == ("closed", "Abgeholt.")

    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(o311.get(f"{BASE}/requests.json", {"start_date": future})) == []
    assert set(ids(o311.get(f"{BASE}/requests.json", {"start_date": past}))) >= mine
    assert set(ids(o311.get(f"{BASE}/requests.json", {"end_date": past}))) & mine == set()

    bbox = "6.90,50.90,7.00,50.97"
    assert set(ids(o311.get(f"{BASE}/requests.json?bbox={bbox}"))) & mine == {koeln.pk, muell.pk}
    near = f"lat={DORTMUND[1]}&long={DORTMUND[0]}&radius=500"
    assert set(ids(o311.get(f"{BASE}/requests.json?{near}"))) & mine == {dortmund.pk}


@pytest.mark.parametrize(
    "query",
    [
        "lng=6.9",
        "status=pending",
        "start_date=gestern",
        "service_request_id=eins",
        "bbox=1,2,3",
        "lat=50.9",
        "radius=0&lat=50.9&long=6.9",
    ],
)
def test_bad_or_unknown_query_parameters_answer_400(o311: Client, query: str) -> None:
    assert_error(o311.get(f"{BASE}/requests.json?{query}"), 400)
    assert_error(o311.get(f"{BASE}/requests.xml?{query}"), 400)


def test_unknown_parameter_on_every_get_answers_400(o311: Client) -> None:
    for path in ("discovery", "services", "services/muell", "requests", "servicerequestupdates"):
        assert_error(o311.get(f"{BASE}/{path}.json?foo=1"), 400)


def test_hidden_and_unconfirmed_requests_answer_404(
    o311: Client, reports: dict[str, Report], staff: Callable[[str, str], User]
) -> None:
    assert_error(o311.get(f"{BASE}/requests/{reports['unconfirmed'].pk}.json"), 404)
    services.report_hide(user=staff("05315000", Role.MODERATOR), report_id=reports["koeln"].pk, reason="Beleidigend")
    assert_error(o311.get(f"{BASE}/requests/{reports['koeln'].pk}.xml"), 404)
    assert reports["koeln"].pk not in ids(o311.get(f"{BASE}/requests.json"))
    assert_error(o311.get(f"{BASE}/requests/999999999.json"), 404)
    assert_error(o311.get(f"{BASE}/tokens/gibtsnicht.json"), 404)


def test_service_request_updates(o311: Client, reports: dict[str, Report], processor_koeln: User) -> None:
    koeln = reports["koeln"]
    services.report_change_status(
        user=processor_koeln, report_id=koeln.pk, status=ReportStatus.IN_PROGRESS, note="Wir schauen es uns an."
    )
    services.report_change_status(
        user=processor_koeln, report_id=koeln.pk, status=ReportStatus.RESOLVED, note="Intern", public=False
    )
    response = o311.get(f"{BASE}/servicerequestupdates.json")
    mine = [u for u in response.json() if u["service_request_id"] == koeln.pk]
    assert len(mine) == 1
    assert mine[0]["status"] == "open"
    assert mine[0]["description"] == "Wir schauen es uns an."
    assert set(mine[0]) >= {"update_id", "service_request_id", "status", "description", "updated_datetime", "media_url"}
    assert_no_personal_data(response)

    root = xml(o311.get(f"{BASE}/servicerequestupdates.xml"))
    assert root.tag == "service_request_updates"
    assert str(mine[0]["update_id"]) in [u.findtext("update_id") for u in root.findall("request_update")]
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert o311.get(f"{BASE}/servicerequestupdates.json", {"start_date": future}).json() == []
    assert_error(o311.get(f"{BASE}/servicerequestupdates.json?start_date=bald"), 400)


def test_errors_in_german_by_default_and_in_english_on_request(client_key: str) -> None:
    german = Client().get(f"{BASE}/services/gibtsnicht.json")
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"{BASE}/services/gibtsnicht.json")
    assert_error(german, 404)
    assert_error(english, 404)
    assert "gibt es nicht" in german.json()[0]["description"]
    assert_error(Client(HTTP_ACCEPT_LANGUAGE="en").post(f"{BASE}/requests.xml", form("falsch")), 403)


def test_wrong_method_answers_in_the_spec_shape(o311: Client) -> None:
    assert_error(o311.post(f"{BASE}/services.json"), 405)
    assert_error(o311.delete(f"{BASE}/requests.xml"), 405)


@pytest.mark.parametrize(("path", "fmt"), [("/open311/v2/gibt-es-nicht.json", "json"), ("/open311/v2/nix.xml", "xml")])
def test_unknown_paths_answer_the_specs_error_list(client: Client, path: str, fmt: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    if fmt == "json":
        assert response.json()[0]["code"] == 404
    else:
        root = ET.fromstring(response.content)  # noqa: S314 (our own answer)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"
