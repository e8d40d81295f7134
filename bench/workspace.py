"""Latency of the planner workspace's cluster view, in-process through Django's test client.

`bench/run.py` calls `bench_cluster_view` on the benchmark database (issue 6: a Kreis's cluster
view answers within 200 ms at the 95th percentile with 1,000,000 reports). It expects Django to be
set up; run alone: `BK_PG_DATABASE=<db> .venv/bin/python -m bench.workspace 05170 200`.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

WARMUP_REQUESTS = 3


def _land_administrator() -> Any:
    """Return a Land administrator to log in with: the first one there is, or a new benchmark account."""
    from django.contrib.auth import get_user_model

    from accounts.models import Membership, Role
    from geo.models import Authority, AuthorityKind

    membership = (
        Membership.objects.filter(role=Role.ADMINISTRATOR, authority__kind=AuthorityKind.LAND)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is not None:
        return membership.user
    user = get_user_model().objects.create_user("bench-land-administration")
    Membership.objects.create(
        user=user, authority=Authority.objects.get(kind=AuthorityKind.LAND), role=Role.ADMINISTRATOR
    )
    return user


def _percentile(sorted_ms: list[float], share: float) -> float:
    """Return the nearest-rank percentile of sorted values."""
    index = max(0, min(len(sorted_ms) - 1, round(share * len(sorted_ms) + 0.5) - 1))
    return sorted_ms[index]


def bench_cluster_view(*, authority_key: str, requests: int) -> dict[str, float]:
    """Time GET /api/v1/workspace/authorities/<key>/clusters/ with default parameters; return ms percentiles."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(_land_administrator())
    url = f"/api/v1/workspace/authorities/{authority_key}/clusters/"
    for _ in range(WARMUP_REQUESTS):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:200]!r}")
    times: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    times.sort()
    return {
        "requests": float(requests),
        "clusters": float(response.json()["count"]),
        "mean": statistics.fmean(times),
        "p50": _percentile(times, 0.50),
        "p95": _percentile(times, 0.95),
        "p99": _percentile(times, 0.99),
        "max": times[-1],
    }


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    key = sys.argv[1] if len(sys.argv) > 1 else "05170"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    print(bench_cluster_view(authority_key=key, requests=count))
