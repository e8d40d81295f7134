"""The area of North Rhine-Westphalia, read from the boundary data in fixtures/."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape
from shapely.ops import unary_union

from geo.validation import Area


@lru_cache(maxsize=4)
def nrw_area(boundary_file: Path, buffer_m: float) -> Area:
    """Return NRW as an Area in EPSG:25832, widened by `buffer_m` for the generalised border.

    The file is a GeoJSON FeatureCollection in EPSG:25832 (the VG5000 Land layer).
    """
    with boundary_file.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    outline = unary_union([shape(feature["geometry"]) for feature in collection["features"]])
    return Area.of(_("Nordrhein-Westfalen"), outline, buffer_m=buffer_m)
