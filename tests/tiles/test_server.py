"""The WSGI tile front (tiles.server): Django's answers, repeated without Django, and never stale.

These tests commit (NOTIFY is delivered on commit only) and call the front as a WSGI server
would, with the real Django application behind it and a real listening connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import mapbox_vector_tile
import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory, override_settings
from django.utils import timezone

from geo.models import Authority
from reports.models import Category, Report
from tests.reports.conftest import KOELN, stored
from tests.tiles.test_tiles import tile_of
from tiles.server import TileServer
from tiles.versions import VersionWatcher

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

X, Y, _FX, _FY = tile_of(*KOELN, 15)
TILE = f"/tiles/reports/15/{X}/{Y}.mvt"


class Answer:
    """What a WSGI server would send: status, headers and body."""

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = int(status.split()[0])
        self.headers = {name.lower(): value for name, value in headers}
        self.body = body

    def ids(self) -> set[int]:
        layers = mapbox_vector_tile.decode(self.body)
        return {feature["id"] for layer in layers.values() for feature in layer["features"]}


class Django:
    """Count the requests that reach the Django application behind the front."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self.calls += 1
        return self.handler(environ, start_response)


def call(app: Callable[..., Any], path: str = TILE, method: str = "GET", **meta: str) -> Answer:
    environ = {**RequestFactory().generic(method, path).environ, **meta}
    # RequestFactory fills a query string of its own only when one is given; a server passes an empty one.
    environ.setdefault("QUERY_STRING", "")
    captured: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured.update(status=status, headers=response_headers)

    chunks = app(environ, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return Answer(captured["status"], captured["headers"], body)


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@pytest.fixture
def watcher() -> Iterator[VersionWatcher]:
    found = VersionWatcher(heartbeat=0.2)
    yield found
    found.stop()


@pytest.fixture
def django_app() -> Django:
    return Django()


@pytest.fixture
def front(django_app: Django, watcher: VersionWatcher) -> TileServer:
    cache.clear()
    server = TileServer(django_app, watcher=watcher)
    assert eventually(lambda: watcher.listening)
    return server


@pytest.fixture
def make_report() -> Callable[..., Report]:
    category, _created = Category.objects.get_or_create(
        authority=Authority.objects.get(key="05"), code="front-test", defaults={"name": "Front"}
    )

    def make(**overrides: Any) -> Report:
        values: dict[str, Any] = {
            "authority": Authority.objects.get(key="05315000"),
            "category": category,
            "location": stored(*KOELN),
            "description": "Schlagloch",
            "published_at": timezone.now(),
        }
        values.update(overrides)
        return Report.objects.create(**values)

    return make


def test_the_front_repeats_djangos_answer_without_django(
    front: TileServer, django_app: Django, make_report: Callable[..., Report]
) -> None:
    report = make_report()
    through_django = call(front)
    assert django_app.calls == 1
    assert through_django.status == 200
    assert report.pk in through_django.ids()
    from_front = call(front, HTTP_IF_NONE_MATCH='"something else"')
    assert django_app.calls == 1
    assert from_front.status == 200
    assert from_front.body == through_django.body
    ignored = {"vary", "content-language"}
    assert {k: v for k, v in from_front.headers.items() if k not in ignored} == {
        k: v for k, v in through_django.headers.items() if k not in ignored
    }
    # The security headers of Django's middleware come along.
    assert from_front.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in from_front.headers["content-security-policy"]


def test_not_modified_and_head_without_django(
    front: TileServer, django_app: Django, make_report: Callable[..., Report]
) -> None:
    make_report()
    first = call(front)
    not_modified = call(front, HTTP_IF_NONE_MATCH=f"W/{first.headers['etag']}")
    head = call(front, method="HEAD")
    assert django_app.calls == 1
    assert not_modified.status == 304
    assert not_modified.body == b""
    assert not_modified.headers["etag"] == first.headers["etag"]
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(first.body))


def test_a_committed_write_changes_the_next_tile(
    front: TileServer, django_app: Django, make_report: Callable[..., Report]
) -> None:
    report = make_report()
    first = call(front)
    assert report.pk in first.ids()
    Report.objects.filter(pk=report.pk).update(hidden_at=timezone.now())
    # The notification arrives within moments of the commit; from then on the old tile is never served.
    assert eventually(lambda: call(front).headers["etag"] != first.headers["etag"])
    changed = call(front, HTTP_IF_NONE_MATCH=first.headers["etag"])
    assert changed.status == 200
    assert report.pk not in changed.ids()
    assert django_app.calls == 1


def test_without_a_listening_connection_django_answers(
    front: TileServer, django_app: Django, watcher: VersionWatcher, make_report: Callable[..., Report]
) -> None:
    make_report()
    call(front)
    assert django_app.calls == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [watcher.backend_pid])
    assert eventually(lambda: not watcher.listening, seconds=5)
    # While it reconnects, every tile goes through Django, which reads the version itself.
    calls = django_app.calls
    answer = call(front)
    assert answer.status == 200
    assert django_app.calls == calls + 1 or watcher.listening
    assert eventually(lambda: watcher.listening)


@pytest.mark.parametrize(
    "path",
    ["/tiles/nope/0/0/0.mvt", "/tiles/reports/23/0/0.mvt", "/tiles/reports/2/4/0.mvt", "/tiles/reports.json"],
)
def test_errors_and_other_paths_are_djangos(front: TileServer, django_app: Django, path: str) -> None:
    call(front)  # learn the headers first
    calls = django_app.calls
    answer = call(front, path)
    assert django_app.calls == calls + 1
    assert answer.status == (200 if path.endswith(".json") else 404)


def test_no_memory_cache_still_serves_from_postgis(
    django_app: Django, watcher: VersionWatcher, make_report: Callable[..., Report]
) -> None:
    report = make_report()
    with override_settings(BK_TILES={"MEMORY_CACHE_BYTES": 0}):
        front = TileServer(django_app, watcher=watcher)
    assert eventually(lambda: watcher.listening)
    call(front)
    answer = call(front)
    assert django_app.calls == 1
    assert report.pk in answer.ids()
    assert front.memory.get(answer.headers["etag"]) is None
