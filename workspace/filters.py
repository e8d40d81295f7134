"""What the planner filters by: sources, period, category, status, procedure and text, read from a query string."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import BadRequest
from reports.models import OPEN_STATUSES, ReportStatus

SOURCES: Final = frozenset({"reports", "contributions"})
# The first visit shows the open reports of the last 90 days: what staff work on, and fast for a Kreis.
DEFAULT_PERIOD_DAYS: Final = 90
DEFAULT_STATUSES: Final = tuple(sorted(str(status) for status in OPEN_STATUSES))
ALL_STATUSES: Final = "all"
MAX_TEXT: Final = 200
FILTER_PARAMS: Final = frozenset({"sources", "start", "end", "category", "status", "procedure", "q"})


class InvalidQuery(BadRequest):
    """A filter parameter the workspace cannot use."""

    code = "invalid_filter"
    default_message = _("Der Filter „%(name)s“ ist ungültig: %(reason)s")


@dataclass(frozen=True)
class FeedbackFilter:
    """Which reports and contributions the planner looks at; built in Python it filters nothing."""

    sources: frozenset[str] = field(default_factory=lambda: SOURCES)
    # Period by creation day, both ends inclusive.
    start: datetime.date | None = None
    end: datetime.date | None = None
    # Category codes and statuses filter reports only: contributions have neither.
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    # A procedure keeps its contributions and the reports inside its area.
    procedure: str | None = None
    text: str = ""

    @property
    def start_at(self) -> datetime.datetime | None:
        """Return the first moment of the period in the current time zone."""
        return day_start(self.start) if self.start else None

    @property
    def end_before(self) -> datetime.datetime | None:
        """Return the first moment after the period in the current time zone."""
        return day_start(self.end + datetime.timedelta(days=1)) if self.end else None


def day_start(day: datetime.date) -> datetime.datetime:
    """Return the first moment of a day in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _values(params: Mapping[str, str | list[str]], name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    raw = value if isinstance(value, list) else [value]
    # Repeated (`status=a&status=b`) or comma separated (`status=a,b`) alike.
    return [part.strip() for item in raw for part in str(item).split(",") if part.strip()]


def _single(params: Mapping[str, str | list[str]], name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    return None if value is None else str(value).strip()


def _date(params: Mapping[str, str | list[str]], name: str) -> datetime.date | None:
    text = _single(params, name)
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidQuery(name=name, reason=_("Bitte ein Datum wie 2026-03-31 angeben.")) from None


def filter_from_query(params: Mapping[str, str | list[str]]) -> FeedbackFilter:
    """Read a filter from query parameters; an absent `start` or `status` takes the default (90 days, open)."""
    sources = frozenset(_values(params, "sources")) or SOURCES
    unknown = sources - SOURCES
    if unknown:
        raise InvalidQuery(name="sources", reason=_("erlaubt sind reports und contributions."))
    if "start" in params:
        start = _date(params, "start")
    else:
        start = timezone.localdate() - datetime.timedelta(days=DEFAULT_PERIOD_DAYS)
    end = _date(params, "end")
    if start and end and end < start:
        raise InvalidQuery(name="end", reason=_("Das Ende liegt vor dem Beginn."))
    statuses = _values(params, "status")
    if not statuses:
        statuses = list(DEFAULT_STATUSES)
    elif statuses == [ALL_STATUSES]:
        statuses = []
    elif set(statuses) - set(ReportStatus.values):
        raise InvalidQuery(
            name="status", reason=_("erlaubt sind %(allowed)s.") % {"allowed": ", ".join(ReportStatus.values)}
        )
    categories = _values(params, "category")
    if any(len(code) > 64 for code in categories) or len(categories) > 50:
        raise InvalidQuery(name="category", reason=_("zu viele oder zu lange Kategorien."))
    text = _single(params, "q") or ""
    if len(text) > MAX_TEXT:
        raise InvalidQuery(name="q", reason=_("höchstens %(max)d Zeichen.") % {"max": MAX_TEXT})
    if "\x00" in text:
        raise InvalidQuery(name="q", reason=_("unzulässige Zeichen."))
    return FeedbackFilter(
        sources=sources,
        start=start,
        end=end,
        categories=tuple(sorted(set(categories))),
        statuses=tuple(sorted(set(statuses))),
        procedure=_single(params, "procedure") or None,
        text=text,
    )


def filter_to_query(flt: FeedbackFilter) -> dict[str, list[str]]:
    """Return query parameters that `filter_from_query` reads back as exactly this filter."""
    query: dict[str, list[str]] = {
        # Written even when empty: an absent start or status would mean the defaults.
        "start": [flt.start.isoformat() if flt.start else ""],
        "status": list(flt.statuses) or [ALL_STATUSES],
    }
    if flt.sources != SOURCES:
        query["sources"] = sorted(flt.sources)
    if flt.end:
        query["end"] = [flt.end.isoformat()]
    if flt.categories:
        query["category"] = list(flt.categories)
    if flt.procedure:
        query["procedure"] = [flt.procedure]
    if flt.text:
        query["q"] = [flt.text]
    return query


def filter_as_json(flt: FeedbackFilter) -> dict[str, object]:
    """Return the filter as plain JSON, for the log of personal data exports."""
    return {
        "sources": sorted(flt.sources),
        "start": flt.start.isoformat() if flt.start else None,
        "end": flt.end.isoformat() if flt.end else None,
        "categories": list(flt.categories),
        "statuses": list(flt.statuses),
        "procedure": flt.procedure,
        "text": flt.text,
    }
