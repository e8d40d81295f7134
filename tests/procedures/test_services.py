"""Services and selectors of procedures: status at the instants, places and limits, privacy, moderation."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import LineString, MultiPoint, Point, Polygon
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from accounts.publication import person_key
from config.errors import Forbidden
from geo.errors import InvalidGeometry, OutsideArea, SwappedAxes, TooManyVertices, UnsupportedCRS
from procedures import selectors, services
from procedures.errors import (
    ContributionEmailRequired,
    ContributionNotFound,
    ContributionsNotTaken,
    ContributionTextRequired,
    FlagReasonRequired,
    GeometryNotAllowed,
    GeometryNotTaken,
    GeometryRequired,
    GeometryTooLarge,
    HideReasonRequired,
    InvalidContributionConfirmation,
    ProcedureEnded,
    ProcedureNotFound,
    ProcedureNotStarted,
    ReplyRequired,
    TextTooLong,
)
from procedures.models import Contribution, ContributionFlag, GeometryKind, Procedure, ProcedureKind, ProcedureStatus
from tests.procedures.conftest import (
    DORTMUND_CENTRE,
    DORTMUND_KEY,
    DUISBURG_CENTRE,
    DUISBURG_KEY,
    KOELN_KEY,
    KOELN_NEUMARKT,
    MOERS_CENTRE,
    MOERS_KEY,
    lonlat_offset,
    square_around,
)
from tests.reports.conftest import stored

pytestmark = pytest.mark.django_db

MakeProcedure = Callable[..., Procedure]


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def line(*points: Sequence[float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def square(lon: float, lat: float, half_side_m: float) -> dict[str, Any]:
    corners = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
    return {
        "type": "Polygon",
        "coordinates": [[lonlat_offset(lon, lat, dx * half_side_m, dy * half_side_m) for dx, dy in corners]],
    }


def create(procedure: Procedure, **overrides: Any) -> Contribution:
    values: dict[str, Any] = {
        "procedure": procedure,
        "text": "Hier fehlt ein Radweg.",
        "geometry": stored(*KOELN_NEUMARKT),
        "name": "Erika Mustermann",
        "email": "erika@example.org",
    }
    values.update(overrides)
    return services.contribution_create(**values)


# --- Status at the instants --------------------------------------------------------------------


def test_status_changes_exactly_at_start_and_end(running_procedure: Procedure) -> None:
    start, end = running_procedure.starts_at, running_procedure.ends_at
    tick = datetime.timedelta(microseconds=1)
    expected = [
        (start - tick, ProcedureStatus.PLANNED),
        (start, ProcedureStatus.RUNNING),
        (end - tick, ProcedureStatus.RUNNING),
        (end, ProcedureStatus.ENDED),
    ]
    for now, status in expected:
        assert running_procedure.status_at(now) == status
        annotated = Procedure.objects.with_status(now).get(pk=running_procedure.pk)
        assert annotated.current_status == status  # type: ignore[attr-defined]
        assert Procedure.objects.of_status(status, now=now).filter(pk=running_procedure.pk).exists()


def test_contributions_are_taken_from_the_start_instant_until_just_before_the_end(
    running_procedure: Procedure,
) -> None:
    start, end = running_procedure.starts_at, running_procedure.ends_at
    tick = datetime.timedelta(microseconds=1)
    services.procedure_check_open(running_procedure, now=start)
    services.procedure_check_open(running_procedure, now=end - tick)
    with pytest.raises(ProcedureNotStarted) as planned:
        services.procedure_check_open(running_procedure, now=start - tick)
    assert running_procedure.title in planned.value.message
    assert planned.value.status_code == 409
    with pytest.raises(ProcedureEnded) as ended:
        services.procedure_check_open(running_procedure, now=end)
    assert running_procedure.title in ended.value.message
    assert "zu Ende" in ended.value.message
    assert ended.value.status_code == 409
    assert ended.value.details["ends_at"] == end.isoformat()


def test_a_procedure_that_just_started_takes_contributions(make_procedure: MakeProcedure) -> None:
    now = timezone.now()
    procedure = make_procedure(starts_at=now - datetime.timedelta(milliseconds=1))
    assert create(procedure).pk


def test_ended_and_planned_procedures_refuse_contributions(
    ended_procedure: Procedure, planned_procedure: Procedure
) -> None:
    with pytest.raises(ProcedureEnded) as ended:
        create(ended_procedure)
    assert "„Spielplätze 2025“" in ended.value.message
    with pytest.raises(ProcedureNotStarted) as planned:
        create(planned_procedure)
    assert "„Grünflächen“ beginnt erst am" in planned.value.message
    assert not Contribution.objects.filter(procedure__in=[ended_procedure, planned_procedure]).exists()


def test_a_maengelmelder_sends_to_the_reports(make_procedure: MakeProcedure) -> None:
    procedure = make_procedure(kind=ProcedureKind.MAENGELMELDER)
    with pytest.raises(ContributionsNotTaken) as raised:
        create(procedure)
    assert raised.value.status_code == 409
    assert "/meldungen/neu/" in raised.value.message


# --- Places: shape, area, limits ---------------------------------------------------------------


def test_a_point_inside_is_stored_in_utm(running_procedure: Procedure) -> None:
    geometry = services.contribution_geometry(running_procedure, point(*KOELN_NEUMARKT))
    assert geometry.srid == 25832
    assert isinstance(geometry, Point)
    assert geometry.coords == pytest.approx(stored(*KOELN_NEUMARKT).coords, abs=0.01)


def test_a_place_just_outside_names_the_procedure(running_procedure: Procedure) -> None:
    # The area is a square of 1000 m half side; 5 m of tolerance for drawn borders, not 10.
    inside = lonlat_offset(*KOELN_NEUMARKT, 1003, 0)
    outside = lonlat_offset(*KOELN_NEUMARKT, 1010, 0)
    assert services.contribution_geometry(running_procedure, point(*inside))
    with pytest.raises(OutsideArea) as raised:
        services.contribution_geometry(running_procedure, point(*outside))
    assert raised.value.code == "outside_area"
    assert "„Radverkehr in der Innenstadt“" in raised.value.message
    assert raised.value.status_code == 422


def test_a_line_crossing_the_border_is_outside(running_procedure: Procedure) -> None:
    across = line(KOELN_NEUMARKT, lonlat_offset(*KOELN_NEUMARKT, 1500, 0))
    with pytest.raises(OutsideArea):
        services.contribution_geometry(running_procedure, across)


def test_swapped_axes_are_recognised(running_procedure: Procedure) -> None:
    lon, lat = KOELN_NEUMARKT
    with pytest.raises(SwappedAxes) as raised:
        services.contribution_geometry(running_procedure, point(lat, lon))
    assert "Radverkehr in der Innenstadt" in raised.value.message


def test_coordinates_in_utm_on_request(running_procedure: Procedure) -> None:
    utm = stored(*KOELN_NEUMARKT)
    geometry = services.contribution_geometry(
        running_procedure, {"type": "Point", "coordinates": [utm.x + 10, utm.y - 20]}, "EPSG:25832"
    )
    assert isinstance(geometry, Point)
    assert geometry.coords == pytest.approx((utm.x + 10, utm.y - 20), abs=1e-6)
    with pytest.raises(UnsupportedCRS):
        services.contribution_geometry(running_procedure, point(*KOELN_NEUMARKT), "EPSG:2056")


@pytest.mark.parametrize(
    ("allowed", "geometry_type", "accepted"),
    [
        (["point"], "Point", True),
        (["point"], "LineString", False),
        (["point"], "Polygon", False),
        (["line"], "LineString", True),
        (["line"], "Point", False),
        (["polygon"], "Polygon", True),
        (["polygon"], "LineString", False),
        (["point", "line", "polygon"], "MultiPoint", False),
        (["point", "line", "polygon"], "GeometryCollection", False),
    ],
)
def test_only_the_allowed_shapes(
    make_procedure: MakeProcedure, allowed: list[str], geometry_type: str, accepted: bool
) -> None:
    procedure = make_procedure(allowed_geometries=allowed)
    a, b = list(KOELN_NEUMARKT), lonlat_offset(*KOELN_NEUMARKT, 100, 0)
    data = {
        "Point": point(*a),
        "LineString": line(a, b),
        "Polygon": square(*KOELN_NEUMARKT, 50),
        "MultiPoint": {"type": "MultiPoint", "coordinates": [a, b]},
        "GeometryCollection": {"type": "GeometryCollection", "geometries": [point(*a)]},
    }[geometry_type]
    if accepted:
        assert services.contribution_geometry(procedure, data).geom_type == geometry_type
        return
    with pytest.raises(GeometryNotAllowed) as raised:
        services.contribution_geometry(procedure, data)
    labels = ", ".join(str(GeometryKind(kind).label) for kind in allowed)
    assert raised.value.message == f"In diesem Verfahren sind als Ort nur möglich: {labels}."
    assert raised.value.details["allowed"] == allowed


def test_text_only_procedures_take_no_place(make_procedure: MakeProcedure) -> None:
    procedure = make_procedure(allowed_geometries=[])
    with pytest.raises(GeometryNotTaken):
        services.contribution_geometry(procedure, point(*KOELN_NEUMARKT))
    with pytest.raises(GeometryNotTaken):
        create(procedure)
    assert create(procedure, geometry=None).geometry is None


def test_geometries_given_directly_are_checked_as_well(make_procedure: MakeProcedure) -> None:
    procedure = make_procedure(allowed_geometries=["point"])
    a, b = stored(*KOELN_NEUMARKT), stored(*DUISBURG_CENTRE)
    with pytest.raises(GeometryNotAllowed):
        create(procedure, geometry=LineString(a, Point(a.x + 10, a.y), srid=25832))
    with pytest.raises(GeometryNotAllowed):
        create(procedure, geometry=MultiPoint(a, srid=25832))
    with pytest.raises(OutsideArea):
        create(procedure, geometry=b)
    # Any SRID is brought into the storage CRS first.
    contribution = create(procedure, geometry=Point(*KOELN_NEUMARKT, srid=4326))
    assert contribution.geometry.srid == 25832
    assert contribution.geometry.distance(a) < 0.01


def test_vertex_limit(make_procedure: MakeProcedure) -> None:
    procedure = make_procedure(max_vertices=5)
    points = [lonlat_offset(*KOELN_NEUMARKT, 10 * i, 0) for i in range(6)]
    assert services.contribution_geometry(procedure, line(*points[:5]))
    with pytest.raises(TooManyVertices) as raised:
        services.contribution_geometry(procedure, line(*points))
    assert "höchstens 5" in raised.value.message


def test_length_limit_names_both_numbers(make_procedure: MakeProcedure) -> None:
    procedure = make_procedure(max_length_m=1000)
    start = lonlat_offset(*KOELN_NEUMARKT, -500, 0)
    assert services.contribution_geometry(procedure, line(start, lonlat_offset(*KOELN_NEUMARKT, 499, 0)))
    with pytest.raises(GeometryTooLarge) as raised:
        services.contribution_geometry(procedure, line(start, lonlat_offset(*KOELN_NEUMARKT, 700, 0)))
    assert raised.value.message == (
        "Der eingezeichnete Ort ist zu groß: die Linie ist 1.200 m lang, erlaubt sind höchstens 1.000 m."
    )
    assert raised.value.details["max_length_m"] == 1000


def test_area_limit_names_both_numbers(make_procedure: MakeProcedure) -> None:
    procedure = make_procedure(max_area_m2=10_000)
    assert services.contribution_geometry(procedure, square(*KOELN_NEUMARKT, 49))
    with pytest.raises(GeometryTooLarge) as raised:
        services.contribution_geometry(procedure, square(*KOELN_NEUMARKT, 100))
    assert "die Fläche ist 40.000 m² groß, erlaubt sind höchstens 10.000 m²" in raised.value.message


def test_invalid_shapes_say_why(running_procedure: Procedure) -> None:
    a = lonlat_offset(*KOELN_NEUMARKT, 0, 0)
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [
                a,
                lonlat_offset(*KOELN_NEUMARKT, 100, 100),
                lonlat_offset(*KOELN_NEUMARKT, 100, 0),
                lonlat_offset(*KOELN_NEUMARKT, 0, 100),
                a,
            ]
        ],
    }
    with pytest.raises(InvalidGeometry) as raised:
        services.contribution_geometry(running_procedure, bowtie)
    assert "schneidet sich selbst" in raised.value.message
    with pytest.raises(InvalidGeometry):
        services.contribution_geometry(running_procedure, "POINT(6.9 50.9)")
    with pytest.raises(InvalidGeometry):
        services.contribution_geometry(running_procedure, {"type": "Point", "coordinates": ["6.9", 50.9]})


def test_a_changed_area_is_checked_anew(running_procedure: Procedure) -> None:
    assert services.contribution_geometry(running_procedure, point(*KOELN_NEUMARKT))
    running_procedure.area = square_around(*DUISBURG_CENTRE, 1000)
    running_procedure.save()
    with pytest.raises(OutsideArea):
        services.contribution_geometry(running_procedure, point(*KOELN_NEUMARKT))


# --- Creating and confirming ------------------------------------------------------------------


def test_geometry_required_and_text_required(make_procedure: MakeProcedure) -> None:
    procedure = make_procedure(geometry_required=True)
    with pytest.raises(GeometryRequired):
        create(procedure, geometry=None)
    with pytest.raises(ContributionTextRequired) as empty:
        create(procedure, text="   \n ")
    assert empty.value.status_code == 422
    with pytest.raises(TextTooLong):
        create(procedure, text="x" * 4001)
    assert len(create(procedure, text=" " + "x" * 4000 + " ").text) == 4000


def test_without_account_the_contribution_waits_for_its_link(
    running_procedure: Procedure, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        contribution = create(running_procedure)
    assert contribution.published_at is None
    assert not contribution.is_public
    assert len(contribution.confirmation_token_hash) == 64
    assert not selectors.contribution_list_public(running_procedure).exists()
    # The session that wrote it still sees it.
    assert selectors.contribution_list_own([contribution.pk]) == [contribution]

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@example.org"]
    assert "„Radverkehr in der Innenstadt“" in message.subject
    token = message.body.split("/verfahren/bestaetigen/")[1].split("/")[0]
    assert token not in contribution.confirmation_token_hash  # only its hash is stored

    confirmed = services.contribution_confirm(token=token)
    assert confirmed.pk == contribution.pk
    assert confirmed.is_public
    assert list(selectors.contribution_list_public(running_procedure)) == [contribution]
    with pytest.raises(InvalidContributionConfirmation) as used:
        services.contribution_confirm(token=token)
    assert used.value.status_code == 404
    with pytest.raises(InvalidContributionConfirmation):
        services.contribution_confirm(token="")


def test_an_email_is_needed_without_an_account(running_procedure: Procedure) -> None:
    with pytest.raises(ContributionEmailRequired) as raised:
        create(running_procedure, email=" ")
    assert "Beitrag" in raised.value.message
    assert raised.value.status_code == 422


def test_with_an_account_the_contribution_is_public_at_once(
    running_procedure: Procedure, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("ben", "ben@example.org")
    contribution = create(running_procedure, user=user, email="")
    assert contribution.is_public
    assert contribution.author == user
    assert contribution.author_email == "ben@example.org"
    assert mail.outbox == []


def test_the_authoritys_policy_can_publish_at_once(make_procedure: MakeProcedure) -> None:
    # Dortmund's policy in the demo data publishes without confirmation.
    procedure = make_procedure(authority_key=DORTMUND_KEY, area=square_around(*DORTMUND_CENTRE, 1000))
    contribution = create(procedure, geometry=stored(*DORTMUND_CENTRE), email="")
    assert contribution.is_public
    assert contribution.confirmation_token_hash == ""


def test_hidden_and_used_up_contributions_are_not_ones_own(
    running_procedure: Procedure, make_contribution: Any
) -> None:
    hidden = make_contribution(running_procedure, hidden_at=timezone.now())
    lapsed = make_contribution(running_procedure, published_at=None)
    public = make_contribution(running_procedure)
    assert selectors.contribution_list_own([hidden.pk, lapsed.pk, public.pk]) == [public]
    assert selectors.contribution_list_own([]) == []


# --- Support and flags -------------------------------------------------------------------------


def test_support_is_counted_once_per_person(running_procedure: Procedure, make_contribution: Any) -> None:
    contribution = make_contribution(running_procedure)
    first, second = person_key(session_key="a"), person_key(session_key="b")
    assert services.contribution_support(contribution=contribution, supporter_key=first) is True
    assert services.contribution_support(contribution=contribution, supporter_key=first) is False
    assert services.contribution_support(contribution=contribution, supporter_key=second) is True
    assert selectors.contribution_get_public(contribution.pk).support_count == 2  # type: ignore[attr-defined]


def test_only_public_contributions_take_support_and_flags(running_procedure: Procedure, make_contribution: Any) -> None:
    for contribution in (
        make_contribution(running_procedure, published_at=None),
        make_contribution(running_procedure, hidden_at=timezone.now()),
    ):
        with pytest.raises(ContributionNotFound):
            services.contribution_support(contribution=contribution, supporter_key="k")
        with pytest.raises(ContributionNotFound):
            services.contribution_flag(contribution=contribution, flagger_key="k", reason="Spam")


def test_support_ends_with_the_procedure_flags_do_not(ended_procedure: Procedure, make_contribution: Any) -> None:
    contribution = make_contribution(ended_procedure)
    with pytest.raises(ProcedureEnded):
        services.contribution_support(contribution=contribution, supporter_key="k")
    assert services.contribution_flag(contribution=contribution, flagger_key="k", reason="Beleidigend") is True
    assert services.contribution_flag(contribution=contribution, flagger_key="k", reason="noch mal") is False
    assert ContributionFlag.objects.get(contribution=contribution).reason == "Beleidigend"
    with pytest.raises(FlagReasonRequired):
        services.contribution_flag(contribution=contribution, flagger_key="j", reason="  ")


def test_contributions_to_drafts_are_not_public(make_procedure: MakeProcedure, make_contribution: Any) -> None:
    draft = make_procedure(is_published=False)
    contribution = make_contribution(draft)
    with pytest.raises(ContributionNotFound):
        selectors.contribution_get_public(contribution.pk)
    with pytest.raises(ContributionNotFound):
        services.contribution_support(contribution=contribution, supporter_key="k")


# --- Staff -------------------------------------------------------------------------------------


@pytest.fixture
def contribution(running_procedure: Procedure, make_contribution: Any) -> Contribution:
    return make_contribution(running_procedure)  # type: ignore[no-any-return]


def test_processor_replies_and_the_author_hears_of_it(
    contribution: Contribution, staff: Callable[[str, str], User], django_capture_on_commit_callbacks: Any
) -> None:
    processor = staff(KOELN_KEY, Role.PROCESSOR)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.contribution_reply(user=processor, contribution_id=contribution.pk, text=" Wird geprüft. ")
    assert reply.text == "Wird geprüft."
    assert reply.author == processor
    public = selectors.contribution_get_public(contribution.pk)
    assert [r.text for r in public.replies.all()] == ["Wird geprüft."]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["erika@example.org"]
    assert "Wird geprüft." in mail.outbox[0].body
    assert f"#beitrag-{contribution.pk}" in mail.outbox[0].body
    with pytest.raises(ReplyRequired):
        services.contribution_reply(user=processor, contribution_id=contribution.pk, text=" ")


def test_unconfirmed_authors_are_not_mailed(
    running_procedure: Procedure,
    make_contribution: Any,
    staff: Callable[[str, str], User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    unconfirmed = make_contribution(running_procedure, published_at=None, confirmation_token_hash="h" * 64)
    with django_capture_on_commit_callbacks(execute=True):
        services.contribution_reply(user=staff(KOELN_KEY, Role.PROCESSOR), contribution_id=unconfirmed.pk, text="Ok")
    assert mail.outbox == []


def test_roles_decide_who_replies_and_who_hides(contribution: Contribution, staff: Callable[[str, str], User]) -> None:
    processor = staff(KOELN_KEY, Role.PROCESSOR)
    moderator = staff(DUISBURG_KEY, Role.MODERATOR)
    with pytest.raises(Forbidden):
        services.contribution_hide(user=processor, contribution_id=contribution.pk, reason="Spam")
    # Another authority's contribution does not exist for Duisburg's moderator.
    with pytest.raises(ContributionNotFound):
        services.contribution_hide(user=moderator, contribution_id=contribution.pk, reason="Spam")
    koeln_moderator = staff("05315", Role.MODERATOR)  # the kreisfreie Stadt is another authority than the Gemeinde
    with pytest.raises(ContributionNotFound):
        services.contribution_reply(user=koeln_moderator, contribution_id=contribution.pk, text="Hallo")
    with pytest.raises(ContributionNotFound):
        services.contribution_reply(user=None, contribution_id=contribution.pk, text="Hallo")


def test_moderator_without_processing_may_not_reply(
    contribution: Contribution, staff: Callable[[str, str], User]
) -> None:
    with pytest.raises(Forbidden):
        services.contribution_reply(user=staff(KOELN_KEY, Role.MODERATOR), contribution_id=contribution.pk, text="x")


def test_administrators_may_do_both_and_the_land_everywhere(
    contribution: Contribution, staff: Callable[[str, str], User]
) -> None:
    for admin in (staff(KOELN_KEY, Role.ADMINISTRATOR), staff("05", Role.ADMINISTRATOR)):
        services.contribution_reply(user=admin, contribution_id=contribution.pk, text="Danke")
        services.contribution_hide(user=admin, contribution_id=contribution.pk, reason="Test")
        services.contribution_unhide(user=admin, contribution_id=contribution.pk)
    assert contribution.replies.count() == 2


def test_hiding_handles_the_flags_and_unhiding_shows_again(
    contribution: Contribution, staff: Callable[[str, str], User]
) -> None:
    services.contribution_flag(contribution=contribution, flagger_key="k", reason="Werbung")
    moderator = staff(KOELN_KEY, Role.MODERATOR)
    with pytest.raises(HideReasonRequired):
        services.contribution_hide(user=moderator, contribution_id=contribution.pk, reason=" ")
    hidden = services.contribution_hide(user=moderator, contribution_id=contribution.pk, reason="Werbung")
    assert hidden.hidden_reason == "Werbung"
    assert not ContributionFlag.objects.filter(handled_at__isnull=True).exists()
    with pytest.raises(ContributionNotFound):
        selectors.contribution_get_public(contribution.pk)
    shown = services.contribution_unhide(user=moderator, contribution_id=contribution.pk)
    assert shown.hidden_at is None
    assert shown.hidden_reason == ""
    assert selectors.contribution_get_public(contribution.pk)


# --- Selectors ---------------------------------------------------------------------------------


def test_public_list_orders_running_planned_ended(make_procedure: MakeProcedure, without_demo_procedures: None) -> None:
    now = timezone.now()
    day = datetime.timedelta(days=1)
    make_procedure(slug="running-late", starts_at=now - day, ends_at=now + 30 * day)
    make_procedure(slug="running-soon", starts_at=now - day, ends_at=now + 2 * day)
    make_procedure(slug="planned-b", starts_at=now + day, ends_at=now + 9 * day)
    make_procedure(slug="planned-a", starts_at=now + 5 * day, ends_at=now + 6 * day)
    make_procedure(slug="ended-long-ago", starts_at=now - 90 * day, ends_at=now - 60 * day)
    make_procedure(slug="ended-yesterday", starts_at=now - 30 * day, ends_at=now - day)
    make_procedure(slug="a-draft", is_published=False)
    slugs = list(selectors.procedure_list_public().values_list("slug", flat=True))
    assert slugs == [
        "running-soon",
        "running-late",
        "planned-a",
        "planned-b",
        "ended-yesterday",
        "ended-long-ago",
    ]


def test_public_list_filters(
    without_demo_procedures: None, make_procedure: MakeProcedure, make_contribution: Any
) -> None:
    koeln = make_procedure(slug="koeln", title="Radverkehr Innenstadt")
    make_procedure(
        slug="moers", authority_key=MOERS_KEY, area=square_around(*MOERS_CENTRE, 500), kind=ProcedureKind.SURVEY
    )
    make_procedure(
        slug="vorbei",
        title="Spielplatz am Rhein",
        summary="Neue Geräte",
        starts_at=timezone.now() - datetime.timedelta(days=9),
        ends_at=timezone.now() - datetime.timedelta(days=1),
    )

    def slugs(**filters: Any) -> set[str]:
        return set(selectors.procedure_list_public(**filters).values_list("slug", flat=True))

    assert slugs(authority_key="05170") == {"moers"}  # the Kreis takes its Gemeinden
    assert slugs(authority_key=MOERS_KEY) == {"moers"}
    assert slugs(authority_key="05") == {"koeln", "moers", "vorbei"}
    assert slugs(kinds=["survey"]) == {"moers"}
    assert slugs(statuses=["ended"]) == {"vorbei"}
    assert slugs(statuses=["running", "planned"]) == {"koeln", "moers"}
    assert slugs(text="Spielplätze") == {"vorbei"}  # German stemming
    assert slugs(text="geräte") == {"vorbei"}
    assert slugs(text="Moers") == {"moers"}  # the authority's name
    assert slugs(area=square_around(*MOERS_CENTRE, 100)) == {"moers"}
    assert slugs(area=Polygon(srid=25832)) == set()
    make_contribution(koeln)
    make_contribution(koeln, published_at=None)
    make_contribution(koeln, hidden_at=timezone.now())
    counts = {p.slug: p.contribution_count for p in selectors.procedure_list_public()}  # type: ignore[attr-defined]
    assert counts["koeln"] == 1
    assert counts["moers"] == 0


def test_drafts_only_for_their_own_authority(make_procedure: MakeProcedure, staff: Callable[[str, str], User]) -> None:
    draft = make_procedure(is_published=False)
    with pytest.raises(ProcedureNotFound):
        selectors.procedure_get_public(draft.slug)
    with pytest.raises(ProcedureNotFound):
        selectors.procedure_get_public(draft.slug, user=staff(DUISBURG_KEY, Role.ADMINISTRATOR))
    assert selectors.procedure_get_public(draft.slug, user=staff(KOELN_KEY, Role.MODERATOR)) == draft
    assert selectors.procedure_get_public(draft.slug, user=staff("05", Role.ADMINISTRATOR)) == draft
    with pytest.raises(ProcedureNotFound):
        selectors.procedure_get_public("gibt-es-nicht")


def test_public_contributions_of_a_procedure_newest_first(
    running_procedure: Procedure, make_procedure: MakeProcedure, make_contribution: Any
) -> None:
    older = make_contribution(running_procedure, geometry=stored(*KOELN_NEUMARKT))
    newer = make_contribution(running_procedure)
    make_contribution(make_procedure())  # another procedure's
    assert list(selectors.contribution_list_public(running_procedure)) == [newer, older]
    near = square_around(*KOELN_NEUMARKT, 10)
    assert list(selectors.contribution_list_public(running_procedure, area=near)) == [older]
