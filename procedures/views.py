"""Pages of participation procedures, German first: the procedure with its map, documents and contributions.

Every step is an ordinary form, so taking part works without JavaScript and by keyboard: a
contribution's place can be typed as coordinates; the map's drawing tool only fills the same form.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any, cast

from csp.constants import NONCE, SELF
from django import forms
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from abuse.forms import HumanCheckMixin, SuspectedBot
from abuse.views import throttle_page
from accounts.publication import request_person_key
from config.errors import ApplicationError
from procedures import selectors, services
from procedures.maps import DrawingFields, procedure_map
from procedures.markdown import render_markdown
from procedures.models import Contribution, GeometryKind, Procedure, ProcedureDocument, ProcedureStatus
from reports.models import ReportingPolicy

# The contributions this browser session made: their author sees them before they are confirmed.
OWN_CONTRIBUTIONS_SESSION_KEY = "own_contributions"
CONTRIBUTIONS_PER_PAGE = 50
PAGE_PARAMETER = "seite"
# The ids the drawing tool of procedure-map.js writes into (Django's ids for the form's fields).
DRAWING_FIELDS = DrawingFields(
    geometry="id_geometry",
    coordinates="id_coordinates",
    shape="shape",
    tools="draw-tools",
    announcer="draw-status",
)
# Errors of the services that belong to one field of the contribution form, by their code.
FIELD_OF_ERROR = {
    "text_required": "text",
    "text_too_long": "text",
    "email_required": "email",
    "geometry_required": "coordinates",
    "geometry_not_allowed": "coordinates",
    "geometry_not_taken": "coordinates",
    "geometry_too_large": "coordinates",
}


def _own_contributions(request: HttpRequest) -> list[int]:
    return [int(pk) for pk in request.session.get(OWN_CONTRIBUTIONS_SESSION_KEY, [])]


def _remember_own(request: HttpRequest, contribution: Contribution) -> None:
    request.session[OWN_CONTRIBUTIONS_SESSION_KEY] = [*_own_contributions(request), contribution.pk][-20:]


def _page_number(value: str | None) -> int:
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


def _anchor(pk: int) -> str:
    """Return the id of a contribution's entry in the page's list."""
    return f"beitrag-{pk}"


def _notices(request: HttpRequest, contributions: list[Contribution]) -> list[Message]:
    """Attach each message about one contribution to it (`notices`); return those for the whole page.

    The page is reopened at the contribution's entry, so its message must be read there, not at the top.
    """
    entries = {_anchor(contribution.pk): contribution for contribution in contributions}
    general: list[Message] = []
    for message in messages.get_messages(request):
        anchor = next((tag for tag in message.extra_tags.split() if tag in entries), None)
        if anchor is None:
            general.append(message)
        else:
            entry = entries[anchor]
            entry.notices = [*getattr(entry, "notices", []), message]  # type: ignore[attr-defined]
    return general


def _detail_url(procedure: Procedure, *, page: int = 1, anchor: str = "") -> str:
    url = reverse("procedures:detail", kwargs={"slug": procedure.slug})
    if page > 1:
        url = f"{url}?{PAGE_PARAMETER}={page}"
    return f"{url}#{anchor}" if anchor else url


# --- Document files -------------------------------------------------------------------------


def document_file(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    """Serve a procedure's PDF, if its procedure is published or the visitor works for its authority."""
    document = ProcedureDocument.objects.select_related("procedure").filter(pk=pk).first()
    if document is None or posixpath.basename(document.file.name) != filename:
        raise Http404
    try:
        # The same rule as the procedure's page: drafts exist only for their own authority's staff.
        selectors.procedure_get_public(document.procedure.slug, user=request.user)
    except ApplicationError:
        raise Http404 from None
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # With a filename and not as an attachment, FileResponse says "inline": the browser shows the PDF.
    response = FileResponse(handle, content_type="application/pdf", filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    # A draft's document, shown only to its authority's staff, must not land in shared caches.
    response["Cache-Control"] = "public, max-age=3600" if document.procedure.is_published else "private, no-store"
    # Nothing but the PDF itself. Not `sandbox`: Chromium and Firefox then refuse to show any PDF; and
    # some versions of their viewers need inline styles and an embedded object of this origin.
    response._csp_replace = {  # type: ignore[attr-defined]
        "default-src": ["'none'"],
        "object-src": ["'self'"],
        "style-src": ["'unsafe-inline'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'none'"],
        "base-uri": ["'none'"],
    }
    return response


# --- The form to contribute -----------------------------------------------------------------


class CoordinateError(ValueError):
    """Typed coordinates that cannot become the requested shape; carries the messages for the citizen."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")
# At most this many unreadable lines are named; more would bury the form under messages.
MAX_LINE_ERRORS = 5


def _position(line: str) -> tuple[float, float] | None:
    """Return (lon, lat) from one typed line, or None if it is not two numbers.

    Takes "6.9490 50.9363", German decimal commas "6,9490 50,9363", "6.9490, 50.9363",
    "6.9490;50.9363" and "6.9490,50.9363".
    """
    text = re.sub(r",\s+", " ", line.replace("°", "").strip()).strip(" ,;")
    parts = [part for part in re.split(r"[\s;]+", text) if part]
    if len(parts) == 1 and parts[0].count(",") == 1:
        parts = parts[0].split(",")
    if len(parts) != 2 or not all(_NUMBER.match(part) for part in parts):
        return None
    lon, lat = (float(part.replace(",", ".")) for part in parts)
    return lon, lat


def coordinates_geometry(text: str, kind: GeometryKind) -> dict[str, Any]:
    """Return typed coordinates (one "lon lat" per line) as a GeoJSON geometry of the given kind.

    A polygon's ring is closed if the last point does not repeat the first.
    """
    positions: list[list[float]] = []
    problems: list[str] = []
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    for number, line in lines:
        position = _position(line)
        if position is None:
            problems.append(
                str(
                    _(
                        "Zeile %(line)s („%(text)s“) ist nicht lesbar: Bitte Länge und Breite als zwei Zahlen "
                        "angeben, z. B. „6.9490 50.9363“."
                    )
                    % {"line": number, "text": line.strip()[:40]}
                )
            )
        elif not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            problems.append(
                str(
                    _(
                        "Zeile %(line)s („%(text)s“): Die Länge muss zwischen -180 und 180 liegen, "
                        "die Breite zwischen -90 und 90."
                    )
                    % {"line": number, "text": line.strip()[:40]}
                )
            )
        else:
            positions.append([position[0], position[1]])
    if problems:
        extra = len(problems) - MAX_LINE_ERRORS
        shown = problems[:MAX_LINE_ERRORS]
        if extra > 0:
            shown.append(str(_("… und %(count)s weitere Zeilen.") % {"count": extra}))
        raise CoordinateError(shown)
    if kind == GeometryKind.POINT:
        if len(positions) != 1:
            raise CoordinateError(
                [
                    str(
                        _("Für einen Punkt geben Sie bitte genau eine Zeile an (es sind %(count)s).")
                        % {"count": len(positions)}
                    )
                ]
            )
        return {"type": "Point", "coordinates": positions[0]}
    if kind == GeometryKind.LINE:
        if len(positions) < 2:
            raise CoordinateError([str(_("Eine Linie braucht mindestens zwei Punkte, je Zeile einen."))])
        return {"type": "LineString", "coordinates": positions}
    if positions and positions[0] != positions[-1]:
        positions.append(list(positions[0]))
    if len(positions) < 4:
        raise CoordinateError([str(_("Eine Fläche braucht mindestens drei Punkte, je Zeile einen."))])
    return {"type": "Polygon", "coordinates": [positions]}


class ContributionForm(HumanCheckMixin, forms.Form):
    """A contribution: text, optionally a place (drawn on the map or typed), and how to reach its author."""

    text = forms.CharField(
        label=_("Ihr Beitrag"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
    )
    shape = forms.ChoiceField(label=_("Form des Ortes"), required=False, widget=forms.RadioSelect)
    coordinates = forms.CharField(
        label=_("Koordinaten (Länge Breite, je Zeile ein Punkt)"),
        required=False,
        max_length=50_000,
        help_text=_(
            "In Grad (WGS 84), zum Beispiel „6.9490 50.9363“. Eine Linie braucht mindestens zwei Zeilen, "
            "eine Fläche mindestens drei; sie wird automatisch geschlossen."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
    )
    # Filled by the drawing tool on the map with a GeoJSON geometry in lon/lat.
    geometry = forms.CharField(required=False, max_length=500_000, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name (freiwillig, wird nicht veröffentlicht)"), required=False, max_length=120)
    email = forms.EmailField(label=_("E-Mail (wird nicht veröffentlicht)"), required=False)

    def __init__(self, *args: Any, procedure: Procedure, email_needed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        kinds = [GeometryKind(kind) for kind in procedure.allowed_geometries]
        if not kinds:
            for name in ("shape", "coordinates", "geometry"):
                del self.fields[name]
        else:
            no_place = [] if procedure.geometry_required else [("", _("ohne Ort"))]
            shape = cast(forms.ChoiceField, self.fields["shape"])
            shape.choices = [*no_place, *((kind.value, kind.label) for kind in kinds)]
            shape.initial = "" if no_place else kinds[0].value
        if email_needed:
            self.fields["email"].label = _("E-Mail (für den Bestätigungslink, wird nicht veröffentlicht)")

    @property
    def place_field(self) -> str | None:
        """Return the field that place errors belong to, if the procedure takes places."""
        return "coordinates" if "coordinates" in self.fields else None

    def clean(self) -> dict[str, Any]:
        """Turn the drawn or typed place into a GeoJSON geometry (`place`), or None for none."""
        data = super().clean() or {}
        data["place"] = None
        if "coordinates" not in self.fields:
            return data
        drawn = (data.get("geometry") or "").strip()
        typed = (data.get("coordinates") or "").strip()
        shape = data.get("shape") or ""
        if drawn:
            try:
                place = json.loads(drawn)
            except ValueError:
                place = None
            if not isinstance(place, dict):
                self.add_error(
                    "coordinates",
                    _(
                        "Die Zeichnung auf der Karte konnte nicht gelesen werden. Bitte zeichnen Sie den Ort neu "
                        "oder geben Sie Koordinaten an."
                    ),
                )
            data["place"] = place
        elif typed:
            if not shape and len([line for line in typed.splitlines() if line.strip()]) == 1:
                shape = GeometryKind.POINT.value
            if not shape:
                self.add_error(
                    "shape",
                    _("Bitte wählen Sie, ob die Koordinaten einen Punkt, eine Linie oder eine Fläche beschreiben."),
                )
            elif shape not in self.procedure.allowed_geometries:
                # A single typed line is taken as a point, which the procedure may not allow.
                self.add_error("shape", _("Bitte wählen Sie eine der angebotenen Formen für die Koordinaten."))
            else:
                try:
                    data["place"] = coordinates_geometry(typed, GeometryKind(shape))
                except CoordinateError as exc:
                    self.add_error("coordinates", ValidationError(exc.messages))
        elif shape and not self.procedure.geometry_required:
            self.add_error(
                "coordinates",
                _("Bitte geben Sie die Koordinaten des Ortes an, zeichnen Sie ihn ein oder wählen Sie „ohne Ort“."),
            )
        return data


def _email_needed(request: HttpRequest, procedure: Procedure) -> bool:
    """Tell whether this visitor must give an address: no account, and the authority confirms by e-mail."""
    if request.user.is_authenticated:
        return False
    return ReportingPolicy.objects.confirms_anonymous(procedure.authority_id)


def _contribution_form(request: HttpRequest, procedure: Procedure, data: Any = None) -> ContributionForm:
    return ContributionForm(data, procedure=procedure, email_needed=_email_needed(request, procedure))


# --- The procedure's page -------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentLink:
    """A document as the page lists it."""

    title: str
    url: str
    size: int | None


def _documents(procedure: Procedure) -> list[DocumentLink]:
    links = []
    for document in procedure.documents.all():
        filename = posixpath.basename(document.file.name)
        try:
            size: int | None = document.file.size
        except OSError:
            size = None
        url = reverse("procedures-media:document", kwargs={"pk": document.pk, "filename": filename})
        links.append(DocumentLink(title=document.title, url=url, size=size))
    return links


def _embed_snippets(request: HttpRequest, procedure: Procedure) -> dict[str, str]:
    """Return the iframe snippets for this procedure's map and for all procedures of its authority."""
    procedure_url = request.build_absolute_uri(reverse("layers:embed-procedure", kwargs={"slug": procedure.slug}))
    overview_url = request.build_absolute_uri(f"{reverse('layers:embed-overview')}?authority={procedure.authority.key}")
    procedure_title = _("Karte: %(title)s") % {"title": procedure.title}
    overview_title = _("Beteiligungsverfahren: %(authority)s") % {"authority": procedure.authority.name}

    # Plain text shown in a textarea (the template escapes it once more); escape() keeps the attributes intact.
    def iframe(url: str, title: str) -> str:
        return (
            f'<iframe src="{escape(url)}" title="{escape(title)}" width="100%" height="500" '
            f'style="border: 0" loading="lazy"></iframe>'
        )

    return {"procedure": iframe(procedure_url, procedure_title), "overview": iframe(overview_url, overview_title)}


def _current_status(procedure: Procedure) -> str:
    return str(getattr(procedure, "current_status", "") or procedure.status)


def _render_detail(
    request: HttpRequest,
    procedure: Procedure,
    *,
    form: ContributionForm | None = None,
    error: str | None = None,
    flag_error: tuple[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the procedure's page, with a form that came back with errors or a message for the whole page."""
    current = _current_status(procedure)
    running = current == ProcedureStatus.RUNNING
    open_for_contributions = running and procedure.takes_contributions
    if form is None and open_for_contributions:
        form = _contribution_form(request, procedure)
    if not open_for_contributions:
        form = None
    page_number = _page_number(request.GET.get(PAGE_PARAMETER) or request.POST.get(PAGE_PARAMETER))
    contributions: Page[Contribution] | None = None
    own: list[Contribution] = []
    if procedure.takes_contributions:
        paginator = Paginator(selectors.contribution_list_public(procedure), CONTRIBUTIONS_PER_PAGE)
        contributions = paginator.get_page(page_number)
        # Evaluated once, so that the entries given their notices are the ones the template shows.
        contributions.object_list = list(contributions.object_list)
        own = [
            contribution
            for contribution in selectors.contribution_list_own(_own_contributions(request))
            if contribution.procedure_id == procedure.pk and not contribution.is_public
        ]
    notices = _notices(request, [*own, *(contributions.object_list if contributions is not None else [])])
    kinds = [GeometryKind(kind) for kind in procedure.allowed_geometries]
    drawing = DRAWING_FIELDS if form is not None and kinds else None
    language = get_language() or "de"
    context = {
        "procedure": procedure,
        "status": current,
        "description_html": render_markdown(procedure.description) if procedure.description else "",
        "documents": _documents(procedure),
        "map": procedure_map(procedure, own=own, drawing=drawing, language=language),
        "form": form,
        "notices": notices,
        "error": error,
        "flag_error": flag_error,
        "contributions": contributions,
        "own_contributions": own,
        "may_support": open_for_contributions,
        "email_needed": _email_needed(request, procedure),
        "allowed_kinds": kinds,
        "allowed_labels": ", ".join(str(kind.label) for kind in kinds),
        "drawing": drawing,
        "embed": _embed_snippets(request, procedure) if procedure.is_published else None,
    }
    response = render(request, "procedures/detail.html", context, status=status)
    # The map's script is inline; only our own files and scripts carrying this response's nonce may run.
    response._csp_update = {"script-src": [SELF, NONCE]}  # type: ignore[attr-defined]
    return response


def _form_error(
    request: HttpRequest, procedure: Procedure, form: ContributionForm, exc: ApplicationError, *, field: str | None
) -> HttpResponse:
    """Render the form again with the service's message beside its field, or for the whole page."""
    if field is not None and field in form.fields and exc.status_code == 422:
        form.add_error(field, exc.message)
        return _render_detail(request, procedure, form=form, status=exc.status_code)
    return _render_detail(request, procedure, form=form, error=exc.message, status=exc.status_code)


def _get_procedure(request: HttpRequest, slug: str) -> Procedure:
    try:
        return selectors.procedure_get_public(slug, user=request.user)
    except ApplicationError:
        raise Http404 from None


@require_http_methods(["GET", "HEAD", "POST"])
def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show a procedure with its map, documents and contributions; take a contribution while it runs."""
    procedure = _get_procedure(request, slug)
    if request.method != "POST":
        return _render_detail(request, procedure)
    try:
        # Before the form: a procedure that takes nothing now answers 409, whatever was sent.
        services.procedure_check_open(procedure)
    except ApplicationError as exc:
        return _render_detail(request, procedure, error=exc.message, status=exc.status_code)
    form = _contribution_form(request, procedure, request.POST)
    try:
        form.check_human()
    except SuspectedBot as exc:
        return _render_detail(request, procedure, form=form, error=exc.message, status=exc.status_code)
    refused = throttle_page(request, "contribution_create")
    if refused is not None:
        return refused
    if not form.is_valid():
        return _render_detail(request, procedure, form=form, status=422)
    place = form.cleaned_data["place"]
    geometry = None
    if place is not None:
        try:
            geometry = services.contribution_geometry(procedure, place)
        except ApplicationError as exc:
            # Whatever is wrong with a place is said beside the place.
            return _form_error(request, procedure, form, exc, field=form.place_field)
    try:
        contribution = services.contribution_create(
            procedure=procedure,
            text=form.cleaned_data["text"],
            geometry=geometry,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            user=request.user,
            language=get_language() or "de",
        )
    except ApplicationError as exc:
        return _form_error(request, procedure, form, exc, field=FIELD_OF_ERROR.get(exc.code))
    if contribution.is_public:
        messages.success(
            request, _("Vielen Dank! Ihr Beitrag ist veröffentlicht."), extra_tags=_anchor(contribution.pk)
        )
    else:
        _remember_own(request, contribution)
        messages.info(
            request,
            _(
                "Vielen Dank! Bitte bestätigen Sie Ihren Beitrag über den Link in der E-Mail, die wir Ihnen "
                "geschickt haben. Bis dahin sehen nur Sie ihn, als „noch nicht bestätigt“ markiert."
            ),
            extra_tags=_anchor(contribution.pk),
        )
    return HttpResponseRedirect(_detail_url(procedure, anchor=_anchor(contribution.pk)))


# --- Support, flags, confirmation -----------------------------------------------------------


def _public_contribution(pk: int) -> Contribution:
    try:
        return selectors.contribution_get_public(pk)
    except ApplicationError:
        raise Http404 from None


@require_POST
def contribution_support(request: HttpRequest, pk: int) -> HttpResponse:
    """Count this visitor's support for a contribution once, and return to it."""
    contribution = _public_contribution(pk)
    procedure = _get_procedure(request, contribution.procedure.slug)
    try:
        created = services.contribution_support(contribution=contribution, supporter_key=request_person_key(request))
    except ApplicationError as exc:
        return _render_detail(request, procedure, error=exc.message, status=exc.status_code)
    if created:
        messages.success(request, _("Danke für Ihre Unterstützung."), extra_tags=_anchor(pk))
    else:
        messages.info(request, _("Sie unterstützen diesen Beitrag bereits."), extra_tags=_anchor(pk))
    page = _page_number(request.POST.get(PAGE_PARAMETER))
    return HttpResponseRedirect(_detail_url(procedure, page=page, anchor=_anchor(pk)))


@require_POST
def contribution_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """Pass this visitor's notice of abuse on to the moderators, and return to the contribution."""
    refused = throttle_page(request, "flag")
    if refused is not None:
        return refused
    contribution = _public_contribution(pk)
    procedure = _get_procedure(request, contribution.procedure.slug)
    try:
        services.contribution_flag(
            contribution=contribution, flagger_key=request_person_key(request), reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        if exc.status_code == 422:
            return _render_detail(request, procedure, flag_error=(pk, exc.message), status=422)
        return _render_detail(request, procedure, error=exc.message, status=exc.status_code)
    messages.success(
        request, _("Danke für den Hinweis. Die Moderation sieht sich den Beitrag an."), extra_tags=_anchor(pk)
    )
    page = _page_number(request.POST.get(PAGE_PARAMETER))
    return HttpResponseRedirect(_detail_url(procedure, page=page, anchor=_anchor(pk)))


@require_http_methods(["GET", "HEAD", "POST"])
def contribution_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Publish a contribution made without an account; GET only asks, because mail scanners open links."""
    if request.method != "POST":
        return render(request, "procedures/confirm.html", {"token": token})
    try:
        contribution = services.contribution_confirm(token=token)
    except ApplicationError as exc:
        return render(
            request, "procedures/confirm.html", {"token": token, "error": exc.message}, status=exc.status_code
        )
    messages.success(
        request, _("Danke, Ihr Beitrag ist bestätigt und jetzt öffentlich."), extra_tags=_anchor(contribution.pk)
    )
    return HttpResponseRedirect(_detail_url(contribution.procedure, anchor=_anchor(contribution.pk)))
