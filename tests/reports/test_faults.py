"""SIGKILL the application server during report-with-photos uploads: nothing half-stored, nothing acknowledged lost.

The long run (100 kills and a PostgreSQL restart) is bench/faults.py; its last result is in docs/faults.md.
"""

from __future__ import annotations

import datetime
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from bench.faults import Load, Server, kill_repeatedly, server_env
from reports.invariants import report_invariant_findings
from reports.models import Report
from reports.services import uploads_cleanup

# The server is another process: it must see committed rows, so no test transaction around this test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

KILLS = 6
SEED = 20261124


def database_env() -> dict[str, str]:
    """Point the server at the test database, whichever way the suite reaches PostgreSQL."""
    name = str(connection.settings_dict["NAME"])
    env = {"BK_PG_DATABASE": name}
    if url := os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    return env


def test_sigkill_during_uploads_leaves_no_half_state_and_loses_no_acknowledged_report(
    settings: Any, tmp_path: Path
) -> None:
    server = Server(server_env(database=database_env(), media_root=settings.MEDIA_ROOT), tmp_path / "gunicorn.log")
    load = Load(url=lambda: server.url, seed=SEED)
    thread = threading.Thread(target=load.run, daemon=True)
    thread.start()
    try:
        kills = kill_repeatedly(
            server, load, kills=KILLS, rng=random.Random(SEED), max_wait=1.5, until=time.monotonic() + 45
        )
        # One last server answers the POST a kill interrupted, as a client repeating it would get.
        server.start()
        time.sleep(1.0)
    finally:
        load.stop.set()
        thread.join(timeout=30)
        server.kill()

    assert kills >= 3
    assert load.unexpected == []
    assert load.acknowledged, "no report got through; the load did not run"
    # Acknowledged means stored, with both photos.
    stored = Report.objects.filter(pk__in=load.acknowledged.values())
    assert stored.count() == len(load.acknowledged)
    assert all(report.photos.count() == 2 for report in stored)
    # After the cleanup (everything counts as old now) nothing half-written or stray remains.
    uploads_cleanup(older_than=datetime.timedelta(0))
    assert [str(f) for f in report_invariant_findings(unattached_older_than=datetime.timedelta(0))] == []
