"""Fixtures of the hostile-input tests: a procedure to contribute to, no throttling, and a cost meter."""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from procedures.models import Contribution
from reports.models import Photo, Report
from tests.procedures.conftest import make_procedure  # noqa: F401 - a procedure to post contributions to

_PROC_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@pytest.fixture(autouse=True)
def _no_throttling(settings: Any) -> None:
    """Lift the per-client rate limits: these tests send many requests from one client on purpose."""
    throttle = getattr(django_settings, "BK_THROTTLE", None)
    if isinstance(throttle, dict):
        settings.BK_THROTTLE = {
            action: {**rate, "LIMIT": 1_000_000} if isinstance(rate, dict) else rate
            for action, rate in throttle.items()
        }


@dataclass
class Cost:
    """What one call cost: CPU and wall time, and the growth of the process's peak memory, in bytes.

    CPU time is what the bound is on: on a machine shared with other work, wall time also counts
    the waiting for a core. The wall time only catches what burns no CPU, such as sleeping or waiting.
    """

    seconds: float = 0.0
    wall_seconds: float = 0.0
    peak_bytes: int = 0


def _status_kib(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", _PROC_STATUS.read_text(), re.MULTILINE)
    assert match, field
    return int(match.group(1))


@pytest.fixture
def cost_of() -> Callable[[Callable[[], Any]], tuple[Any, Cost]]:
    """Return a meter that runs a call and reports its time and how far it raised the peak memory.

    Linux lets a process reset its peak resident size (VmHWM) by writing 5 to clear_refs, which counts
    what C libraries allocate too (Pillow's pixels, GEOS's coordinates), not only Python objects.
    Where that is not allowed, tracemalloc's peak of Python allocations is the fallback.
    """

    def measure(call: Callable[[], Any]) -> tuple[Any, Cost]:
        # Once unmeasured: the first request of a process imports modules and builds caches (URLs, PROJ
        # transformers) that an attacker's thousandth request finds ready. Hostile calls store nothing.
        call()
        cost = Cost()
        try:
            _CLEAR_REFS.write_text("5")
            use_rss = True
        except OSError:
            use_rss = False
        if use_rss:
            baseline = _status_kib("VmRSS")
        else:
            tracemalloc.start()
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            result = call()
        finally:
            cost.seconds = time.process_time() - started_cpu
            cost.wall_seconds = time.perf_counter() - started
            if use_rss:
                cost.peak_bytes = max(0, _status_kib("VmHWM") - baseline) * 1024
            else:
                cost.peak_bytes = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
        return result, cost

    return measure


@dataclass(frozen=True)
class Stored:
    """The rows and files a hostile request must not leave behind."""

    reports: int
    contributions: int
    photos: int
    files: frozenset[str]


def _stored() -> Stored:
    media = Path(django_settings.MEDIA_ROOT)
    files = frozenset(str(path) for path in media.rglob("*") if path.is_file()) if media.exists() else frozenset()
    return Stored(
        reports=Report.objects.count(),
        contributions=Contribution.objects.count(),
        photos=Photo.objects.count(),
        files=files,
    )


@pytest.fixture
def nothing_stored(db: None) -> Callable[[], None]:
    """Return a check that no report, contribution, photo or media file appeared since the test began."""
    before = _stored()
    return lambda: _assert_unchanged(before)


def _assert_unchanged(before: Stored) -> None:
    after = _stored()
    assert after == before, f"stored something: {before} -> {after}"
