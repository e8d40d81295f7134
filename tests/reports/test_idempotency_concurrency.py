"""Two requests with one Idempotency-Key at the same moment create one report, and both get its answer."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connections

from idempotency.services import Outcome, run_once
from reports import services
from reports.models import Report
from tests.reports.conftest import DORTMUND, stored

# Real concurrency needs committed transactions on separate connections.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_concurrent_repeats_commit_once() -> None:
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []
    inside_write = threading.Event()

    def write() -> tuple[int, dict[str, Any]]:
        report = services.report_create(
            category_code="strassenschaden",
            location=stored(*DORTMUND),
            description="Zweimal gesendet",
            answers={"groesse": "klein"},
        )
        inside_write.set()
        time.sleep(0.5)  # hold the transaction open while the repeat arrives
        return 201, {"id": report.pk}

    def request() -> None:
        try:
            outcomes.append(run_once(scope="reports.create", key="double-click-0001", request_hash="same", write=write))
        except BaseException as exc:  # reported below, so that a failing thread fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=request)
    first.start()
    assert inside_write.wait(timeout=10)
    second = threading.Thread(target=request)
    second.start()
    first.join(timeout=20)
    second.join(timeout=20)

    assert errors == []
    assert len(outcomes) == 2
    assert outcomes[0].body == outcomes[1].body
    assert sorted(outcome.replayed for outcome in outcomes) == [False, True]
    assert Report.objects.filter(description="Zweimal gesendet").count() == 1
