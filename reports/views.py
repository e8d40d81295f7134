"""Pages of the Mängelmelder, German first: report a defect (with or without a map), see reports, confirm.

Every step is an ordinary form, so the whole path works without JavaScript and by keyboard;
the map, "use my location" and the place search only make it quicker.
"""

from __future__ import annotations

from typing import Any, BinaryIO, cast
from uuid import UUID

import folium
from django import forms
from django.contrib.gis.geos import Point
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from abuse.forms import HumanCheckMixin, SuspectedBot
from abuse.views import throttle_page
from accounts.publication import request_person_key
from accounts.selectors import staff_scope
from config.errors import ApplicationError
from geo import crs as crs_module
from geo.bbox import parse_bbox
from geo.selectors import Location, locate, place_search, stored_point, to_geos
from layers.attributions import BKG_VG5000, KOELN_STRASSEN
from layers.maps import NRW_BOUNDS, PlacePin, PortalMap, RemoteGeoJsonLayer, VectorTileLayer
from layers.registry import data_layer
from reports import selectors, services
from reports.conf import reports_settings
from reports.models import Category, Photo, QuestionType, Report, ReportStatus

# --- Photo files ----------------------------------------------------------------------------


# The reports this browser session created: their author may see them before they are confirmed.
OWN_REPORTS_SESSION_KEY = "own_reports"


def _own_reports(request: HttpRequest) -> list[int]:
    return [int(pk) for pk in request.session.get(OWN_REPORTS_SESSION_KEY, [])]


def _servable_photo(request: HttpRequest, pk: UUID) -> Photo:
    """Return a photo this visitor may see: of a public or their own report, or not yet attached."""
    photo = Photo.objects.select_related("report").filter(pk=pk).first()
    if photo is None:
        raise Http404
    report = photo.report
    if report is not None and not report.is_public and report.pk not in _own_reports(request):
        scope = staff_scope(request.user)
        if not (scope.everything or report.authority_id in scope.authority_ids):
            raise Http404
    return photo


def _photo_response(path: str) -> FileResponse:
    response = FileResponse(default_storage.open(path, "rb"), content_type="image/jpeg")
    # Content-addressed files never change; the URL may still stop working when a report is hidden.
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def photo_file(request: HttpRequest, pk: UUID) -> FileResponse:
    """Serve a photo's display size."""
    return _photo_response(_servable_photo(request, pk).path)


def photo_thumbnail(request: HttpRequest, pk: UUID) -> FileResponse:
    """Serve a photo's thumbnail."""
    return _photo_response(_servable_photo(request, pk).thumbnail_path)


# --- Forms ----------------------------------------------------------------------------------


class PlaceForm(forms.Form):
    """Where the defect is: coordinates, from the map, the search, the device or typed in."""

    lon = forms.FloatField(label=_("Länge (z. B. 6.9583)"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Breite (z. B. 50.9413)"), min_value=-90, max_value=90)


class SearchForm(forms.Form):
    """Find a Gemeinde or a street by name."""

    q = forms.CharField(label=_("Gemeinde oder Straße"), min_length=2, max_length=100)


class PhotoFirstForm(forms.Form):
    """Start with a photo and take the place from it."""

    photo = forms.FileField(label=_("Foto"))


class DetailsForm(HumanCheckMixin, forms.Form):
    """The report itself, for a chosen place and category; bots are told apart without a CAPTCHA."""

    description = forms.CharField(
        label=_("Beschreibung"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000})
    )
    photos = forms.FileField(
        label=_("Fotos (JPEG, PNG, WebP oder HEIC)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True, "accept": "image/*"}),
    )
    name = forms.CharField(label=_("Name (freiwillig, wird nicht veröffentlicht)"), required=False, max_length=120)
    email = forms.EmailField(label=_("E-Mail (wird nicht veröffentlicht)"), required=False)

    def __init__(self, *args: Any, category: Category, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        self.fields["photos"].help_text = _("bis zu %(count)s Fotos") % {"count": reports_settings().photos_per_report}
        questions = [f"q_{question.code}" for question in category.questions.all()]
        for question in category.questions.all():
            self.fields[f"q_{question.code}"] = _question_field(question)
        self.order_fields(["description", *questions, "photos", "name", "email"])


def _question_field(question: Any) -> forms.Field:
    common: dict[str, Any] = {"label": question.prompt, "required": question.required, "help_text": question.help_text}
    choices = [(str(choice["key"]), choice["name"]) for choice in question.choices]
    if question.datatype == QuestionType.NUMBER:
        return forms.FloatField(**common)
    if question.datatype == QuestionType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if question.datatype == QuestionType.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, **common)
    if question.datatype == QuestionType.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if question.datatype == QuestionType.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=300, **common)


# --- Report a defect ------------------------------------------------------------------------


def _place_map(*, lon: float | None = None, lat: float | None = None) -> dict[str, str]:
    """Return a map to place the pin on; it writes the pin's position into the form's lon/lat fields."""
    folium_map = PortalMap(location=[lat or 51.45, lon or 7.6], zoom_start=16 if lat else 8, zoom_snap=0.25)
    if lat is None:
        folium_map.fit_bounds(NRW_BOUNDS)
    folium_map.add_child(
        RemoteGeoJsonLayer(
            f"{reverse('geo:authority-list')}?kind=kreis,kreisfreie_stadt",
            attribution=BKG_VG5000,
            label_property="name",
            style={"color": "#005ca9", "weight": 1, "fillOpacity": 0.03},
            error_text=str(_("Die Gebiete konnten nicht geladen werden.")),
            status_element="map-status",
        )
    )
    folium_map.add_child(
        PlacePin(
            lon_field="id_lon",
            lat_field="id_lat",
            locate_button="use-my-location",
            labels={
                "pin": str(_("Ort der Meldung")),
                "placed": str(_("Ort gesetzt. Sie können ihn verschieben oder mit „Weiter“ übernehmen.")),
                "locating": str(_("Ihr Standort wird ermittelt …")),
                "noPosition": str(_("Ihr Standort konnte nicht ermittelt werden.")),
            },
            status_element="map-status",
        )
    )
    return folium_map.parts()


def _photo_ids(request: HttpRequest) -> list[UUID]:
    ids: list[UUID] = []
    for value in request.GET.getlist("photo") + request.POST.getlist("photo"):
        try:
            photo_id = UUID(value)
        except ValueError:
            continue
        if photo_id not in ids:
            ids.append(photo_id)
    return ids[: reports_settings().photos_per_report]


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Lead a citizen from the place, to the category, to the details of a report."""
    photo_ids = _photo_ids(request)
    if request.method == "POST" and "photo-first" in request.POST:
        return _photo_first(request, photo_ids)
    place = PlaceForm(request.GET if {"lon", "lat"} & set(request.GET) else None)
    location: Location | None = None
    point: Point | None = None
    place_error: str | None = None
    if place.is_valid():
        try:
            point = stored_point(place.cleaned_data["lon"], place.cleaned_data["lat"])
            location = locate(point)
        except ApplicationError as exc:
            place_error = exc.message
    if point is None or location is None or "aendern" in request.GET:
        return _place_step(request, place, place_error, photo_ids)
    categories = selectors.categories_at(point)
    chosen = next((c for c in categories if c.code == request.GET.get("category")), None)
    if chosen is None:
        return render(
            request,
            "reports/new_category.html",
            {"place": place.cleaned_data, "location": location, "categories": categories, "photo_ids": photo_ids},
            status=422 if request.GET.get("category") else 200,
        )
    return _details_step(request, place.cleaned_data, location, point, chosen, photo_ids)


def _place_step(
    request: HttpRequest,
    place: PlaceForm,
    place_error: str | None,
    photo_ids: list[UUID],
    photo_error: str | None = None,
) -> HttpResponse:
    search = SearchForm(request.GET if "q" in request.GET else None)
    results = place_search(search.cleaned_data["q"], limit=10) if search.is_valid() else []
    return render(
        request,
        "reports/new_place.html",
        {
            "place": place,
            "place_error": place_error,
            "search": search,
            "results": results,
            "street_attribution": KOELN_STRASSEN if any(place.kind == "street" for place in results) else None,
            "photo_form": PhotoFirstForm(),
            "photo_error": photo_error,
            "photo_ids": photo_ids,
            "map": _place_map(),
        },
        status=422 if (place_error or photo_error or (place.is_bound and not place.is_valid())) else 200,
    )


def _photo_first(request: HttpRequest, photo_ids: list[UUID]) -> HttpResponse:
    """Take a photo first; its EXIF position, if it has one in NRW, becomes the place."""
    refused = throttle_page(request, "photo_upload")
    if refused is not None:
        return refused
    upload = request.FILES.get("photo")
    if upload is None:
        return _place_step(request, PlaceForm(), None, photo_ids, str(_("Bitte wählen Sie ein Foto aus.")))
    try:
        uploaded = services.photo_upload(stream=cast(BinaryIO, upload))
    except ApplicationError as exc:
        return _place_step(request, PlaceForm(), None, photo_ids, exc.message)
    ids = [*photo_ids, uploaded.photo.id][: reports_settings().photos_per_report]
    query = "&".join(f"photo={photo_id}" for photo_id in ids)
    position = uploaded.suggested_location
    if position is None:
        message = str(_("Das Foto enthält keinen Ort. Bitte wählen Sie den Ort auf der Karte oder suchen Sie ihn."))
        return _place_step(request, PlaceForm(), None, ids, message)
    return HttpResponseRedirect(f"{reverse('reports:new')}?lon={position.lon:.7f}&lat={position.lat:.7f}&{query}")


def _details_step(
    request: HttpRequest,
    place: dict[str, float],
    location: Location,
    point: Point,
    category: Category,
    photo_ids: list[UUID],
) -> HttpResponse:
    form = DetailsForm(request.POST or None, request.FILES or None, category=category)
    error: str | None = None
    kept: list[UUID] = []
    status = 422 if request.method == "POST" else 200
    human = request.method == "POST"
    if human:
        try:
            form.check_human()
        except SuspectedBot as exc:
            # Nothing is stored, not even the photos sent along.
            error, status, human = exc.message, exc.status_code, False
        else:
            refused = throttle_page(request, "report_create")
            if refused is not None:
                return refused
    if human and form.is_valid():
        try:
            report = _create_from_form(request, form, point, category, photo_ids)
        except ApplicationError as exc:
            # Photos uploaded with this attempt stay; the next attempt refers to them by id.
            kept = list(getattr(exc, "uploaded_photo_ids", []))
            photo_ids = [*photo_ids, *kept]
            error = exc.message
            for field, messages in exc.details.get("answers", {}).items():
                if f"q_{field}" in form.fields:
                    form.add_error(f"q_{field}", messages)
        else:
            request.session[OWN_REPORTS_SESSION_KEY] = [*_own_reports(request), report.pk][-20:]
            return HttpResponseRedirect(f"{reverse('reports:detail', kwargs={'pk': report.pk})}?neu=1")
    duplicates = selectors.duplicate_candidates(category.code, point)
    return render(
        request,
        "reports/new_details.html",
        {
            "place": place,
            "location": location,
            "category": category,
            "form": form,
            "error": error,
            "duplicates": duplicates,
            "photos": Photo.objects.filter(id__in=photo_ids, report__isnull=True),
            "photo_ids": photo_ids,
            "form_action": _details_url(place, category, photo_ids),
            # Files chosen but not stored (the form was invalid): the browser cannot keep them.
            "photos_dropped": bool(request.FILES.getlist("photos")) and not kept,
            "signed_in": request.user.is_authenticated,
        },
        status=status,
    )


def _details_url(place: dict[str, float], category: Category, photo_ids: list[UUID]) -> str:
    query = "&".join(
        [f"lon={place['lon']}", f"lat={place['lat']}", f"category={category.code}"]
        + [f"photo={photo_id}" for photo_id in photo_ids]
    )
    return f"{reverse('reports:new')}?{query}"


def _create_from_form(
    request: HttpRequest, form: DetailsForm, point: Point, category: Category, photo_ids: list[UUID]
) -> Report:
    uploads = request.FILES.getlist("photos")
    limit = reports_settings().photos_per_report
    if len(photo_ids) + len(uploads) > limit:
        message = _("Bitte höchstens %(count)s Fotos.") % {"count": limit}
        form.add_error("photos", message)
        raise ApplicationError(message)
    ids = list(photo_ids)
    try:
        for upload in uploads:
            ids.append(services.photo_upload(stream=cast(BinaryIO, upload)).photo.id)
        return _report_from_form(request, form, point, category, ids)
    except ApplicationError as exc:
        exc.uploaded_photo_ids = ids[len(photo_ids) :]  # type: ignore[attr-defined]
        raise


def _report_from_form(
    request: HttpRequest, form: DetailsForm, point: Point, category: Category, ids: list[UUID]
) -> Report:
    answers = {
        question.code: _answer_value(form.cleaned_data.get(f"q_{question.code}"))
        for question in category.questions.all()
    }
    return services.report_create(
        category_code=category.code,
        location=point,
        description=form.cleaned_data["description"],
        answers={code: value for code, value in answers.items() if value not in (None, "", [])},
        photo_ids=ids,
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        user=request.user,
        language=get_language() or "de",
    )


def _answer_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# --- Reading reports ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a public report with photos, status and history; take a "me too" or an abuse flag."""
    try:
        report = selectors.report_get_public(pk)
    except ApplicationError:
        if pk not in _own_reports(request):
            raise Http404 from None
        report = selectors.report_get_for_reporter(pk)
    notice: str | None = None
    if request.method == "POST" and report.is_public:
        key = request_person_key(request)
        if "support" in request.POST:
            services.report_support(report=report, supporter_key=key)
            return HttpResponseRedirect(f"{request.path}?unterstuetzt=1")
        reason = request.POST.get("reason", "").strip()
        if reason:
            refused = throttle_page(request, "flag")
            if refused is not None:
                return refused
            services.report_flag(report=report, flagger_key=key, reason=reason)
            return HttpResponseRedirect(f"{request.path}?gemeldet=1")
        notice = str(_("Bitte beschreiben Sie kurz, was an dieser Meldung nicht in Ordnung ist."))
    lat_lon = list(reversed(_lonlat(report.location)))
    folium_map = PortalMap(location=lat_lon, zoom_start=17, zoom_snap=0.25)
    # Drawn from the report itself: an author's unconfirmed report is not in the public API yet.
    folium.Marker(lat_lon, tooltip=str(report.get_status_display()), keyboard=False).add_to(folium_map)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "answers": _answer_rows(report),
            "map": folium_map.parts(),
            "notice": notice,
            "just_created": "neu" in request.GET,
            "supported": "unterstuetzt" in request.GET,
            "flagged": "gemeldet" in request.GET,
        },
        status=422 if notice else 200,
    )


def _answer_rows(report: Report) -> list[tuple[str, str]]:
    """Return the answered questions as (question, answer) with choice names instead of keys."""
    rows = []
    for question in report.category.questions.all():
        value = report.answers.get(question.code)
        if value in (None, "", []):
            continue
        names = {str(choice["key"]): str(choice["name"]) for choice in question.choices}
        values = value if isinstance(value, list) else [value]
        rows.append((question.prompt, ", ".join(names.get(str(item), str(item)) for item in values)))
    return rows


def _lonlat(point: Point) -> list[float]:
    lon, lat = crs_module.transform_coords([point.coords], crs_module.STORAGE, crs_module.CRS84)[0]
    return [float(lon), float(lat)]


class ListFilterForm(forms.Form):
    """Filters of the report list."""

    q = forms.CharField(label=_("Ort (Gemeinde oder Straße)"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Kategorie"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("alle")), *ReportStatus.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = dict(Category.objects.active().order_by("code").values_list("code", "name").distinct())
        self.fields["category"].choices = [("", _("alle")), *sorted(codes.items(), key=lambda item: item[1])]  # type: ignore[attr-defined]


# The registry key of the reports' vector tile layer.
REPORTS_LAYER = "reports"
# A page address with a placeholder id: the map puts each report's own id in its place.
_ID_PLACEHOLDER = 987654321
# Open reports red, ones being worked on orange, resolved green, the other closed ones grey.
_STATUS_COLOURS: dict[str, str] = {
    ReportStatus.SUBMITTED: "#b3261e",
    ReportStatus.CONFIRMED: "#b3261e",
    ReportStatus.IN_PROGRESS: "#c75b00",
    ReportStatus.RESOLVED: "#2e7d32",
    ReportStatus.CLOSED_NOT_FIXED: "#5a5a5a",
    ReportStatus.DUPLICATE: "#5a5a5a",
    ReportStatus.REJECTED: "#5a5a5a",
}


def _report_tiles() -> VectorTileLayer:
    """Return the map layer of all public reports, from our vector tiles: clustered, never capped."""
    layer = data_layer(REPORTS_LAYER)
    if layer is None:  # pragma: no cover - the registry defines it
        raise ImproperlyConfigured(f"The layer {REPORTS_LAYER} is missing from the registry.")
    sample = reverse("tiles:tile", kwargs={"layer": layer.key, "z": 0, "x": 0, "y": 0})
    detail = reverse("reports:detail", kwargs={"pk": _ID_PLACEHOLDER})
    return VectorTileLayer(
        sample.removesuffix("/0/0/0.mvt") + "/{z}/{x}/{y}.mvt",
        layer=layer.key,
        attribution=layer.attribution,
        detail_url=detail.replace(str(_ID_PLACEHOLDER), "{id}"),
        colour_property="status",
        colours={str(status): colour for status, colour in _STATUS_COLOURS.items()},
        default_colour="#b3261e",
        labels={
            "cluster": str(_("%(count)s Meldungen – zum Vergrößern klicken")),
            "single": str(_("Meldung öffnen")),
            "error": str(_("Die Meldungen konnten nicht geladen werden.")),
        },
        status_element="map-status",
    )


def report_list(request: HttpRequest) -> HttpResponse:
    """List public reports near a place, or in all of NRW, as a list and on a map, with filters."""
    filters = ListFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    place = None
    area = None
    if data.get("q"):
        hits = place_search(data["q"], limit=1)
        place = hits[0] if hits else None
        if place is not None:
            minx, miny, maxx, maxy = place.bbox
            area = to_geos(parse_bbox(f"{minx},{miny},{maxx},{maxy}", crs_module.CRS84))
    reports = selectors.report_list_public(
        area=area,
        category_codes=[data["category"]] if data.get("category") else None,
        statuses=[data["status"]] if data.get("status") else None,
    ).order_by("-id")[:100]
    api_query = "&".join(
        part
        for part in (
            f"category={data['category']}" if data.get("category") else "",
            f"status={data['status']}" if data.get("status") else "",
        )
        if part
    )
    folium_map = PortalMap(location=[51.45, 7.6], zoom_start=8, zoom_snap=0.25)
    folium_map.fit_bounds([[place.bbox[1], place.bbox[0]], [place.bbox[3], place.bbox[2]]] if place else NRW_BOUNDS)
    if api_query:
        # Clustered tiles carry only counts, so a category or status filter cannot be applied to them:
        # a filtered selection is drawn from the API's GeoJSON instead (up to 1000 reports).
        folium_map.add_child(
            RemoteGeoJsonLayer(
                f"{reverse('reports-api:reports')}?limit=1000&{api_query}",
                attribution=BKG_VG5000,
                label_property="status_label",
                style={},
                error_text=str(_("Die Meldungen konnten nicht geladen werden.")),
                status_element="map-status",
            )
        )
    else:
        folium_map.add_child(_report_tiles())
    return render(
        request,
        "reports/list.html",
        {"filters": filters, "reports": reports, "place": place, "map": folium_map.parts()},
    )


@require_http_methods(["GET", "POST"])
def report_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Publish an anonymous report; GET only asks, because mail scanners open links on their own."""
    if request.method == "GET":
        return render(request, "reports/confirm.html", {"token": token})
    try:
        report = services.report_confirm(token=token)
    except ApplicationError as exc:
        return render(request, "reports/confirm.html", {"token": token, "error": exc.message}, status=404)
    return HttpResponseRedirect(f"{reverse('reports:detail', kwargs={'pk': report.pk})}?bestaetigt=1")
