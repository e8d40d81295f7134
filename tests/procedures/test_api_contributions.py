"""The contributions API: writing while a procedure runs, places, privacy, idempotency, support, flags, staff."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from procedures import services
from procedures.models import Contribution, ContributionFlag, ContributionSupport, Procedure
from tests.procedures.conftest import (
    CONTRIBUTION_BODY,
    DORTMUND_CENTRE,
    DORTMUND_KEY,
    DUISBURG_KEY,
    KOELN_KEY,
    KOELN_NEUMARKT,
    PERSONAL,
    contributions_url,
    lonlat_offset,
    square_around,
)
from tests.reports.conftest import stored

pytestmark = pytest.mark.django_db

MakeProcedure = Callable[..., Procedure]
StaffApi = Callable[[User], APIClient]
Staff = Callable[[str, str], User]


def post(api: APIClient, procedure: Procedure, *, key: str | None = None, **overrides: Any) -> Any:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(contributions_url(procedure), {**CONTRIBUTION_BODY, **overrides}, format="json", **headers)


def confirm_from_mail() -> Contribution:
    """Open the link of the last confirmation mail, as its recipient would."""
    token = re.search(r"/verfahren/bestaetigen/([^/\s]+)/", str(mail.outbox[-1].body))
    assert token is not None
    return services.contribution_confirm(token=token.group(1))


@pytest.fixture
def dortmund_procedure(make_procedure: MakeProcedure) -> Procedure:
    # Dortmund publishes contributions without an account at once (its policy in the demo data).
    return make_procedure(authority_key=DORTMUND_KEY, area=square_around(*DORTMUND_CENTRE, 1000))


# --- Creating ----------------------------------------------------------------------------------


def test_a_contribution_without_account_waits_for_its_confirmation(
    api: APIClient, running_procedure: Procedure, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, running_procedure)
    assert response.status_code == 201, response.json()
    assert response["Content-Type"] == "application/geo+json"
    feature = response.json()
    props = feature["properties"]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == pytest.approx(list(KOELN_NEUMARKT), abs=1e-7)
    assert props["public"] is False
    assert props["confirmation_required"] is True
    assert props["text"] == CONTRIBUTION_BODY["text"]
    assert props["geometry_kind"] == "point"
    assert props["procedure"] == running_procedure.slug
    assert props["url"] == f"/verfahren/{running_procedure.slug}/#beitrag-{props['id']}"
    assert props["support_count"] == 0
    assert props["replies"] == []
    # Not public yet.
    assert api.get(f"/api/v1/contributions/{props['id']}/").status_code == 404
    assert api.get(contributions_url(running_procedure)).json()["features"] == []

    assert mail.outbox[0].to == ["erika@example.org"]
    contribution = confirm_from_mail()
    assert contribution.pk == props["id"]
    assert api.get(f"/api/v1/contributions/{props['id']}/").status_code == 200
    listed = api.get(contributions_url(running_procedure)).json()["features"]
    assert [f["id"] for f in listed] == [props["id"]]


def test_with_an_account_or_by_policy_public_at_once(
    api: APIClient, running_procedure: Procedure, dortmund_procedure: Procedure, django_user_model: Any
) -> None:
    dortmund = post(api, dortmund_procedure, email="", geometry={"type": "Point", "coordinates": DORTMUND_CENTRE})
    assert dortmund.status_code == 201, dortmund.json()
    assert dortmund.json()["properties"]["public"] is True
    api.force_authenticate(django_user_model.objects.create_user("ben", "ben@example.org"))
    response = post(api, running_procedure, email="")
    assert response.status_code == 201
    assert response.json()["properties"]["public"] is True
    assert response.json()["properties"]["confirmation_required"] is False
    assert Contribution.objects.get(pk=response.json()["id"]).author_email == "ben@example.org"


def test_text_only_contributions_have_no_geometry(api: APIClient, running_procedure: Procedure) -> None:
    response = post(api, running_procedure, geometry=None)
    assert response.status_code == 201
    assert response.json()["geometry"] is None
    assert response.json()["properties"]["geometry_kind"] is None
    without_key = {key: value for key, value in CONTRIBUTION_BODY.items() if key != "geometry"}
    assert api.post(contributions_url(running_procedure), without_key, format="json").status_code == 201


def test_after_the_end_409_with_a_clear_message(api: APIClient, ended_procedure: Procedure) -> None:
    # The place is outside, too: that the procedure is over comes first.
    response = post(api, ended_procedure, geometry={"type": "Point", "coordinates": [7.0, 52.0]})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "procedure_ended"
    assert body["message"].startswith("Das Verfahren „Spielplätze 2025“ ist am ")
    assert body["message"].endswith("zu Ende gegangen. Beiträge sind nicht mehr möglich.")
    assert body["details"]["ends_at"] == ended_procedure.ends_at.isoformat()
    assert not Contribution.objects.filter(procedure=ended_procedure).exists()


def test_before_the_start_409(api: APIClient, planned_procedure: Procedure) -> None:
    response = post(api, planned_procedure)
    assert response.status_code == 409
    assert response.json()["code"] == "procedure_not_started"
    assert "„Grünflächen“ beginnt erst am" in response.json()["message"]


def test_the_end_instant_is_the_end(api: APIClient, make_procedure: MakeProcedure) -> None:
    now = timezone.now()
    just_ended = make_procedure(starts_at=now - datetime.timedelta(days=1), ends_at=now)
    assert post(api, just_ended).status_code == 409


def test_english_answers_keep_the_codes(api: APIClient, ended_procedure: Procedure) -> None:
    english = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = english.post(contributions_url(ended_procedure), CONTRIBUTION_BODY, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "procedure_ended"
    assert "Spielplätze 2025" in response.json()["message"]


def test_a_maengelmelder_points_to_the_report_form(api: APIClient, make_procedure: MakeProcedure) -> None:
    response = post(api, make_procedure(kind="maengelmelder"))
    assert response.status_code == 409
    assert response.json()["code"] == "contributions_not_taken"
    assert "/meldungen/neu/" in response.json()["message"]


def test_just_outside_the_area_names_the_procedure(api: APIClient, running_procedure: Procedure) -> None:
    outside = lonlat_offset(*KOELN_NEUMARKT, 1010, 0)
    response = post(api, running_procedure, geometry={"type": "Point", "coordinates": outside})
    assert response.status_code == 422
    assert response.json()["code"] == "outside_area"
    assert "„Radverkehr in der Innenstadt“" in response.json()["message"]
    inside = lonlat_offset(*KOELN_NEUMARKT, 990, 0)
    assert post(api, running_procedure, geometry={"type": "Point", "coordinates": inside}).status_code == 201


def test_swapped_axes(api: APIClient, running_procedure: Procedure) -> None:
    lon, lat = KOELN_NEUMARKT
    response = post(api, running_procedure, geometry={"type": "Point", "coordinates": [lat, lon]})
    assert response.status_code == 422
    assert response.json()["code"] == "swapped_axes"
    assert "Radverkehr in der Innenstadt" in response.json()["message"]


def test_place_in_utm_on_request(api: APIClient, running_procedure: Procedure) -> None:
    utm = stored(*KOELN_NEUMARKT)
    response = post(api, running_procedure, geometry={"type": "Point", "coordinates": [utm.x, utm.y]}, crs="EPSG:25832")
    assert response.status_code == 201
    assert response.json()["geometry"]["coordinates"] == pytest.approx(list(KOELN_NEUMARKT), abs=1e-7)


@pytest.mark.parametrize("kind", ["point", "line", "polygon"])
def test_each_shape_allowed_and_refused(api: APIClient, make_procedure: MakeProcedure, kind: str) -> None:
    a, b, c = KOELN_NEUMARKT, lonlat_offset(*KOELN_NEUMARKT, 100, 0), lonlat_offset(*KOELN_NEUMARKT, 0, 100)
    shapes: dict[str, dict[str, Any]] = {
        "point": {"type": "Point", "coordinates": list(a)},
        "line": {"type": "LineString", "coordinates": [list(a), b]},
        "polygon": {"type": "Polygon", "coordinates": [[list(a), b, c, list(a)]]},
    }
    geometry = shapes[kind]
    allowing = make_procedure(allowed_geometries=[kind])
    created = post(api, allowing, geometry=geometry)
    assert created.status_code == 201, created.json()
    assert created.json()["properties"]["geometry_kind"] == kind
    assert created.json()["geometry"]["type"] == geometry["type"]
    others = [other for other in ("point", "line", "polygon") if other != kind]
    refusing = make_procedure(allowed_geometries=others)
    refused = post(api, refusing, geometry=geometry)
    assert refused.status_code == 422
    assert refused.json()["code"] == "geometry_not_allowed"
    labels = {"point": "Punkt", "line": "Linie", "polygon": "Fläche"}
    assert (
        refused.json()["message"]
        == f"In diesem Verfahren sind als Ort nur möglich: {', '.join(labels[o] for o in others)}."
    )


def test_limits_of_vertices_length_and_area(api: APIClient, make_procedure: MakeProcedure) -> None:
    procedure = make_procedure(max_vertices=4, max_length_m=100, max_area_m2=1000)
    a = list(KOELN_NEUMARKT)
    many = [lonlat_offset(*KOELN_NEUMARKT, 10 * i, 0) for i in range(5)]
    too_many = post(api, procedure, geometry={"type": "LineString", "coordinates": many})
    assert too_many.status_code == 422
    assert too_many.json()["code"] == "too_many_vertices"
    long = post(
        api, procedure, geometry={"type": "LineString", "coordinates": [a, lonlat_offset(*KOELN_NEUMARKT, 150, 0)]}
    )
    assert long.status_code == 422
    assert long.json()["code"] == "geometry_too_large"
    assert "150 m lang" in long.json()["message"]
    assert "höchstens 100 m" in long.json()["message"]
    square = [a, lonlat_offset(*KOELN_NEUMARKT, 50, 0), lonlat_offset(*KOELN_NEUMARKT, 50, 50), a]
    large = post(api, procedure, geometry={"type": "Polygon", "coordinates": [square]})
    assert large.status_code == 422
    assert "1.250 m²" in large.json()["message"]


def test_geometry_required(api: APIClient, make_procedure: MakeProcedure) -> None:
    response = post(api, make_procedure(geometry_required=True), geometry=None)
    assert response.status_code == 422
    assert response.json()["code"] == "geometry_required"


@pytest.mark.parametrize(
    ("override", "status", "code"),
    [
        ({"text": "  "}, 422, "text_required"),
        ({"text": "x" * 4001}, 422, "text_too_long"),
        ({"email": ""}, 422, "email_required"),
        ({"email": "keine-adresse"}, 422, "validation_failed"),
        ({"geometry": "POINT(6.9 50.9)"}, 422, "invalid_geometry"),
        ({"geometry": {"type": "Point", "coordinates": ["6.9", 50.9]}}, 422, "invalid_geometry"),
        ({"geometry": {"type": "Kreis", "coordinates": [6.9, 50.9]}}, 422, "invalid_geometry"),
        (
            {"geometry": {"type": "Polygon", "coordinates": [[[6.94, 50.93], [6.95, 50.93], [6.95, 50.94]]]}},
            422,
            "invalid_geometry",
        ),
        ({"geometry": {"type": "Point", "coordinates": [200, 50.9]}}, 422, "coordinates_out_of_range"),
        ({"crs": "EPSG:2056"}, 400, "unsupported_crs"),
    ],
)
def test_bad_input_stores_nothing(
    api: APIClient, running_procedure: Procedure, override: dict[str, Any], status: int, code: str
) -> None:
    response = post(api, running_procedure, **override)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert "Beitrag" in response.json()["message"] or code != "email_required"
    assert not Contribution.objects.filter(procedure=running_procedure).exists()


def test_malformed_json_and_unknown_procedure(api: APIClient, running_procedure: Procedure) -> None:
    response = api.post(contributions_url(running_procedure), "{kaputt", content_type="application/json")
    assert response.status_code == 400
    unknown = api.post("/api/v1/procedures/gibt-es-nicht/contributions/", CONTRIBUTION_BODY, format="json")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "procedure_not_found"
    assert api.get("/api/v1/procedures/gibt-es-nicht/contributions/").status_code == 404


def test_drafts_take_contributions_only_from_their_staff(
    api: APIClient, make_procedure: MakeProcedure, staff: Staff, staff_api: StaffApi
) -> None:
    draft = make_procedure(is_published=False)
    assert post(api, draft).status_code == 404
    assert post(staff_api(staff(KOELN_KEY, Role.PROCESSOR)), draft).status_code == 201


def test_idempotent_repeat_creates_once(api: APIClient, running_procedure: Procedure) -> None:
    key = "1d3c0f4e-2b7a-4c1e-9f3a-7e5b8d6c4a21"
    first = post(api, running_procedure, key=key)
    second = post(api, running_procedure, key=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Contribution.objects.filter(procedure=running_procedure).count() == 1
    reused = post(api, running_procedure, text="Etwas anderes", key=key)
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert post(api, running_procedure, key="kurz").status_code == 400


def test_a_failed_attempt_leaves_its_key_free(api: APIClient, running_procedure: Procedure) -> None:
    key = "contribution-retry-0001"
    assert post(api, running_procedure, text=" ", key=key).status_code == 422
    assert post(api, running_procedure, key=key).status_code == 201


def test_a_mail_server_that_fails_does_not_fail_the_contribution(
    api: APIClient, running_procedure: Procedure, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.reports.failing_mail.UnreachableServer"
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, running_procedure)
    assert response.status_code == 201
    assert Contribution.objects.filter(pk=response.json()["id"]).exists()


# --- Privacy -----------------------------------------------------------------------------------


def test_no_name_or_email_in_any_public_answer(
    api: APIClient,
    dortmund_procedure: Procedure,
    staff: Staff,
    staff_api: StaffApi,
) -> None:
    created = post(api, dortmund_procedure, email="", geometry=None)
    assert created.status_code == 201
    contribution_id = created.json()["id"]
    staff_api(staff(DORTMUND_KEY, Role.PROCESSOR)).post(
        f"/api/v1/staff/contributions/{contribution_id}/reply/", {"text": "Danke!"}, format="json"
    )
    with_email = post(api, dortmund_procedure, geometry=None)
    answers = [
        created.content,
        with_email.content,
        api.get(f"/api/v1/contributions/{contribution_id}/").content,
        api.get(contributions_url(dortmund_procedure)).content,
        api.get("/api/v1/procedures/").content,
        api.get(f"/api/v1/procedures/{dortmund_procedure.slug}/").content,
    ]
    for content in answers:
        for personal in PERSONAL:
            assert personal.encode() not in content
    assert b"Danke!" in answers[2]


# --- Listing -----------------------------------------------------------------------------------


def test_list_pages_with_before_and_filters_by_bbox(
    api: APIClient, running_procedure: Procedure, make_contribution: Any
) -> None:
    near = make_contribution(running_procedure, geometry=stored(*KOELN_NEUMARKT))
    far = make_contribution(running_procedure, geometry=stored(*lonlat_offset(*KOELN_NEUMARKT, 800, 800)))
    text_only = make_contribution(running_procedure)
    make_contribution(running_procedure, hidden_at=timezone.now())
    make_contribution(running_procedure, published_at=None)
    url = contributions_url(running_procedure)

    first = api.get(f"{url}?limit=2")
    assert first.status_code == 200
    assert first["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    body = first.json()
    assert [f["id"] for f in body["features"]] == [text_only.pk, far.pk]
    assert body["features"][0]["geometry"] is None
    next_link = body["links"][0]
    assert next_link["rel"] == "next"
    assert f"before={far.pk}" in next_link["href"]
    second = api.get(next_link["href"]).json()
    assert [f["id"] for f in second["features"]] == [near.pk]
    assert "links" not in second

    lon, lat = KOELN_NEUMARKT
    in_bbox = api.get(f"{url}?bbox={lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}").json()
    assert [f["id"] for f in in_bbox["features"]] == [near.pk]
    utm = stored(*KOELN_NEUMARKT)
    in_utm = api.get(f"{url}?bbox={utm.x - 5},{utm.y - 5},{utm.x + 5},{utm.y + 5}&bbox-crs=EPSG:25832").json()
    assert [f["id"] for f in in_utm["features"]] == [near.pk]
    assert api.get(f"{url}?lng=6").status_code == 400
    assert api.get(f"{url}?limit=1001").status_code == 400
    assert api.get(f"{url}?crs=EPSG:25832").status_code == 400


def test_contributions_of_ended_procedures_stay_readable(
    api: APIClient, ended_procedure: Procedure, make_contribution: Any
) -> None:
    contribution = make_contribution(ended_procedure)
    assert api.get(f"/api/v1/contributions/{contribution.pk}/").status_code == 200
    assert len(api.get(contributions_url(ended_procedure)).json()["features"]) == 1


# --- Support and flags -------------------------------------------------------------------------


def test_support_counted_once_per_browser(api: APIClient, running_procedure: Procedure, make_contribution: Any) -> None:
    contribution = make_contribution(running_procedure)
    url = f"/api/v1/contributions/{contribution.pk}/support/"
    first = api.post(url)
    assert first.status_code == 200
    assert first.json() == {"supported": True, "new": True, "support_count": 1}
    assert api.post(url).json() == {"supported": True, "new": False, "support_count": 1}
    assert APIClient().post(url).json()["support_count"] == 2
    assert api.get(f"/api/v1/contributions/{contribution.pk}/").json()["properties"]["support_count"] == 2
    # No address, no name: only a keyed hash.
    assert all(len(key) == 64 for key in ContributionSupport.objects.values_list("supporter_key", flat=True))


def test_support_after_the_end_409_and_for_hidden_404(
    api: APIClient, ended_procedure: Procedure, running_procedure: Procedure, make_contribution: Any
) -> None:
    over = make_contribution(ended_procedure)
    response = api.post(f"/api/v1/contributions/{over.pk}/support/")
    assert response.status_code == 409
    assert response.json()["code"] == "procedure_ended"
    hidden = make_contribution(running_procedure, hidden_at=timezone.now())
    assert api.post(f"/api/v1/contributions/{hidden.pk}/support/").status_code == 404
    assert api.post("/api/v1/contributions/999999999/support/").status_code == 404


def test_flag(api: APIClient, running_procedure: Procedure, make_contribution: Any) -> None:
    contribution = make_contribution(running_procedure)
    url = f"/api/v1/contributions/{contribution.pk}/flag/"
    assert api.post(url, {"reason": "Beleidigung"}, format="json").status_code == 201
    assert api.post(url, {"reason": "noch mal"}, format="json").status_code == 201
    assert ContributionFlag.objects.get(contribution=contribution).reason == "Beleidigung"
    assert api.post(url, {}, format="json").status_code == 422
    assert api.post(url, {"reason": "x" * 1001}, format="json").status_code == 422
    unconfirmed = make_contribution(running_procedure, published_at=None)
    assert api.post(f"/api/v1/contributions/{unconfirmed.pk}/flag/", {"reason": "x"}, format="json").status_code == 404


# --- Staff -------------------------------------------------------------------------------------

STAFF = "/api/v1/staff/contributions/"


def test_staff_list_shows_everything_of_their_own_procedures_only(
    api: APIClient,
    running_procedure: Procedure,
    make_procedure: MakeProcedure,
    make_contribution: Any,
    staff: Staff,
    staff_api: StaffApi,
) -> None:
    public = make_contribution(running_procedure)
    hidden = make_contribution(running_procedure, hidden_at=timezone.now(), hidden_reason="Werbung")
    unconfirmed = make_contribution(running_procedure, published_at=None)
    ContributionFlag.objects.create(contribution=public, flagger_key="k", reason="Spam?")
    other = make_procedure(authority_key=DUISBURG_KEY, area=square_around(6.7623, 51.4344, 500))
    make_contribution(other)

    assert api.get(STAFF).status_code == 403
    assert staff_api(User.objects.create_user("nobody")).get(STAFF).status_code == 403

    client = staff_api(staff(KOELN_KEY, Role.MODERATOR))
    body = client.get(f"{STAFF}?procedure={running_procedure.slug}").json()
    by_id = {f["id"]: f["properties"] for f in body["features"]}
    assert set(by_id) == {public.pk, hidden.pk, unconfirmed.pk}
    assert by_id[public.pk]["author"] == {"name": "Erika Mustermann", "email": "erika@example.org"}
    assert by_id[public.pk]["public"] is True
    assert by_id[public.pk]["flags"][0]["reason"] == "Spam?"
    assert by_id[hidden.pk]["public"] is False
    assert by_id[hidden.pk]["hidden_reason"] == "Werbung"
    assert by_id[unconfirmed.pk]["confirmed"] is False
    assert client.get(f"{STAFF}?procedure={other.slug}").status_code == 404
    assert client.get(f"{STAFF}?limit=1").json()["numberReturned"] == 1
    assert client.get(f"{STAFF}?status=open").status_code == 400
    land = staff_api(staff("05", Role.ADMINISTRATOR)).get(f"{STAFF}?procedure={other.slug}").json()
    assert land["numberReturned"] == 1


def test_staff_reply_hide_unhide(
    api: APIClient,
    running_procedure: Procedure,
    make_contribution: Any,
    staff: Staff,
    staff_api: StaffApi,
    django_capture_on_commit_callbacks: Any,
) -> None:
    contribution = make_contribution(running_procedure)
    processor = staff_api(staff(KOELN_KEY, Role.PROCESSOR))
    moderator = staff_api(staff(KOELN_KEY, Role.MODERATOR))
    stranger = staff_api(staff(DUISBURG_KEY, Role.ADMINISTRATOR))
    reply_url = f"{STAFF}{contribution.pk}/reply/"

    with django_capture_on_commit_callbacks(execute=True):
        replied = processor.post(reply_url, {"text": "Danke, wir prüfen das."}, format="json")
    assert replied.status_code == 201
    assert replied.json()["properties"]["replies"][0]["text"] == "Danke, wir prüfen das."
    assert replied.json()["properties"]["author"]["email"] == "erika@example.org"
    assert mail.outbox[-1].to == ["erika@example.org"]
    public = api.get(f"/api/v1/contributions/{contribution.pk}/").json()["properties"]
    assert [reply["text"] for reply in public["replies"]] == ["Danke, wir prüfen das."]
    assert set(public["replies"][0]) == {"text", "created_at"}

    assert processor.post(reply_url, {"text": " "}, format="json").json()["code"] == "reply_required"
    assert moderator.post(reply_url, {"text": "Hallo"}, format="json").status_code == 403
    assert stranger.post(reply_url, {"text": "Hallo"}, format="json").status_code == 404
    assert api.post(reply_url, {"text": "Hallo"}, format="json").status_code == 404

    hide_url = f"{STAFF}{contribution.pk}/hide/"
    assert processor.post(hide_url, {"reason": "Spam"}, format="json").status_code == 403
    assert stranger.post(hide_url, {"reason": "Spam"}, format="json").status_code == 404
    assert moderator.post(hide_url, {"reason": ""}, format="json").json()["code"] == "reason_required"
    hidden = moderator.post(hide_url, {"reason": "Werbung"}, format="json")
    assert hidden.status_code == 200
    assert hidden.json()["properties"]["public"] is False
    assert hidden.json()["properties"]["hidden_reason"] == "Werbung"
    assert api.get(f"/api/v1/contributions/{contribution.pk}/").status_code == 404

    unhide_url = f"{STAFF}{contribution.pk}/unhide/"
    assert stranger.post(unhide_url).status_code == 404
    assert processor.post(unhide_url).status_code == 403
    shown = moderator.post(unhide_url)
    assert shown.status_code == 200
    assert shown.json()["properties"]["public"] is True
    assert api.get(f"/api/v1/contributions/{contribution.pk}/").status_code == 200
    assert moderator.post(f"{STAFF}999999999/unhide/").status_code == 404
