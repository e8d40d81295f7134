"""Reads of the planner workspace: lists, clusters, grids, heatmaps, hotspots, charts and duplicate pairs.

Every aggregation runs in PostGIS, in metres of EPSG:25832, from the `.sql` files in workspace/sql;
only the results are transformed to lon/lat. Python never loops over the filtered rows.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.errors import BadRequest, NotFound
from procedures.models import Procedure
from reports.models import Photo, ReportStatus
from workspace.filters import FeedbackFilter, InvalidQuery, day_start
from workspace.scope import Workspace

_SQL_DIR: Final = Path(__file__).resolve().parent / "sql"
EPS_RANGE: Final = (1.0, 5000.0)
MIN_POINTS_RANGE: Final = (2, 1000)
CELL_RANGE: Final = (10.0, 50000.0)
MAX_PAGE: Final = 200
# A hull of one or two distinct places is a point or a line: drawn as a small area around them.
HULL_BUFFER_M: Final = 5.0
# Contributions have no category: they are counted under this code, named "Beitrag".
CONTRIBUTION_CATEGORY: Final = "beitrag"


class ClusterNotFound(NotFound):
    """No cluster of the current filter has this key (the data or the parameters changed)."""

    code = "cluster_not_found"
    default_message = _("Diesen Cluster gibt es mit den gewählten Einstellungen nicht (mehr).")


class UnknownProcedure(BadRequest):
    """The procedure filter names a procedure outside the workspace."""

    code = "unknown_procedure"
    default_message = _("Das Verfahren „%(slug)s“ gibt es in diesem Arbeitsbereich nicht.")


# --- SQL ------------------------------------------------------------------------------------


@cache
def sql_template(name: str) -> str:
    """Return the text of one of the workspace's .sql files."""
    return (_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _procedure(ws: Workspace, flt: FeedbackFilter) -> Procedure | None:
    if flt.procedure is None:
        return ws.procedure
    if ws.procedure is not None and flt.procedure == ws.procedure.slug:
        return ws.procedure
    procedure = Procedure.objects.filter(slug=flt.procedure, authority=ws.authority).first()
    if procedure is None or (ws.procedure is not None and procedure.pk != ws.procedure.pk):
        raise UnknownProcedure(slug=flt.procedure[:80])
    return procedure


def _like(text: str) -> str:
    """Return an ILIKE pattern that finds the text as it is: % and _ mean themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def conditions(ws: Workspace, flt: FeedbackFilter, params: dict[str, Any]) -> tuple[str, str]:
    """Return the WHERE fragments for reports (r, c) and contributions (k, p); values go into `params`."""
    reports = ["r.authority_id = %(ws_authority)s"]
    contributions = ["p.authority_id = %(ws_authority)s"]
    params["ws_authority"] = ws.authority.pk
    params["contribution_category_name"] = gettext("Beitrag")
    procedure = _procedure(ws, flt)
    if procedure is not None:
        params["ws_procedure"] = procedure.pk
        contributions.append("k.procedure_id = %(ws_procedure)s")
        # The procedure's area is read in the statement: the column is never transformed.
        reports.append("ST_Intersects(r.location, (SELECT area FROM procedures_procedure WHERE id = %(ws_procedure)s))")
    if "reports" not in flt.sources:
        reports.append("FALSE")
    if "contributions" not in flt.sources:
        contributions.append("FALSE")
    if flt.start_at is not None:
        params["flt_start"] = flt.start_at
        reports.append("r.created_at >= %(flt_start)s")
        contributions.append("k.created_at >= %(flt_start)s")
    if flt.end_before is not None:
        params["flt_end"] = flt.end_before
        reports.append("r.created_at < %(flt_end)s")
        contributions.append("k.created_at < %(flt_end)s")
    if flt.categories:
        params["flt_categories"] = list(flt.categories)
        reports.append("c.code = ANY(%(flt_categories)s)")
    if flt.statuses:
        params["flt_statuses"] = list(flt.statuses)
        reports.append("r.status = ANY(%(flt_statuses)s)")
    if flt.text:
        params["flt_text"] = _like(flt.text)
        reports.append("r.description ILIKE %(flt_text)s")
        contributions.append("k.text ILIKE %(flt_text)s")
    return " AND ".join(reports), " AND ".join(contributions)


def feedback_sql(ws: Workspace, flt: FeedbackFilter, params: dict[str, Any]) -> str:
    """Return the SELECT of the filtered feedback (key, kind, id, geom, category, …) with its params filled in."""
    report_conditions, contribution_conditions = conditions(ws, flt, params)
    return (
        sql_template("feedback")
        .replace("{report_conditions}", report_conditions)
        .replace("{contribution_conditions}", contribution_conditions)
    )


def fetch_all(sql: str, params: dict[str, Any]) -> list[Any]:
    """Run one statement without JIT compilation and return its rows.

    The planner prices ST_ClusterDBSCAN and the aggregations high, so PostgreSQL would JIT-compile
    them: 130 ms of compiling for a 70 ms query (Köln, 1,000,000 reports). Off for this statement only.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def run_feedback_sql(
    name: str, ws: Workspace, flt: FeedbackFilter, params: dict[str, Any], **fragments: str
) -> list[Any]:
    """Run one of the .sql files over the filtered feedback and return its rows."""
    sql = sql_template(name).replace("{feedback}", feedback_sql(ws, flt, params))
    for placeholder, fragment in fragments.items():
        sql = sql.replace("{" + placeholder + "}", fragment)
    return fetch_all(sql, params)


# --- Items ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackItem:
    """One report or contribution as the workspace lists it."""

    key: str
    kind: str
    id: int
    category: str
    category_name: str
    status: str
    status_name: str
    created_at: datetime.datetime
    excerpt: str
    lon: float | None
    lat: float | None
    url: str
    photos: tuple[str, ...]
    title: str


@dataclass(frozen=True)
class FeedbackPage:
    """A page of the list, the cursor of the next page, and how many rows the filter selects."""

    items: list[FeedbackItem]
    next_cursor: str | None
    total: int


def _status_name(status: str) -> str:
    return str(ReportStatus(status).label) if status in ReportStatus.values else ""


def _items(rows: Sequence[Sequence[Any]]) -> list[FeedbackItem]:
    report_ids = [int(row[2]) for row in rows if row[1] == "report"]
    thumbnails: dict[int, list[str]] = {}
    for photo in Photo.objects.filter(report_id__in=report_ids).order_by("position", "created_at"):
        url = reverse("reports-media:photo-thumbnail", kwargs={"pk": photo.pk})
        thumbnails.setdefault(int(photo.report_id or 0), []).append(url)
    items = []
    for key, kind, pk, category, category_name, status, created_at, excerpt, lon, lat, title in rows:
        if kind == "report":
            url = reverse("admin:reports_report_change", args=[pk])
        else:
            url = reverse("admin:procedures_contribution_change", args=[pk])
        items.append(
            FeedbackItem(
                key=key,
                kind=kind,
                id=int(pk),
                category=category,
                category_name=category_name,
                status=status,
                status_name=_status_name(status),
                created_at=created_at,
                excerpt=excerpt,
                lon=None if lon is None else round(float(lon), 7),
                lat=None if lat is None else round(float(lat), 7),
                url=url,
                photos=tuple(thumbnails.get(int(pk), ())) if kind == "report" else (),
                title=title,
            )
        )
    return items


def _encode_cursor(item: FeedbackItem) -> str:
    raw = json.dumps([item.created_at.isoformat(), item.key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime.datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, key = json.loads(raw)
        return datetime.datetime.fromisoformat(stamp), str(key)
    except (ValueError, TypeError, binascii.Error):
        raise InvalidQuery(name="after", reason=_("Die Seitenmarke ist ungültig.")) from None


def feedback_page(ws: Workspace, flt: FeedbackFilter, *, after: str | None = None, limit: int = 50) -> FeedbackPage:
    """Return one page of the filtered feedback, newest first, with the cursor of the next page."""
    limit = max(1, min(limit, MAX_PAGE))
    params: dict[str, Any] = {"limit": limit + 1}
    item_conditions = "TRUE"
    if after:
        params["after_at"], params["after_key"] = _decode_cursor(after)
        item_conditions = "(created_at, key) < (%(after_at)s, %(after_key)s)"
    rows = run_feedback_sql("items", ws, flt, params, item_conditions=item_conditions)
    items = _items(rows[:limit])
    total = feedback_count(ws, flt)
    next_cursor = _encode_cursor(items[-1]) if len(rows) > limit else None
    return FeedbackPage(items=items, next_cursor=next_cursor, total=total)


def feedback_count(ws: Workspace, flt: FeedbackFilter) -> int:
    """Return how many reports and contributions the filter selects."""
    return int(run_feedback_sql("count", ws, flt, {})[0][0])


def workspace_report_ids(ws: Workspace, ids: Sequence[int]) -> set[int]:
    """Return those of the ids that are reports of the workspace, whatever the list's filter shows."""
    params: dict[str, Any] = {"ids": list(ids)}
    report_conditions, _contributions = conditions(ws, FeedbackFilter(), params)
    rows = fetch_all(sql_template("report_ids").replace("{report_conditions}", report_conditions), params)
    return {int(row[0]) for row in rows}


def feedback_items(ws: Workspace, flt: FeedbackFilter, keys: Sequence[str]) -> list[FeedbackItem]:
    """Return the items of these keys that the filter selects, newest first."""
    params: dict[str, Any] = {"keys": list(keys), "limit": len(keys)}
    return _items(run_feedback_sql("items", ws, flt, params, item_conditions="key = ANY(%(keys)s)"))


def feedback_geojson(ws: Workspace, flt: FeedbackFilter) -> str:
    """Return the filtered feedback as a GeoJSON FeatureCollection of points (lon/lat)."""
    return str(run_feedback_sql("features", ws, flt, {})[0][0])


# --- Clusters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """A DBSCAN cluster: its size, counts, hull (GeoJSON, lon/lat), centre and member keys."""

    key: str
    size: int
    by_category: dict[str, int]
    by_status: dict[str, int]
    hull: dict[str, Any]
    center: tuple[float, float]
    members: list[str]


@dataclass(frozen=True)
class ClusterDetail:
    """A cluster and its members as list items."""

    cluster: Cluster
    items: list[FeedbackItem]


def check_range(name: str, value: float, bounds: tuple[float, float]) -> None:
    """Raise a 400 naming the parameter unless `value` lies within `bounds`."""
    low, high = bounds
    if not low <= value <= high:
        raise InvalidQuery(
            name=name,
            reason=_("erlaubt sind Werte von %(low)s bis %(high)s.") % {"low": f"{low:g}", "high": f"{high:g}"},
        )


def dbscan_clusters(ws: Workspace, flt: FeedbackFilter, *, eps_m: float, min_points: int) -> list[Cluster]:
    """Return the DBSCAN clusters (eps in metres) of the filtered feedback, largest first."""
    check_range("eps", eps_m, EPS_RANGE)
    check_range("min_points", min_points, MIN_POINTS_RANGE)
    params: dict[str, Any] = {"eps": float(eps_m), "min_points": int(min_points), "hull_buffer_m": HULL_BUFFER_M}
    return [
        Cluster(
            key=key,
            size=int(size),
            by_category=json.loads(by_category),
            by_status=json.loads(by_status),
            hull=json.loads(hull),
            center=(round(float(lon), 7), round(float(lat), 7)),
            members=list(members),
        )
        for key, size, by_category, by_status, hull, lon, lat, members in run_feedback_sql("clusters", ws, flt, params)
    ]


def cluster_detail(ws: Workspace, flt: FeedbackFilter, *, eps_m: float, min_points: int, key: str) -> ClusterDetail:
    """Return one cluster by key with its members as items; raise ClusterNotFound if no cluster has the key."""
    for cluster in dbscan_clusters(ws, flt, eps_m=eps_m, min_points=min_points):
        if cluster.key == key:
            return ClusterDetail(cluster=cluster, items=feedback_items(ws, flt, cluster.members))
    raise ClusterNotFound()


# --- Grids, heatmap, hotspots ---------------------------------------------------------------


def grid_cells(ws: Workspace, flt: FeedbackFilter, *, cell_m: float, shape: Literal["square", "hexagon"]) -> str:
    """Return the cells holding feedback as a FeatureCollection (lon/lat) with count and counts by category."""
    check_range("cell", cell_m, CELL_RANGE)
    name = "grid_hexagon" if shape == "hexagon" else "grid_square"
    return str(run_feedback_sql(name, ws, flt, {"cell": float(cell_m)})[0][0])


def heat_points(ws: Workspace, flt: FeedbackFilter, *, cell_m: float = 25.0) -> list[tuple[float, float, float]]:
    """Return heatmap points (lat, lon, weight): the feedback counted per small square cell."""
    check_range("cell", cell_m, CELL_RANGE)
    return [
        (round(float(lat), 6), round(float(lon), 6), float(weight))
        for lat, lon, weight in run_feedback_sql("heat", ws, flt, {"cell": float(cell_m)})
    ]


@dataclass(frozen=True)
class Hotspot:
    """A place (square cell) whose feedback grew between two periods."""

    rank: int
    cell: dict[str, Any]
    center: tuple[float, float]
    count_before: int
    count_after: int
    growth: int
    ratio: float | None


def _period(name: str, period: tuple[datetime.date, datetime.date]) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = period
    if end < start:
        raise InvalidQuery(name=name, reason=_("Das Ende liegt vor dem Beginn."))
    return day_start(start), day_start(end + datetime.timedelta(days=1))


def hotspots(
    ws: Workspace,
    flt: FeedbackFilter,
    *,
    before: tuple[datetime.date, datetime.date],
    after: tuple[datetime.date, datetime.date],
    cell_m: float,
    limit: int = 20,
) -> list[Hotspot]:
    """Return the cells whose feedback grew most from the period `before` to the period `after`."""
    check_range("cell", cell_m, CELL_RANGE)
    check_range("limit", limit, (1, 500))
    before_start, before_end = _period("before", before)
    after_start, after_end = _period("after", after)
    # The two periods replace the filter's own; everything else of the filter applies.
    spanning = replace(flt, start=min(before[0], after[0]), end=max(before[1], after[1]))
    params: dict[str, Any] = {
        "cell": float(cell_m),
        "limit": int(limit),
        "before_start": before_start,
        "before_end": before_end,
        "after_start": after_start,
        "after_end": after_end,
    }
    return [
        Hotspot(
            rank=rank,
            cell=json.loads(cell),
            center=(round(float(lon), 7), round(float(lat), 7)),
            count_before=int(count_before),
            count_after=int(count_after),
            growth=int(count_after) - int(count_before),
            ratio=round(int(count_after) / int(count_before), 3) if count_before else None,
        )
        for rank, (cell, lon, lat, count_before, count_after) in enumerate(
            run_feedback_sql("hotspots", ws, spanning, params), start=1
        )
    ]


# --- Charts ---------------------------------------------------------------------------------


def weekly_counts(ws: Workspace, flt: FeedbackFilter) -> list[tuple[datetime.date, str, int]]:
    """Return (Monday of the ISO week, category name, count), oldest week first."""
    rows = run_feedback_sql("weekly", ws, flt, {"time_zone": settings.TIME_ZONE})
    return [(week, str(name), int(count)) for week, name, count in rows]


def category_counts(ws: Workspace, flt: FeedbackFilter) -> list[tuple[str, int]]:
    """Return (category name, count), largest first."""
    return [(str(name), int(count)) for name, count in run_feedback_sql("categories", ws, flt, {})]


# --- Duplicates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicatePair:
    """Two reports that may describe the same defect: `a` the older, `b` the newer."""

    a: FeedbackItem
    b: FeedbackItem
    distance_m: float
    similarity: float
    score: float


def duplicate_pairs(
    ws: Workspace,
    flt: FeedbackFilter,
    *,
    distance_m: float = 50,
    min_similarity: float = 0.3,
    limit: int = 50,
) -> list[DuplicatePair]:
    """Return candidate duplicate pairs of reports, most likely first: near, same category, similar text."""
    check_range("distance", distance_m, (1.0, 2000.0))
    check_range("similarity", min_similarity, (0.0, 1.0))
    check_range("limit", limit, (1, 500))
    params: dict[str, Any] = {
        "distance": float(distance_m),
        "min_similarity": float(min_similarity),
        "limit": int(limit),
    }
    report_conditions, _contributions = conditions(ws, flt, params)
    rows = fetch_all(sql_template("duplicates").replace("{report_conditions}", report_conditions), params)
    keys = {f"report:{pk}" for row in rows for pk in row[:2]}
    # The pair's reports are listed whatever the period: both passed the filter above.
    by_key = {item.key: item for item in feedback_items(ws, replace(flt, start=None, end=None), sorted(keys))}
    return [
        DuplicatePair(
            a=by_key[f"report:{a_id}"],
            b=by_key[f"report:{b_id}"],
            distance_m=round(float(distance), 2),
            similarity=round(float(alike), 3),
            score=round(float(score), 4),
        )
        for a_id, b_id, distance, alike, score in rows
        if f"report:{a_id}" in by_key and f"report:{b_id}" in by_key
    ]
