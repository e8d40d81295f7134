"""The procedure pages without a browser: reading, documents, and contributing through ordinary forms."""

from __future__ import annotations

import datetime
import html
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, LineString, Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Role
from geo.models import Authority
from procedures.models import (
    Contribution,
    ContributionFlag,
    ContributionReply,
    GeometryKind,
    Procedure,
    ProcedureDocument,
    ProcedureKind,
)
from procedures.views import CoordinateError, coordinates_geometry
from reports.models import ReportingPolicy
from tests.procedures.conftest import DUISBURG_CENTRE, KOELN_DEUTZ, KOELN_KEY, KOELN_NEUMARKT
from tests.reports.conftest import stored

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

# Places (lon, lat) inside the 2 km square around Köln's Neumarkt that make_procedure uses.
LINE = [(6.9440, 50.9350), (6.9490, 50.9363), (6.9540, 50.9370)]
TRIANGLE = [(6.9450, 50.9340), (6.9530, 50.9340), (6.9490, 50.9390)]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def page_url(procedure: Procedure) -> str:
    return reverse("procedures:detail", kwargs={"slug": procedure.slug})


def lines(positions: list[tuple[float, float]]) -> str:
    return "\n".join(f"{lon} {lat}" for lon, lat in positions)


def contribute(client: Client, procedure: Procedure, **fields: str) -> TestResponse:
    """POST the contribution form as a browser without JavaScript sends it."""
    data = {
        "text": "Hier fehlt ein sicherer Radweg.",
        "shape": "",
        "coordinates": "",
        "geometry": "",
        "name": "",
        "email": "jo@example.org",
        **fields,
    }
    return client.post(page_url(procedure), data)


def public_contribution(procedure: Procedure, text: str = "Mehr Bäume am Neumarkt.", **fields: Any) -> Contribution:
    now = timezone.now()
    values: dict[str, Any] = {"geometry": stored(*KOELN_NEUMARKT), "published_at": now, "confirmed_at": now}
    values.update(fields)
    return Contribution.objects.create(procedure=procedure, text=text, **values)


def staff_of(authority_key: str) -> User:
    user = User.objects.create_user(f"staff-{authority_key}", f"staff-{authority_key}@example.org")
    Membership.objects.create(user=user, authority=Authority.objects.get(key=authority_key), role=Role.PROCESSOR)
    return user


def no_confirmation(procedure: Procedure) -> None:
    ReportingPolicy.objects.update_or_create(
        authority=procedure.authority, defaults={"confirm_anonymous_reports": False}
    )


def map_calls(page: str, function: str) -> list[dict[str, Any]]:
    """Return the options of every call of a Beteiligungskarte map function in the page's script."""
    calls = []
    for match in re.finditer(rf"Beteiligungskarte\.{function}\(map_\w+, ", page):
        options, _end = json.JSONDecoder().raw_decode(page, match.end())
        calls.append(options)
    return calls


def map_call(page: str, function: str) -> dict[str, Any]:
    """Return the options of the one call of a Beteiligungskarte map function in the page's script."""
    calls = map_calls(page, function)
    assert len(calls) == 1, f"{len(calls)} calls of {function}"
    options: dict[str, Any] = calls[0]
    return options


def assert_near(geometry: GEOSGeometry, positions: list[tuple[float, float]]) -> None:
    """Assert that a stored geometry's vertices are these lon/lat places, to a centimetre."""
    expected = [stored(lon, lat).coords for lon, lat in positions]
    assert isinstance(geometry, Point | LineString)
    actual = [geometry.coords] if isinstance(geometry, Point) else list(geometry.coords)
    assert [pytest.approx(coords, abs=0.01) for coords in expected] == actual


# --- Reading ------------------------------------------------------------------------------------


def test_page_shows_the_procedure_in_german_and_english(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure(contact_name="Amt für Verkehr", contact_email="verkehr@stadt-koeln.example")
    response = client.get(page_url(procedure))
    assert response.status_code == 200
    assert client.head(page_url(procedure)).status_code == 200
    # The map's inline script runs under a nonce; nothing else inline does.
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    assert response.content.decode().count(f'<script nonce="{nonce.group(1)}">') == 2
    assert response.content.decode().count("<script>") == 0
    page = response.content.decode()
    assert "<h1>Radverkehr in der Innenstadt</h1>" in page
    assert procedure.authority.name in page
    assert "läuft bis" in page
    assert "Wo fehlen Radwege, wo sind sie gefährlich?" in page
    assert "<strong>neue Radwege</strong>" in page  # the description's Markdown, rendered
    assert "<h2>Worum es geht</h2>" in page  # its "##" heading, below the page's own h2 sections
    assert "verkehr@stadt-koeln.example" in page
    for part in ('name="text"', 'name="coordinates"', 'name="shape"', 'name="geometry"', 'name="email"'):
        assert part in page
    assert "Koordinaten (Länge Breite, je Zeile ein Punkt)" in page
    # The map: area inline, contributions from the API, the drawing tool with our own buttons.
    assert "Beteiligungskarte.showProcedureArea" in page
    assert f"/api/v1/procedures/{procedure.slug}/contributions/" in page
    assert "Beteiligungskarte.drawContribution" in page
    for label in ("Punkt setzen", "Linie zeichnen", "Fläche zeichnen", "Zeichnung löschen", "Fertig"):
        assert label in page
    assert map_call(page, "addRemoteGeoJson")["url"].startswith(
        "/api/v1/authorities/?kind=kreis,kreisfreie_stadt,gemeinde&bbox=6.9"
    )
    assert map_call(page, "drawContribution")["kinds"] == ["point", "line", "polygon"]

    with translation.override("en"):
        english_url = page_url(procedure)
    assert english_url.startswith("/en/")
    english = client.get(english_url)
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()


def test_unknown_and_draft_procedures_are_404_except_for_their_authority(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    assert client.get(reverse("procedures:detail", kwargs={"slug": "gibt-es-nicht"})).status_code == 404
    draft = make_procedure(is_published=False)
    assert client.get(page_url(draft)).status_code == 404
    client.force_login(staff_of("05112000"))  # Duisburg's staff do not see Köln's drafts
    assert client.get(page_url(draft)).status_code == 404
    client.force_login(staff_of(KOELN_KEY))
    response = client.get(page_url(draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Entwurf" in page
    assert "Diese Karte einbetten" not in page  # nothing to embed before it is published


def test_planned_procedure_says_when_it_begins_and_takes_nothing(client: Client, planned_procedure: Procedure) -> None:
    page = client.get(page_url(planned_procedure)).content.decode()
    assert "beginnt am" in page
    assert 'name="text"' not in page
    assert "drawContribution" not in page
    response = contribute(client, planned_procedure)
    assert response.status_code == 409
    assert "beginnt erst am" in response.content.decode()
    assert not Contribution.objects.filter(procedure=planned_procedure).exists()


def test_ended_procedure_keeps_its_contributions_readable_and_refuses_new_ones_with_409(
    client: Client, ended_procedure: Procedure
) -> None:
    old = public_contribution(ended_procedure, "Der Spielplatz braucht Schatten.")
    response = client.get(page_url(ended_procedure))
    page = response.content.decode()
    assert "beendet am" in page
    assert 'name="text"' not in page
    assert "drawContribution" not in page
    assert f'id="beitrag-{old.pk}"' in page
    assert "Der Spielplatz braucht Schatten." in page
    assert ">Unterstützen<" not in page  # support closes with the procedure

    refused = contribute(client, ended_procedure, shape="point", coordinates="6.9490 50.9363")
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "Das Verfahren „Spielplätze 2025“ ist am" in text
    assert "zu Ende gegangen. Beiträge sind nicht mehr möglich." in text
    assert 'role="alert"' in text
    assert Contribution.objects.filter(procedure=ended_procedure).count() == 1
    support = client.post(reverse("procedures:contribution-support", kwargs={"pk": old.pk}))
    assert support.status_code == 409


def test_maengelmelder_procedure_leads_to_the_report_form(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure(kind=ProcedureKind.MAENGELMELDER)
    page = client.get(page_url(procedure)).content.decode()
    assert f'href="{reverse("reports:new")}"' in page
    assert 'name="text"' not in page
    urls = [options["url"] for options in map_calls(page, "addRemoteGeoJson")]
    assert any(url.startswith("/api/v1/reports/?limit=1000&bbox=") for url in urls)
    assert map_calls(page, "addContributions") == []
    response = contribute(client, procedure)
    assert response.status_code == 409
    assert "Mängelmelder" in response.content.decode()


# --- Documents ----------------------------------------------------------------------------------


def test_documents_are_listed_and_served_inline_with_safe_headers(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure()
    document = ProcedureDocument.objects.create(
        procedure=procedure, title="Planzeichnung", file=SimpleUploadedFile("plan.pdf", PDF)
    )
    filename = document.file.name.rsplit("/", 1)[-1]
    url = reverse("procedures-media:document", kwargs={"pk": document.pk, "filename": filename})
    page = client.get(page_url(procedure)).content.decode()
    assert f'href="{url}"' in page
    assert "Planzeichnung" in page
    assert f"(PDF, {len(PDF)}" in page  # the size, e.g. "92 Bytes"

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    # Reading the stream to its end closes the file (the test client's wrapper does, as a server would).
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]

    # Another name for the same document, an unknown one, and a path outside its folder: all 404.
    assert (
        client.get(reverse("procedures-media:document", kwargs={"pk": document.pk, "filename": "x.pdf"})).status_code
        == 404
    )
    assert (
        client.get(reverse("procedures-media:document", kwargs={"pk": 999999, "filename": filename})).status_code == 404
    )
    assert client.get(f"/dokumente/{document.pk}/..%2Fplan.pdf").status_code == 404


def test_a_drafts_documents_are_served_only_to_its_authority(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    draft = make_procedure(is_published=False)
    document = ProcedureDocument.objects.create(procedure=draft, title="Entwurf", file=SimpleUploadedFile("e.pdf", PDF))
    url = reverse(
        "procedures-media:document", kwargs={"pk": document.pk, "filename": document.file.name.rsplit("/", 1)[-1]}
    )
    assert client.get(url).status_code == 404
    client.force_login(staff_of(KOELN_KEY))
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]


# --- Contributing without JavaScript -------------------------------------------------------------


def test_a_point_by_coordinates_is_saved(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    no_confirmation(procedure)
    response = contribute(client, procedure, shape="point", coordinates="6.9490 50.9363")
    assert response.status_code == 302, response.content.decode()[:3000]
    contribution = Contribution.objects.get(procedure=procedure)
    assert response["Location"] == f"{page_url(procedure)}#beitrag-{contribution.pk}"
    assert contribution.geometry_kind == GeometryKind.POINT
    assert contribution.geometry.srid == 25832
    assert_near(contribution.geometry, [KOELN_NEUMARKT])
    page = client.get(response["Location"]).content.decode()
    assert "Ihr Beitrag ist veröffentlicht" in page
    assert f'id="beitrag-{contribution.pk}"' in page
    assert "Hier fehlt ein sicherer Radweg." in page


def test_a_line_by_coordinates_is_saved(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    no_confirmation(procedure)
    response = contribute(client, procedure, shape="line", coordinates=lines(LINE))
    assert response.status_code == 302, response.content.decode()[:3000]
    contribution = Contribution.objects.get(procedure=procedure)
    assert contribution.geometry.geom_type == "LineString"
    assert_near(contribution.geometry, LINE)


def test_a_polygon_by_coordinates_is_closed_and_saved(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    no_confirmation(procedure)
    # German decimal commas and a mix of separators, as people type them.
    typed = "6,9450 50,9340\n6.9530, 50.9340\n\n6.9490;50.9390\n"
    response = contribute(client, procedure, shape="polygon", coordinates=typed)
    assert response.status_code == 302, response.content.decode()[:3000]
    contribution = Contribution.objects.get(procedure=procedure)
    assert contribution.geometry.geom_type == "Polygon"
    ring = contribution.geometry[0]
    assert len(ring) == 4
    assert ring[0] == ring[-1]
    assert [pytest.approx(stored(lon, lat).coords, abs=0.01) for lon, lat in [*TRIANGLE, TRIANGLE[0]]] == list(
        ring.coords
    )


def test_a_geometry_drawn_on_the_map_is_saved(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    no_confirmation(procedure)
    drawn = json.dumps({"type": "LineString", "coordinates": [list(position) for position in LINE]})
    # The drawing tool also writes the coordinates; the drawn GeoJSON is what counts.
    response = contribute(client, procedure, shape="line", coordinates=lines(LINE), geometry=drawn)
    assert response.status_code == 302
    assert_near(Contribution.objects.get(procedure=procedure).geometry, LINE)


def test_a_text_only_contribution_is_saved(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    no_confirmation(procedure)
    response = contribute(client, procedure)
    assert response.status_code == 302
    contribution = Contribution.objects.get(procedure=procedure)
    assert contribution.geometry is None
    page = client.get(page_url(procedure)).content.decode()
    assert "ohne Ort" in page


def test_a_procedure_without_places_has_no_place_fields(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure(allowed_geometries=[])
    no_confirmation(procedure)
    page = client.get(page_url(procedure)).content.decode()
    assert 'name="coordinates"' not in page
    assert "drawContribution" not in page
    assert contribute(client, procedure).status_code == 302


def test_a_place_outside_the_area_is_refused_naming_the_procedure(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure()
    response = contribute(client, procedure, shape="point", coordinates=f"{KOELN_DEUTZ[0]} {KOELN_DEUTZ[1]}")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Radverkehr in der Innenstadt" in page.split('id="error-summary"', 1)[1]
    assert 'aria-invalid="true"' in page
    assert f"{KOELN_DEUTZ[0]} {KOELN_DEUTZ[1]}" in page  # the input is kept
    assert "Hier fehlt ein sicherer Radweg." in page
    assert not Contribution.objects.filter(procedure=procedure).exists()


def test_unreadable_coordinates_name_their_line(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    response = contribute(client, procedure, shape="line", coordinates="6.9440 50.9350\nNeumarkt\n6.95 50.93 7")
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert "Zeile 2 („Neumarkt“) ist nicht lesbar" in page
    assert "Zeile 3 („6.95 50.93 7“) ist nicht lesbar" in page
    assert 'href="#id_coordinates"' in page
    assert not Contribution.objects.filter(procedure=procedure).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"shape": "point", "coordinates": lines(LINE)}, "genau eine Zeile"),
        ({"shape": "line", "coordinates": "6.9440 50.9350"}, "Eine Linie braucht mindestens zwei Punkte"),
        ({"shape": "polygon", "coordinates": lines(LINE[:2])}, "Eine Fläche braucht mindestens drei Punkte"),
        ({"shape": "", "coordinates": lines(LINE)}, "Bitte wählen Sie, ob die Koordinaten"),
        ({"shape": "line", "coordinates": ""}, "wählen Sie „ohne Ort“"),
        ({"shape": "point", "coordinates": "200 50"}, "Die Länge muss zwischen -180 und 180 liegen"),
        ({"geometry": "{kein json"}, "Die Zeichnung auf der Karte konnte nicht gelesen werden"),
        ({"geometry": '{"type": "MultiPoint", "coordinates": [[6.949, 50.936]]}'}, "nur möglich"),
        ({"text": "   "}, "Dieses Feld ist zwingend erforderlich."),
        ({"email": ""}, "Ohne Benutzerkonto brauchen wir Ihre E-Mail-Adresse"),
    ],
)
def test_invalid_input_is_explained_with_422(
    client: Client, make_procedure: Callable[..., Procedure], fields: dict[str, str], message: str
) -> None:
    procedure = make_procedure()
    response = contribute(client, procedure, **fields)
    assert response.status_code == 422
    assert message in html.unescape(response.content.decode())
    assert not Contribution.objects.filter(procedure=procedure).exists()


def test_shapes_the_procedure_does_not_take_are_not_offered(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure(allowed_geometries=["point"], geometry_required=True)
    page = client.get(page_url(procedure)).content.decode()
    assert 'value="point"' in page
    assert 'value="line"' not in page
    assert "Linie zeichnen" not in page
    assert "ohne Ort" not in page.split('id="contribution-form"', 1)[1]
    assert contribute(client, procedure, shape="line", coordinates=lines(LINE)).status_code == 422
    required = contribute(client, procedure, shape="point")
    assert required.status_code == 422
    assert "Bitte markieren Sie den Ort Ihres Beitrags" in html.unescape(required.content.decode())


def test_a_drawn_shape_of_another_kind_is_refused(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure(allowed_geometries=["point"])
    drawn = json.dumps({"type": "LineString", "coordinates": [list(position) for position in LINE]})
    response = contribute(client, procedure, geometry=drawn)
    assert response.status_code == 422
    assert "In diesem Verfahren sind als Ort nur möglich: Punkt." in html.unescape(response.content.decode())


# --- Confirmation, support, flags ---------------------------------------------------------------


def test_without_account_a_contribution_waits_for_its_confirmation(
    client: Client,
    make_procedure: Callable[..., Procedure],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Any,
) -> None:
    procedure = make_procedure()
    with django_capture_on_commit_callbacks(execute=True):
        response = contribute(client, procedure, shape="point", coordinates="6.9490 50.9363", email="erika@example.org")
    assert response.status_code == 302
    contribution = Contribution.objects.get(procedure=procedure)
    assert not contribution.is_public

    own = client.get(response["Location"]).content.decode()
    assert "Bitte bestätigen Sie Ihren Beitrag über den Link in der E-Mail" in own
    assert "noch nicht bestätigt" in own
    assert f'id="beitrag-{contribution.pk}"' in own
    (mine,) = map_call(own, "addContributions")["own"]["features"]  # drawn on the map, dashed
    assert mine["id"] == contribution.pk
    assert mine["geometry"]["coordinates"] == pytest.approx([6.949, 50.9363], abs=1e-7)
    stranger = Client().get(page_url(procedure)).content.decode()
    assert f'id="beitrag-{contribution.pk}"' not in stranger
    assert "Hier fehlt ein sicherer Radweg." not in stranger

    (message,) = mailoutbox
    assert message.to == ["erika@example.org"]
    match = re.search(r"https?://\S+/bestaetigen/\S+/", str(message.body))
    assert match is not None
    link = urlsplit(match.group(0)).path
    ask = Client().get(link)  # a mail scanner opening the link publishes nothing
    assert ask.status_code == 200
    assert "Beitrag jetzt bestätigen" in ask.content.decode()
    contribution.refresh_from_db()
    assert not contribution.is_public

    confirmer = Client()
    confirmed = confirmer.post(link)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"{page_url(procedure)}#beitrag-{contribution.pk}"
    assert "jetzt öffentlich" in confirmer.get(confirmed["Location"]).content.decode()
    assert Contribution.objects.get(pk=contribution.pk).is_public
    assert f'id="beitrag-{contribution.pk}"' in Client().get(page_url(procedure)).content.decode()
    # The link works once.
    again = Client().post(link)
    assert again.status_code == 404
    assert "ungültig oder wurde schon verwendet" in again.content.decode()


def test_signed_in_contributions_are_public_at_once(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    client.force_login(User.objects.create_user("buergerin", "buergerin@example.org"))
    page = client.get(page_url(procedure)).content.decode()
    assert "Ohne Benutzerkonto senden wir Ihnen einen Link" not in page
    response = contribute(client, procedure, email="")
    assert response.status_code == 302
    assert Contribution.objects.get(procedure=procedure).is_public


def test_support_counts_once_per_person(client: Client, running_procedure: Procedure) -> None:
    contribution = public_contribution(running_procedure)
    url = reverse("procedures:contribution-support", kwargs={"pk": contribution.pk})
    first = client.post(url, {"seite": "1"})
    assert first.status_code == 302
    assert first["Location"] == f"{page_url(running_procedure)}#beitrag-{contribution.pk}"
    thanked = client.get(first["Location"]).content.decode()
    # The page reopens at the contribution; its message is said there, not at the top of the page.
    entry = thanked.split(f'id="beitrag-{contribution.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Danke für Ihre Unterstützung." in entry
    second = client.post(url)
    assert second.status_code == 302
    page = client.get(second["Location"]).content.decode()
    assert "Sie unterstützen diesen Beitrag bereits." in page
    assert "1 Person unterstützt diesen Beitrag." in page
    assert contribution.supports.count() == 1
    Client().post(url)
    assert contribution.supports.count() == 2
    assert client.get(url).status_code == 405
    assert client.post(reverse("procedures:contribution-support", kwargs={"pk": 999999})).status_code == 404


def test_flag_needs_a_reason_and_reaches_the_moderators(client: Client, running_procedure: Procedure) -> None:
    contribution = public_contribution(running_procedure)
    url = reverse("procedures:contribution-flag", kwargs={"pk": contribution.pk})
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 422
    page = empty.content.decode()
    assert "Bitte beschreiben Sie kurz" in page
    assert '<details class="flag" open>' in page
    response = client.post(url, {"reason": "Beleidigend."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#beitrag-{contribution.pk}")
    assert ContributionFlag.objects.get(contribution=contribution).reason == "Beleidigend."


def test_replies_and_support_counts_are_shown(client: Client, running_procedure: Procedure) -> None:
    contribution = public_contribution(running_procedure)
    ContributionReply.objects.create(contribution=contribution, text="Wir prüfen das bis Ende Mai.")
    page = client.get(page_url(running_procedure)).content.decode()
    assert "Antwort von" in page
    assert "Wir prüfen das bis Ende Mai." in page
    assert "0 Personen unterstützen diesen Beitrag." in page
    assert ">Unterstützen</button>" in page
    assert "Missbrauch melden" in page


def test_hidden_and_unconfirmed_contributions_of_others_are_not_shown(
    client: Client, running_procedure: Procedure
) -> None:
    public_contribution(running_procedure, "Verborgen, weil beleidigend.", hidden_at=timezone.now())
    public_contribution(running_procedure, "Noch nicht bestätigt von jemand anderem.", published_at=None)
    page = client.get(page_url(running_procedure)).content.decode()
    assert "Verborgen, weil beleidigend." not in page
    assert "Noch nicht bestätigt von jemand anderem." not in page
    assert "0 Beiträge" in page


def test_no_author_name_or_address_appears_anywhere_in_the_page(
    client: Client, make_procedure: Callable[..., Procedure], django_capture_on_commit_callbacks: Any
) -> None:
    procedure = make_procedure()
    with django_capture_on_commit_callbacks(execute=True):
        response = contribute(
            client,
            procedure,
            name="Erika Geheimname",
            email="erika.geheim@example.org",
            shape="point",
            coordinates="6.9490 50.9363",
        )
    assert response.status_code == 302
    own = client.get(response["Location"]).content.decode()
    Contribution.objects.filter(procedure=procedure).update(published_at=timezone.now(), confirmed_at=timezone.now())
    public = Client().get(page_url(procedure)).content.decode()
    for page in (own, public):
        assert "Geheimname" not in page
        assert "erika.geheim" not in page


def test_embed_snippets_point_at_the_embeddable_maps(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure(title='Radweg "Nord" </textarea><b>')
    page = client.get(page_url(procedure)).content.decode()
    assert "Diese Karte einbetten" in page
    assert "freigegeben" in page  # only the authority's own origins may embed
    snippets = {
        name: html.unescape(value)
        for name, value in re.findall(r'<textarea id="embed-(\w+)" readonly[^>]*>(.*?)</textarea>', page, re.S)
    }
    embed_url = f"http://testserver{reverse('layers:embed-procedure', kwargs={'slug': procedure.slug})}"
    overview_url = f"http://testserver{reverse('layers:embed-overview')}?authority={KOELN_KEY}"
    assert snippets["procedure"].startswith(f'<iframe src="{embed_url}" title="Karte: Radweg &quot;Nord&quot; &lt;/')
    assert snippets["overview"].startswith(f'<iframe src="{overview_url}" title="Beteiligungsverfahren: ')
    assert "<b>" not in page  # the hostile title stays text everywhere


def test_contributions_are_paged(client: Client, running_procedure: Procedure) -> None:
    for number in range(51):
        public_contribution(running_procedure, f"Beitrag Nummer {number}.")
    first = client.get(page_url(running_procedure)).content.decode()
    assert "51 Beiträge" in first
    assert "Beitrag Nummer 50." in first
    assert "Beitrag Nummer 0." not in first
    second = client.get(page_url(running_procedure), {"seite": "2"}).content.decode()
    assert "Beitrag Nummer 0." in second
    assert client.get(page_url(running_procedure), {"seite": "x"}).status_code == 200


def test_other_authorities_procedures_work_the_same(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    from tests.procedures.conftest import square_around

    procedure = make_procedure(authority_key="05112000", area=square_around(*DUISBURG_CENTRE, 500))
    no_confirmation(procedure)
    response = contribute(client, procedure, shape="point", coordinates=f"{DUISBURG_CENTRE[0]} {DUISBURG_CENTRE[1]}")
    assert response.status_code == 302
    assert "?authority=05112000" in client.get(page_url(procedure)).content.decode()


# --- Reading typed coordinates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "6.949 50.936",
        "6,949 50,936",
        "6.949, 50.936",
        "6.949;50.936",
        "6.949,50.936",
        " 6.949°  50.936° ",
        "+6.949\t50.936",
    ],
)
def test_typed_positions_in_common_notations(text: str) -> None:
    assert coordinates_geometry(text, GeometryKind.POINT) == {"type": "Point", "coordinates": [6.949, 50.936]}


def test_a_typed_ring_that_is_closed_already_stays_as_it_is() -> None:
    ring = [*TRIANGLE, TRIANGLE[0]]
    geometry = coordinates_geometry(lines(ring), GeometryKind.POLYGON)
    assert geometry["coordinates"] == [[list(position) for position in ring]]


@pytest.mark.parametrize("text", ["6,949,50,936", "6.949", "sechs fünfzig", "6.949 50.936 100", "0x10 50"])
def test_unreadable_positions(text: str) -> None:
    with pytest.raises(CoordinateError) as raised:
        coordinates_geometry(text, GeometryKind.POINT)
    assert raised.value.messages[0].startswith("Zeile 1")


def test_many_unreadable_lines_are_summed_up() -> None:
    with pytest.raises(CoordinateError) as raised:
        coordinates_geometry("\n".join(["x"] * 9), GeometryKind.LINE)
    assert len(raised.value.messages) == 6
    assert raised.value.messages[-1] == "… und 4 weitere Zeilen."


def test_timestamps_are_shown_in_local_time(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    ends = datetime.datetime(2099, 6, 30, 22, 0, tzinfo=datetime.UTC)
    procedure = make_procedure(ends_at=ends)
    assert "läuft bis 1. Juli 2099 00:00" in client.get(page_url(procedure)).content.decode()
