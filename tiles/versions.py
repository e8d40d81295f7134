"""Each layer's data version, held in memory and kept current by PostgreSQL's NOTIFY.

The triggers of migration 0001 bump a layer's version on every write to its tables, and
migration 0002 announces each new version on a channel once the write commits. A watcher
listens on that channel in a background thread of each server process. While it is not
listening (starting, forked, or its connection broke) it knows nothing and says so, and
callers ask the database instead: a missed notification can never serve an old tile.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Final

import psycopg
from django.db import connections

log = logging.getLogger(__name__)

CHANNEL: Final = "tiles_layer_version"
# How long to wait for a notification before checking that the connection is still alive.
_HEARTBEAT_SECONDS: Final = 30.0
_MAX_BACKOFF_SECONDS: Final = 30.0
# Django's own connection options that psycopg.connect() does not take.
_DJANGO_ONLY_OPTIONS: Final = frozenset({"cursor_factory", "context", "prepare_threshold", "server_side_binding"})


def database_connection(alias: str = "default") -> psycopg.Connection[Any]:
    """Open a separate autocommit connection to the database Django uses (NOTIFY needs autocommit)."""
    params = connections[alias].get_connection_params()
    options = {key: value for key, value in params.items() if key not in _DJANGO_ONLY_OPTIONS}
    return psycopg.connect(**options, autocommit=True)


class VersionWatcher:
    """Hold the layers' data versions in memory, kept current by a listening connection."""

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection[Any]] = database_connection,
        *,
        heartbeat: float = _HEARTBEAT_SECONDS,
    ) -> None:
        self._connect = connect
        self._heartbeat = heartbeat
        self._versions: dict[str, int] | None = None
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._stopping = threading.Event()
        self.backend_pid: int | None = None

    @property
    def listening(self) -> bool:
        """Tell whether the versions are current (the watcher is connected and listening)."""
        self._start_in_this_process()
        return self._versions is not None

    def version(self, layer: str) -> int | None:
        """Return the layer's current version (0 before its first write), or None while not listening."""
        self._start_in_this_process()
        versions = self._versions
        if versions is None:
            return None
        return versions.get(layer, 0)

    def stop(self) -> None:
        """Stop listening (within one heartbeat) and forget the versions."""
        self._stopping.set()
        self._versions = None

    def _start_in_this_process(self) -> None:
        pid = os.getpid()
        if self._pid == pid or self._stopping.is_set():
            return
        with self._lock:
            if self._pid == pid:
                return
            # After a fork the parent's thread is gone and its versions stop being updated here.
            self._versions = None
            self._pid = pid
            threading.Thread(target=self._listen_forever, name="tiles-version-watcher", daemon=True).start()

    def _listen_forever(self) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                self._listen()
                backoff = 0.5
            except Exception:  # any failure means: forget, wait, reconnect
                if not self._stopping.is_set():
                    log.warning("tile version watcher lost its connection; retrying in %.1f s", backoff, exc_info=True)
            self._versions = None
            self._stopping.wait(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)

    def _listen(self) -> None:
        with self._connect() as connection:
            self.backend_pid = connection.info.backend_pid
            # Listen first, then read: a version committed in between arrives as a notification too.
            connection.execute(f"LISTEN {CHANNEL}")
            rows = connection.execute("SELECT layer, version FROM tiles_layerversion").fetchall()
            versions = {str(layer): int(version) for layer, version in rows}
            self._versions = versions
            while not self._stopping.is_set():
                for notification in connection.notifies(timeout=self._heartbeat):
                    layer, _, version = notification.payload.partition(" ")
                    # Notifications of concurrent commits may arrive out of order; versions only grow.
                    versions[layer] = max(versions.get(layer, 0), int(version))
                # A quiet channel or a dead server? Only a round trip tells.
                connection.execute("SELECT 1")
