"""Synthetic reports over NRW, clustered around the big cities plus uniform noise, loaded with COPY."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
import psycopg.sql
import shapely
from numpy.typing import NDArray

# Share of the reports scattered uniformly over the Land rather than around a city.
NOISE_SHARE = 0.2
# Gaussian spread around a city centre, in metres of EPSG:25832.
CITY_SIGMA_M = 3000.0
STATUSES = ("submitted", "confirmed", "in_progress", "resolved", "closed_not_fixed", "duplicate", "rejected")
STATUS_WEIGHTS = (0.30, 0.15, 0.20, 0.25, 0.04, 0.03, 0.03)
DESCRIPTIONS = (
    "Schlagloch auf der Fahrbahn",
    "Straßenlaterne defekt",
    "Wilder Müll am Straßenrand",
    "Grünfläche ungepflegt",
    "Gehweg beschädigt",
    "Ampel ausgefallen",
    "Verkehrsschild verdreht",
    "Glasscherben auf dem Radweg",
)
_COPY_COLUMNS = (
    "location, description, answers, status, reporter_name, reporter_email, language, confirmation_token_hash,"
    " confirmed_at, published_at, hidden_at, hidden_reason, created_at, updated_at, authority_id, category_id"
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """How long the synthetic reports took to make and to load."""

    rows: int
    generate_seconds: float
    copy_seconds: float
    index_seconds: float
    analyze_seconds: float

    @property
    def copy_rows_per_second(self) -> float:
        """Return the rows per second of the COPY alone (constraints and primary key, no secondary index)."""
        return self.rows / self.copy_seconds

    @property
    def total_rows_per_second(self) -> float:
        """Return the rows per second of COPY, index rebuild and ANALYZE together."""
        return self.rows / (self.copy_seconds + self.index_seconds + self.analyze_seconds)


def _points(conn: psycopg.Connection[tuple[object, ...]], rows: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Return `rows` points in EPSG:25832: Gaussian clusters around the big cities, and noise inside NRW."""
    land_wkb: Any = conn.execute(
        "SELECT ST_AsBinary(boundary) FROM geo_authority WHERE kind = 'land' LIMIT 1"
    ).fetchone()
    if land_wkb is None:
        raise RuntimeError("no Land boundary in geo_authority: run load_demo_data first")
    land = shapely.from_wkb(bytes(land_wkb[0]))
    shapely.prepare(land)
    # The kreisfreie Städte are NRW's big cities; weight each by its area as a rough stand-in for population.
    cities = conn.execute(
        "SELECT ST_X(c), ST_Y(c), ST_Area(boundary) FROM ("
        " SELECT ST_PointOnSurface(boundary) AS c, boundary FROM geo_authority WHERE kind = 'kreisfreie_stadt'"
        ") AS s"
    ).fetchall()
    centres = np.array([(float(x), float(y)) for x, y, _area in cities])  # type: ignore[arg-type]
    weights = np.array([float(area) for _x, _y, area in cities])  # type: ignore[arg-type]
    weights /= weights.sum()
    out = np.empty((rows, 2))
    noise = int(rows * NOISE_SHARE)
    clustered = rows - noise
    which = rng.choice(len(centres), size=clustered, p=weights)
    out[:clustered] = centres[which] + rng.normal(0.0, CITY_SIGMA_M, size=(clustered, 2))
    minx, miny, maxx, maxy = land.bounds
    filled = 0
    while filled < noise:
        candidates = rng.uniform((minx, miny), (maxx, maxy), size=(2 * (noise - filled), 2))
        inside = candidates[shapely.contains_xy(land, candidates[:, 0], candidates[:, 1])][: noise - filled]
        out[clustered + filled : clustered + filled + len(inside)] = inside
        filled += len(inside)
    rng.shuffle(out)
    return out


def _ewkb_hex(points: NDArray[np.float64], srid: int) -> list[str]:
    """Return each point as hex EWKB (little endian, with SRID), which geometry's text input accepts."""
    record = np.dtype([("order", "u1"), ("type", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")])
    packed = np.empty(len(points), dtype=record)
    packed["order"] = 1
    packed["type"] = 0x20000001  # Point with the SRID flag
    packed["srid"] = srid
    packed["x"] = points[:, 0]
    packed["y"] = points[:, 1]
    text = packed.tobytes().hex()
    width = 2 * record.itemsize
    return [text[i : i + width] for i in range(0, len(text), width)]


def _authorities(conn: psycopg.Connection[tuple[object, ...]], points: NDArray[np.float64]) -> NDArray[np.int64]:
    """Return for each point the id of the Kreis or kreisfreie Stadt whose area holds it (else the Land's)."""
    areas: list[Any] = conn.execute(
        "SELECT id, ST_AsBinary(boundary) FROM geo_authority WHERE kind IN ('kreis', 'kreisfreie_stadt') ORDER BY id"
    ).fetchall()
    land: Any = conn.execute("SELECT id FROM geo_authority WHERE kind = 'land' LIMIT 1").fetchone()
    ids = np.array([int(authority_id) for authority_id, _wkb in areas])
    tree = shapely.STRtree(shapely.from_wkb([bytes(wkb) for _id, wkb in areas]))
    point_index, area_index = tree.query(shapely.points(points), predicate="intersects")
    owners = np.full(len(points), int(land[0]), dtype=np.int64)
    owners[point_index] = ids[area_index]
    return owners


def _lines(conn: psycopg.Connection[tuple[object, ...]], rows: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    categories = conn.execute("SELECT id FROM reports_category ORDER BY id").fetchall()
    if not categories:
        raise RuntimeError("no categories: run load_demo_data first")
    located = _points(conn, rows, rng)
    # Each report belongs to the Kreis or kreisfreie Stadt where it lies, so that a Kreis's workspace has its own.
    owners = _authorities(conn, located)
    points = _ewkb_hex(located, 25832)
    category_index = rng.integers(0, len(categories), size=rows)
    status_index = rng.choice(len(STATUSES), size=rows, p=STATUS_WEIGHTS)
    description_index = rng.integers(0, len(DESCRIPTIONS), size=rows)
    now = datetime.datetime.now(tz=datetime.UTC)
    # Spread over two years, second by second; published a minute after creation.
    ages = rng.integers(0, 2 * 365 * 24 * 3600, size=rows)
    stamps = [(now - datetime.timedelta(seconds=int(age))).isoformat() for age in ages]
    published = [(now - datetime.timedelta(seconds=int(age) - 60)).isoformat() for age in ages]
    lines = []
    for i in range(rows):
        (category_id,) = categories[category_index[i]]
        authority_id = owners[i]
        lines.append(
            f"{points[i]}\t{DESCRIPTIONS[description_index[i]]}\t{{}}\t{STATUSES[status_index[i]]}\t\t\tde\t"
            f"\t{published[i]}\t{published[i]}\t\\N\t\t{stamps[i]}\t{stamps[i]}\t{authority_id}\t{category_id}\n"
        )
    return lines


def generate_and_load(conninfo: str, *, rows: int, seed: int = 25832) -> ImportResult:
    """Replace every report by `rows` synthetic ones, loaded with one text COPY, and ANALYZE the table."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        started = time.perf_counter()
        lines = _lines(conn, rows, seed)
        generated = time.perf_counter()
        conn.execute("TRUNCATE reports_report CASCADE")
        # A bulk load drops the secondary indexes and builds them once afterwards, each exactly as it was.
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes AS i"
            " WHERE i.schemaname = 'public' AND i.tablename = 'reports_report' AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)"
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(psycopg.sql.SQL("DROP INDEX {}").format(psycopg.sql.Identifier(str(name))))
        copy_started = time.perf_counter()
        with (
            conn.transaction(),
            conn.cursor() as cursor,
            cursor.copy(f"COPY reports_report ({_COPY_COLUMNS}) FROM STDIN") as copy,
        ):
            chunk = 10_000
            for start in range(0, rows, chunk):
                copy.write("".join(lines[start : start + chunk]))
        copied = time.perf_counter()
        for _name, definition in indexes:
            conn.execute(psycopg.sql.SQL(str(definition)))  # PostgreSQL's own definition of the index
        indexed = time.perf_counter()
        conn.execute("VACUUM ANALYZE reports_report")
        analyzed = time.perf_counter()
    return ImportResult(
        rows=rows,
        generate_seconds=generated - started,
        copy_seconds=copied - copy_started,
        index_seconds=indexed - copied,
        analyze_seconds=analyzed - indexed,
    )
