"""The workspace's charts: real PNG images of the expected size, and the same numbers as tables."""

from __future__ import annotations

import datetime
import struct
from io import BytesIO

from PIL import Image

from workspace import charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WEEKS = [
    (datetime.date(2026, 3, 2), "Straßenschaden", 3),
    (datetime.date(2026, 3, 2), "Müll", 1),
    (datetime.date(2026, 3, 16), "Müll", 4),
]


def png_size(data: bytes) -> tuple[int, int]:
    """Return the width and height written in a PNG's IHDR chunk."""
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_weekly_chart_is_a_png_of_800_by_400_pixels() -> None:
    data = charts.weekly_png(WEEKS)
    assert png_size(data) == (800, 400)
    with Image.open(BytesIO(data)) as image:
        image.load()
        # Something was drawn: more than the white background.
        assert len(image.convert("RGB").getcolors(maxcolors=100000) or []) > 10


def test_category_chart_is_a_png_of_800_by_400_pixels() -> None:
    assert png_size(charts.categories_png([("Müll", 5), ("Straßenschaden", 3)])) == (800, 400)


def test_charts_without_data_are_still_images() -> None:
    assert png_size(charts.weekly_png([])) == (800, 400)
    assert png_size(charts.categories_png([])) == (800, 400)


def test_many_categories_and_weeks_still_draw() -> None:
    start = datetime.date(2025, 1, 6)
    rows = [
        (start + datetime.timedelta(weeks=week), f"Kategorie {n}", n + week) for week in range(60) for n in range(12)
    ]
    assert png_size(charts.weekly_png(rows)) == (800, 400)


def test_weekly_table_has_a_row_per_week_a_column_per_category_and_totals() -> None:
    table = charts.weekly_table(WEEKS)
    assert table.columns == ["Woche", "Müll", "Straßenschaden", "Summe"]
    assert table.rows == [
        ["KW 10/2026 (ab 02.03.2026)", 1, 3, 4],
        ["KW 11/2026 (ab 09.03.2026)", 0, 0, 0],  # a quiet week is a zero, not a gap
        ["KW 12/2026 (ab 16.03.2026)", 4, 0, 4],
    ]
    assert table.totals == [5, 3, 8]


def test_category_table_is_largest_first() -> None:
    table = charts.category_table([("Müll", 2), ("Straßenschaden", 7), ("Grünfläche", 2)])
    assert table.rows == [["Straßenschaden", 7], ["Grünfläche", 2], ["Müll", 2]]
    assert table.totals == [11]
