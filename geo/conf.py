"""Typed access to the geo settings (settings.BK_GEO)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from geo.nrw import nrw_area
from geo.validation import Area


@dataclass(frozen=True, slots=True)
class GeoSettings:
    """The geo settings, typed."""

    max_vertices: int
    nrw_buffer_m: float
    nrw_boundary_file: Path
    proj_grid_dirs: tuple[str, ...]


def geo_settings() -> GeoSettings:
    """Return the geo settings as configured now."""
    raw = settings.BK_GEO
    return GeoSettings(
        max_vertices=int(raw["MAX_VERTICES"]),
        nrw_buffer_m=float(raw["NRW_BUFFER_M"]),
        nrw_boundary_file=Path(raw["NRW_BOUNDARY_FILE"]),
        proj_grid_dirs=tuple(str(d) for d in raw["PROJ_GRID_DIRS"]),
    )


def configured_nrw_area() -> Area:
    """Return NRW with the configured buffer."""
    conf = geo_settings()
    return nrw_area(conf.nrw_boundary_file, conf.nrw_buffer_m)
