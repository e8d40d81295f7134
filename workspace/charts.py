"""Charts of the workspace as PNG images, drawn with matplotlib, and the same numbers as tables.

Figures are built with matplotlib's object API on the Agg canvas, never pyplot: pyplot keeps global
state (and picks a GUI backend) that concurrent requests would share.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Colour-blind-safe (Okabe–Ito), our blue first; categories beyond it repeat with a hatch.
PALETTE = ("#005ca9", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
HATCHES = ("", "//", "..", "xx")
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 100


@dataclass(frozen=True)
class Table:
    """A chart's numbers for people who cannot see it: column headings and rows."""

    columns: list[str]
    rows: list[list[str | int]]
    totals: list[int]


def _weeks(rows: Sequence[tuple[datetime.date, str, int]]) -> list[datetime.date]:
    """Return every week from the first to the last with data: a quiet week is a zero, not a gap."""
    present = {week for week, _category, _count in rows}
    if not present:
        return []
    first, last = min(present), max(present)
    return [first + datetime.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def weekly_table(rows: Sequence[tuple[datetime.date, str, int]]) -> Table:
    """Return counts per ISO week (rows) and category (columns)."""
    categories = sorted({category for _week, category, _count in rows})
    weeks = _weeks(rows)
    counts = {(week, category): count for week, category, count in rows}
    body: list[list[str | int]] = []
    for week in weeks:
        iso = week.isocalendar()
        label = _("KW %(week)s/%(year)s (ab %(date)s)") % {
            "week": iso.week,
            "year": iso.year,
            "date": week.strftime("%d.%m.%Y"),
        }
        values = [counts.get((week, category), 0) for category in categories]
        body.append([label, *values, sum(values)])
    totals = [sum(counts.get((week, category), 0) for week in weeks) for category in categories]
    return Table(columns=[_("Woche"), *categories, _("Summe")], rows=body, totals=[*totals, sum(totals)])


def category_table(rows: Sequence[tuple[str, int]]) -> Table:
    """Return counts per category, the largest first."""
    ordered = sorted(rows, key=lambda row: (-row[1], row[0]))
    return Table(
        columns=[_("Kategorie"), _("Anzahl")],
        rows=[[name, count] for name, count in ordered],
        totals=[sum(count for _name, count in ordered)],
    )


def _png(figure: Figure) -> bytes:
    buffer = BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)  # type: ignore[no-untyped-call]  # matplotlib leaves it untyped
    return buffer.getvalue()


def _empty(figure: Figure, title: str) -> bytes:
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.text(0.5, 0.5, _("Keine Daten für diese Auswahl"), ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()
    return _png(figure)


def weekly_png(rows: Sequence[tuple[datetime.date, str, int]]) -> bytes:
    """Draw the counts per week as bars stacked by category."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    title = _("Eingänge pro Woche nach Kategorie")
    if not rows:
        return _empty(figure, title)
    categories = sorted({category for _week, category, _count in rows})
    weeks = _weeks(rows)
    counts = {(week, category): count for week, category, count in rows}
    axes = figure.add_subplot()
    bottoms = [0] * len(weeks)
    positions = list(range(len(weeks)))
    for index, category in enumerate(categories):
        heights = [counts.get((week, category), 0) for week in weeks]
        axes.bar(
            positions,
            heights,
            bottom=bottoms,
            label=category,
            color=PALETTE[index % len(PALETTE)],
            hatch=HATCHES[(index // len(PALETTE)) % len(HATCHES)],
            edgecolor="white",
            linewidth=0.5,
        )
        bottoms = [bottom + height for bottom, height in zip(bottoms, heights, strict=True)]
    step = max(1, len(weeks) // 12)
    ticks = [
        _("KW %(week)s\n%(year)s") % {"week": week.isocalendar().week, "year": week.isocalendar().year}
        for week in weeks[::step]
    ]
    axes.set_xticks(positions[::step], ticks)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(_("Anzahl"))
    axes.set_xlabel(_("Kalenderwoche"))
    axes.set_title(title)
    # Top to bottom, as the bars are stacked.
    handles, labels = axes.get_legend_handles_labels()
    axes.legend(
        handles[::-1], labels[::-1], fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False
    )
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def categories_png(rows: Sequence[tuple[str, int]]) -> bytes:
    """Draw the counts per category as horizontal bars, the largest on top."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    title = _("Eingänge nach Kategorie")
    if not rows:
        return _empty(figure, title)
    ordered = sorted(rows, key=lambda row: (row[1], row[0]))
    axes = figure.add_subplot()
    bars = axes.barh([name for name, _count in ordered], [count for _name, count in ordered], color=PALETTE[0])
    axes.bar_label(bars, padding=3)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(_("Anzahl"))
    axes.set_title(title)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
