"""Pages of the planner workspace: staff of an authority see, group, compare, merge and export its feedback.

Every page is an ordinary server-rendered page with GET filters (and a POST form for merging and
exporting), so all of it works without JavaScript and by keyboard; the map only adds a picture of
the same selection. The map's data is the page's own selection, given to the map's script as JSON.
Views only read the request and call workspace.scope, .filters, .selectors and .services.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from config.errors import ApplicationError, NotFound
from geo import crs as crs_module
from geo.models import AuthorityKind
from layers.attributions import BKG_VG5000
from reports.models import ReportStatus
from workspace import charts, filters, scope, selectors, services
from workspace.filters import FeedbackFilter
from workspace.forms import ExportForm, FilterForm, HotspotForm, MapForm, MergeForm
from workspace.scope import Workspace

# Filter parameters (contract): what the list, map, charts and exports select.
FILTER_PARAMETERS = ("sources", "start", "end", "category", "status", "procedure", "q")
REPEATABLE = ("sources", "category", "status")
# Settings of the map: how the same selection is grouped.
MAP_PARAMETERS = ("layer", "eps", "min_points", "cell")
# Points drawn one by one beneath the clusters; beyond this the heatmap or cells tell more anyway.
MAX_MAP_POINTS = 5000
ITEMS_PER_PAGE = 50

View = Callable[..., HttpResponse]


# --- Which workspace, which selection ---------------------------------------------------------


@dataclass(frozen=True)
class Links:
    """The addresses of one workspace's pages, for its templates."""

    prefix: str
    target: dict[str, str]

    def url(self, name: str, **kwargs: str) -> str:
        """Return the address of one of this workspace's pages."""
        return reverse(f"workspace:{self.prefix}{name}", kwargs={**self.target, **kwargs})

    @property
    def home(self) -> str:
        """Return the address of the map and list."""
        return self.url("")

    @property
    def hotspots(self) -> str:
        """Return the address of the hotspots and charts."""
        return self.url("-hotspots")

    @property
    def duplicates(self) -> str:
        """Return the address of the duplicate review."""
        return self.url("-duplicates")

    @property
    def merge(self) -> str:
        """Return the address that merges a pair."""
        return self.url("-merge")

    @property
    def export(self) -> str:
        """Return the address of the export form."""
        return self.url("-export")

    @property
    def weekly_png(self) -> str:
        """Return the address of the chart per week."""
        return self.url("-chart-weekly")

    @property
    def categories_png(self) -> str:
        """Return the address of the chart per category."""
        return self.url("-chart-categories")

    def cluster(self, key: str) -> str:
        """Return the address of one cluster's page."""
        return self.url("-cluster", cluster=key)


def _links(target: dict[str, str]) -> Links:
    return Links(prefix="procedure" if "slug" in target else "authority", target=target)


def _workspace(request: HttpRequest, target: dict[str, str]) -> Workspace:
    """Return the workspace the address names, or 404 for one the user does not work in."""
    try:
        if "slug" in target:
            return scope.workspace_for_procedure(request.user, target["slug"])
        return scope.workspace_for_authority(request.user, target["key"])
    except NotFound:
        # Another authority's workspace is not to be told apart from one that does not exist.
        raise Http404 from None


def _filter_params(query: QueryDict) -> dict[str, str | list[str]]:
    """Return the filter parameters of a query as the filters module reads them."""
    params: dict[str, str | list[str]] = {}
    for name in FILTER_PARAMETERS:
        if name not in query:
            continue
        if name in REPEATABLE:
            values = [value for value in query.getlist(name) if value]
            # "alle Status" chosen beside single statuses in the form's list still means all of them.
            params[name] = [filters.ALL_STATUSES] if name == "status" and filters.ALL_STATUSES in values else values
        else:
            params[name] = query.get(name, "")
    return params


@dataclass
class Selection:
    """The feedback a page shows: the filter, its form, and the query that selects it again."""

    form: FilterForm
    flt: FeedbackFilter
    error: str | None

    @property
    def query(self) -> str:
        """Return the filter as a query string (without "?"), for links to charts, exports and pages."""
        return urlencode(filters.filter_to_query(self.flt), doseq=True)


def _selection(request: HttpRequest, ws: Workspace) -> Selection:
    """Read the filter of the page's query; an invalid one is named, and the defaults are shown instead."""
    error: str | None = None
    try:
        flt = filters.filter_from_query(_filter_params(request.GET))
    except ApplicationError as exc:
        error = exc.message
        flt = filters.filter_from_query({})
    return Selection(form=FilterForm(workspace=ws, flt=flt), flt=flt, error=error)


def _map_query(settings: dict[str, Any]) -> str:
    return urlencode({name: settings[name] for name in MAP_PARAMETERS if name in settings})


def _join(*queries: str) -> str:
    return "&".join(query for query in queries if query)


def _title(ws: Workspace) -> str:
    if ws.procedure is not None:
        return ws.procedure.title
    authority = ws.authority
    return f"{authority.designation} {authority.name}" if authority.designation else authority.name


def _context(request: HttpRequest, ws: Workspace, target: dict[str, str], **extra: Any) -> dict[str, Any]:
    links = _links(target)
    return {"ws": ws, "links": links, "workspace_title": _title(ws), **extra}


def staff_page(view: View) -> View:
    """Require a signed-in user (to the login page otherwise) and resolve the workspace of the address."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, **target: str) -> HttpResponse:
        page_kwargs = {name: target.pop(name) for name in list(target) if name not in ("key", "slug")}
        ws = _workspace(request, target)
        return view(request, ws, target, **page_kwargs)

    return wrapper


# --- The start page and the data dictionary ---------------------------------------------------


@require_safe
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """List the authorities the user works for, each with its procedures."""
    rows = [
        {
            "authority": authority,
            "url": reverse("workspace:authority", kwargs={"key": authority.key}),
            "procedures": [
                {"procedure": procedure, "url": reverse("workspace:procedure", kwargs={"slug": procedure.slug})}
                for procedure in procedures
            ],
        }
        for authority, procedures in scope.workspaces_of(request.user)
    ]
    return render(request, "workspace/start.html", {"rows": rows})


@require_safe
@login_required
def dictionary(request: HttpRequest) -> HttpResponse:
    """Describe every column of the exports."""
    return render(request, "workspace/dictionary.html", {"entries": services.data_dictionary()})


# --- Map and list -----------------------------------------------------------------------------


def _geojson(value: str | dict[str, Any]) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


def _category_names(selection: Selection) -> dict[str, str]:
    """Return the names of the workspace's category codes, contributions' pseudo-category included."""
    field: Any = selection.form.fields["category"]
    return {**{str(code): str(name) for code, name in field.choices}, selectors.CONTRIBUTION_CATEGORY: _("Beitrag")}


def _named_counts(cluster: Any, names: dict[str, str]) -> dict[str, list[tuple[str, int]]]:
    """Return a cluster's counts with the names people read: categories by name, statuses by label."""
    return {
        "categories": [(names.get(code, code), count) for code, count in _largest_first(cluster.by_category)],
        "statuses": [(_status_label(status), count) for status, count in _largest_first(cluster.by_status)],
    }


def _cluster_features(clusters: Iterable[Any], links: Links, query: str, names: dict[str, str]) -> dict[str, Any]:
    """Return the clusters as GeoJSON for the map: hull, size, counts and the address of their page."""
    features = []
    for cluster in clusters:
        counts = _named_counts(cluster, names)
        features.append(
            {
                "type": "Feature",
                "geometry": cluster.hull,
                "properties": {
                    "key": cluster.key,
                    "size": cluster.size,
                    "categories": counts["categories"],
                    "statuses": counts["statuses"],
                    "center": list(cluster.center),
                    "url": f"{links.cluster(cluster.key)}?{query}",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _map_labels() -> dict[str, str]:
    return {
        "cluster": _("Cluster mit %(count)s Einträgen – öffnen"),
        "cell": _("%(count)s Einträge in dieser Zelle"),
        "none": _("Keine Einträge für diese Auswahl."),
        "error": _("Die Karte konnte nicht geladen werden."),
        "open": _("Cluster öffnen"),
        "points": _("%(count)s Einträge auf der Karte."),
        "clusters": _("%(count)s Cluster auf der Karte."),
        "cells": _("%(count)s Zellen auf der Karte."),
        "heat": _("Heatmap aus %(count)s Einträgen."),
        "cellLegend": _("Einträge je Zelle"),
        "reportKind": _("Meldung"),
        "contributionKind": _("Beitrag"),
        "hotspotLegend": _("Zuwachs je Ort"),
        "tooMany": _("Zu viele Einträge für einzelne Punkte; bitte Filter, Cluster, Raster oder Heatmap nutzen."),
    }


def _points(ws: Workspace, flt: FeedbackFilter) -> dict[str, Any]:
    collection = _geojson(selectors.feedback_geojson(ws, flt))
    features = collection.get("features", [])
    if len(features) > MAX_MAP_POINTS:
        return {"type": "FeatureCollection", "features": [], "truncated": len(features)}
    return collection


def _map_data(
    ws: Workspace, selection: Selection, settings: dict[str, Any], clusters: list[Any], links: Links, query: str
) -> dict[str, Any]:
    """Return what the map draws for the chosen layer, all of it the page's own selection."""
    layer = settings["layer"]
    data: dict[str, Any] = {"layer": layer, "labels": _map_labels()}
    if layer == "clusters":
        data["clusters"] = _cluster_features(clusters, links, query, _category_names(selection))
        data["points"] = _points(ws, selection.flt)
    elif layer in ("grid", "hexagon"):
        shape: Literal["square", "hexagon"] = "square" if layer == "grid" else "hexagon"
        data["cells"] = _geojson(selectors.grid_cells(ws, selection.flt, cell_m=settings["cell"], shape=shape))
    elif layer == "heatmap":
        data["heat"] = [list(point) for point in selectors.heat_points(ws, selection.flt)]
    else:
        data["points"] = _points(ws, selection.flt)
    data["bounds"] = _bounds(ws)
    data["context"] = _context_boundaries(data["bounds"])
    data["live"] = _live_switch(selection, links)
    return data


def _context_boundaries(bounds: list[list[float]]) -> dict[str, str]:
    """Return where the map finds the boundaries it draws as quiet context: the Gemeinden around the area."""
    (south, west), (north, east) = bounds
    kinds = f"{AuthorityKind.GEMEINDE},{AuthorityKind.KREISFREIE_STADT}"
    bbox = f"{west:.5f},{south:.5f},{east:.5f},{north:.5f}"
    return {
        "url": f"{reverse('geo:authority-list')}?{urlencode({'kind': kinds, 'bbox': bbox})}",
        "attribution": str(BKG_VG5000.html()),
    }


# A cluster key in the address template the map's script fills in.
_KEY_PLACEHOLDER = "__KEY__"


def _live_switch(selection: Selection, links: Links) -> dict[str, Any]:
    """Return what the map's script needs to switch layers without reloading: the API and the names."""
    api = {
        op: reverse(f"workspace-api:{links.prefix}-{op}", kwargs=links.target)
        for op in ("features", "clusters", "grid", "heatmap")
    }
    return {
        "api": api,
        "query": selection.query,
        "clusterUrl": links.cluster(_KEY_PLACEHOLDER),
        "placeholder": _KEY_PLACEHOLDER,
        "categoryNames": _category_names(selection),
        "statusNames": {str(status): str(label) for status, label in ReportStatus.choices},
        "noStatus": _("ohne Status (Beitrag)"),
        "maxPoints": MAX_MAP_POINTS,
    }


def _bounds(ws: Workspace) -> list[list[float]]:
    """Return the workspace's area as Leaflet bounds, where the map starts before data arrives."""
    geometry = ws.procedure.area if ws.procedure is not None else ws.authority.boundary
    min_x, min_y, max_x, max_y = geometry.extent
    corners = crs_module.transform_coords([(min_x, min_y), (max_x, max_y)], crs_module.STORAGE, crs_module.CRS84)
    return [[float(corners[0][1]), float(corners[0][0])], [float(corners[1][1]), float(corners[1][0])]]


def _map_form(query: QueryDict) -> MapForm:
    """Return the map settings of a query; those it leaves out keep their defaults (and show them)."""
    if not any(name in query for name in MAP_PARAMETERS):
        return MapForm(initial=MapForm.DEFAULTS)
    data = query.copy()
    for name, default in MapForm.DEFAULTS.items():
        if not data.get(name):
            data[name] = str(default)
    return MapForm(data)


@require_safe
@staff_page
def workspace(request: HttpRequest, ws: Workspace, target: dict[str, str]) -> HttpResponse:
    """Show the feedback of the selection on a map and in a list, with its clusters."""
    links = _links(target)
    selection = _selection(request, ws)
    map_form = _map_form(request.GET)
    settings = map_form.settings()
    error = selection.error
    clusters: list[Any] = []
    page: Any = None
    map_data: dict[str, Any] = {}
    query = _join(selection.query, _map_query(settings))
    try:
        clusters = list(
            selectors.dbscan_clusters(ws, selection.flt, eps_m=settings["eps"], min_points=settings["min_points"])
        )
        page = selectors.feedback_page(ws, selection.flt, after=request.GET.get("after") or None, limit=ITEMS_PER_PAGE)
        map_data = _map_data(ws, selection, settings, clusters, links, query)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        error = exc.message
    names = _category_names(selection)
    context = _context(
        request,
        ws,
        target,
        selection=selection,
        map_form=map_form,
        settings=settings,
        clusters=[
            {"cluster": cluster, "url": f"{links.cluster(cluster.key)}?{query}", **_named_counts(cluster, names)}
            for cluster in clusters
        ],
        page=page,
        next_url=f"?{_join(query, urlencode({'after': page.next_cursor}))}" if page and page.next_cursor else None,
        map_data=map_data,
        error=error,
        query=query,
        filter_query=selection.query,
    )
    return render(request, "workspace/workspace.html", context, status=400 if error else 200)


@require_safe
@staff_page
def cluster(request: HttpRequest, ws: Workspace, target: dict[str, str], cluster: str) -> HttpResponse:
    """Show one cluster: its counts by category and status, its members, and its place on a map."""
    links = _links(target)
    selection = _selection(request, ws)
    if selection.error:
        raise Http404
    settings = _map_form(request.GET).settings()
    try:
        detail = selectors.cluster_detail(
            ws, selection.flt, eps_m=settings["eps"], min_points=settings["min_points"], key=cluster
        )
    except NotFound:
        raise Http404 from None
    found, items = detail.cluster, detail.items
    names = _category_names(selection)
    query = _join(selection.query, _map_query(settings))
    map_data: dict[str, Any] = {
        "layer": "cluster",
        "labels": _map_labels(),
        "clusters": _cluster_features([found], links, query, names),
        "points": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [item.lon, item.lat]},
                    "properties": {"title": item.title, "url": item.url},
                }
                for item in items
                if item.lon is not None and item.lat is not None
            ],
        },
        "bounds": _bounds(ws),
    }
    map_data["context"] = _context_boundaries(map_data["bounds"])
    context = _context(
        request,
        ws,
        target,
        cluster=found,
        items=items,
        counts=_named_counts(found, names),
        back_url=f"{links.home}?{query}",
        filter_query=selection.query,
        map_data=map_data,
        settings=settings,
    )
    return render(request, "workspace/cluster.html", context)


def _largest_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda row: (-row[1], row[0]))


def _status_label(status: str) -> str:
    """Return a report status's name; contributions have none."""
    if status in ReportStatus.values:
        return str(ReportStatus(status).label)
    return status or _("ohne Status (Beitrag)")


# --- Hotspots and charts ----------------------------------------------------------------------


@require_safe
@staff_page
def hotspots(request: HttpRequest, ws: Workspace, target: dict[str, str]) -> HttpResponse:
    """Rank the places whose feedback grew the most between two periods; chart the counts per week and category."""
    links = _links(target)
    selection = _selection(request, ws)
    form = HotspotForm.from_query(request.GET)
    periods = form.periods()
    error = selection.error
    ranked: list[Any] = []
    weekly: list[Any] = []
    categories: list[Any] = []
    try:
        ranked = list(
            selectors.hotspots(
                ws,
                selection.flt,
                before=(periods["before_start"], periods["before_end"]),
                after=(periods["after_start"], periods["after_end"]),
                cell_m=periods["cell"],
            )
        )
        weekly = list(selectors.weekly_counts(ws, selection.flt))
        categories = list(selectors.category_counts(ws, selection.flt))
    except ApplicationError as exc:
        error = exc.message
    map_data: dict[str, Any] = {
        "layer": "hotspots",
        "labels": {
            **_map_labels(),
            "hotspot": _("Rang %(rank)s: %(before)s → %(after)s"),
        },
        "cells": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": _geojson(hotspot.cell),
                    "properties": {
                        "rank": hotspot.rank,
                        "count": hotspot.count_after,
                        "before": hotspot.count_before,
                        "after": hotspot.count_after,
                        "growth": hotspot.growth,
                    },
                }
                for hotspot in ranked
            ],
        },
    }
    map_data["bounds"] = _bounds(ws)
    map_data["context"] = _context_boundaries(map_data["bounds"])
    context = _context(
        request,
        ws,
        target,
        selection=selection,
        form=form,
        hotspots=ranked,
        periods=periods,
        weekly=charts.weekly_table(weekly),
        categories=charts.category_table(categories),
        weekly_png=f"{links.weekly_png}?{selection.query}",
        categories_png=f"{links.categories_png}?{selection.query}",
        map_data=map_data,
        error=error,
        filter_query=selection.query,
    )
    return render(request, "workspace/hotspots.html", context, status=400 if error else 200)


def _png_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="image/png")
    # "Als PNG speichern" keeps a telling file name.
    response["Content-Disposition"] = f'inline; filename="{name}.png"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@staff_page
def chart_weekly(request: HttpRequest, ws: Workspace, target: dict[str, str]) -> HttpResponse:
    """Draw the counts per week, stacked by category, as a PNG."""
    selection = _selection(request, ws)
    if selection.error:
        return HttpResponse(selection.error, status=400, content_type="text/plain; charset=utf-8")
    return _png_response(charts.weekly_png(selectors.weekly_counts(ws, selection.flt)), "eingaenge-pro-woche")


@require_safe
@staff_page
def chart_categories(request: HttpRequest, ws: Workspace, target: dict[str, str]) -> HttpResponse:
    """Draw the counts per category as a PNG."""
    selection = _selection(request, ws)
    if selection.error:
        return HttpResponse(selection.error, status=400, content_type="text/plain; charset=utf-8")
    return _png_response(
        charts.categories_png(selectors.category_counts(ws, selection.flt)), "eingaenge-nach-kategorie"
    )


# --- Duplicates -------------------------------------------------------------------------------


@require_safe
@staff_page
def duplicates(request: HttpRequest, ws: Workspace, target: dict[str, str]) -> HttpResponse:
    """List candidate pairs of duplicate reports, the likeliest first, each with a form to merge it."""
    selection = _selection(request, ws)
    error = selection.error
    pairs: list[Any] = []
    try:
        pairs = list(selectors.duplicate_pairs(ws, selection.flt))
    except ApplicationError as exc:
        error = exc.message
    rows = [
        {
            "pair": pair,
            "a_id": pair.a.id,
            "b_id": pair.b.id,
            "sides": [{"item": pair.a, "id": pair.a.id}, {"item": pair.b, "id": pair.b.id}],
            "keep": _older(pair),
            "similarity": round(float(pair.similarity) * 100),
        }
        for pair in pairs
    ]
    context = _context(
        request,
        ws,
        target,
        selection=selection,
        rows=rows,
        error=error,
        filter_query=selection.query,
        may_merge=ws.scope.may(ws.authority.pk, Role.PROCESSOR),
    )
    return render(request, "workspace/duplicates.html", context, status=400 if error else 200)


def _older(pair: Any) -> str:
    """Suggest keeping the earlier report: later ones usually repeat it."""
    return "b" if pair.b.created_at < pair.a.created_at else "a"


@require_POST
@staff_page
def merge(request: HttpRequest, ws: Workspace, target: dict[str, str]) -> HttpResponse:
    """Merge one pair: the report not kept becomes a duplicate of the one kept, in one step."""
    links = _links(target)
    back = f"{links.duplicates}?{_clean_query(request.POST.get('query', ''))}".rstrip("?")
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie aus, welche Meldung bleibt."))
        return HttpResponseRedirect(back)
    duplicate_id, original_id = form.ids()
    try:
        services.reports_merge(
            user=request.user, ws=ws, duplicate_id=duplicate_id, original_id=original_id, note=form.cleaned_data["note"]
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    messages.success(
        request,
        _("Meldung #%(duplicate)s ist jetzt als Duplikat von Meldung #%(original)s markiert.")
        % {"duplicate": duplicate_id, "original": original_id},
    )
    return HttpResponseRedirect(back)


def _clean_query(raw: str) -> str:
    """Return only the filter parameters of a query string sent back by a form."""
    query = QueryDict(raw[:2000])
    return urlencode([(name, value) for name in FILTER_PARAMETERS for value in query.getlist(name)])


# --- Export -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def export(request: HttpRequest, ws: Workspace, target: dict[str, str]) -> HttpResponse:
    """Offer the selection as CSV, GeoJSON or GeoPackage; POST downloads it."""
    selection = _selection(request, ws)
    form = ExportForm(
        request.POST if request.method == "POST" else None, may_see_personal_data=ws.may_see_personal_data
    )
    error = selection.error
    if request.method == "POST" and not error and form.is_valid():
        try:
            exported = services.export_feedback(
                user=request.user,
                ws=ws,
                flt=selection.flt,
                fmt=form.cleaned_data["format"],
                crs=form.cleaned_data["crs"],
                personal=bool(form.cleaned_data.get("personal")),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            response = HttpResponse(exported.content, content_type=exported.content_type)
            response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
            response["Cache-Control"] = "private, no-store"
            response["X-Content-Type-Options"] = "nosniff"
            return response
    context = _context(
        request,
        ws,
        target,
        selection=selection,
        form=form,
        error=error,
        filter_query=selection.query,
        summary=_filter_summary(selection),
        total=None if selection.error else selectors.feedback_page(ws, selection.flt, limit=1).total,
    )
    status = 400 if error else 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "workspace/export.html", context, status=status)


def _filter_summary(selection: Selection) -> list[tuple[str, str]]:
    """Return the active filters as (label, value) pairs, to say what the download contains."""
    form = selection.form
    rows: list[tuple[str, str]] = []
    for name, values in filters.filter_to_query(selection.flt).items():
        if name not in form.fields or not values:
            continue
        field: Any = form.fields[name]
        values = [value for value in values if value]
        if not values:
            continue
        if name in ("start", "end"):
            shown = [date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT") for value in values]
        else:
            choices = dict(getattr(field, "choices", []) or [])
            shown = [str(choices.get(value, value)) for value in values]
        rows.append((str(field.label), ", ".join(shown)))
    return rows
