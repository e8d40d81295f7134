"""Kill the application server with SIGKILL during report-with-photos uploads, then check what is stored.

    .venv/bin/python bench/faults.py --kills 100 --max-minutes 8

Runs against a throwaway PostgreSQL cluster of its own (initdb into a temporary directory with the
binaries scripts/pg.sh uses), restarts that cluster with `pg_ctl -m fast` in the middle of the load,
and writes the result into docs/faults.md. tests/reports/test_faults.py uses the same machinery
for a short run against the test database.
"""

# ruff: noqa: S603  # fixed commands: gunicorn, manage.py and the PostgreSQL binaries
from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("BK_PG_BIN", f"/usr/lib/postgresql/{os.environ.get('BK_PG_VERSION', '15')}/bin"))
DOCUMENT = ROOT / "docs" / "faults.md"
# Köln's Neumarkt: the demo data offers the category there.
REPORT = {
    "category": "strassenschaden",
    "description": "Schlagloch (Fehlertest).",
    "location": {"type": "Point", "coordinates": [6.9490, 50.9363]},
    "answers": {"groesse": "mittel"},
    "name": "Erika Mustermann",
    "email": "erika@example.org",
}
# Every action may be repeated as often as the load wants.
THROTTLE_ACTIONS = ("report_create", "open311_create", "photo_upload", "contribution_create", "flag", "login")


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(*, database: dict[str, str], media_root: str) -> dict[str, str]:
    """Return the environment of a gunicorn that uses this database and media directory."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST") and key != "DATABASE_URL"}
    env.update(database)
    env.update({f"BK_THROTTLE_{action.upper()}_LIMIT": "1000000" for action in THROTTLE_ACTIONS})
    env.update({"BK_MEDIA_ROOT": media_root, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)})
    return env


class Server:
    """One gunicorn (arbiter + one sync worker) in its own process group, so that one signal kills both."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start gunicorn and wait until its worker answers."""
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--graceful-timeout",
            "0",
            "--timeout",
            "60",
            # Else every gunicorn on the machine shares ~/.gunicorn/gunicorn.ctl.
            "--no-control-socket",
        ]
        # A file, not a pipe: nobody reads while the load runs, and a full pipe would block the server.
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, start_new_session=True, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/api/v1/reports/?limit=1", timeout=30)
                return
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn ended, see {self.log}") from None
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def kill(self) -> None:
        """SIGKILL arbiter and worker at once: no request is finished, no handler runs."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


def random_jpeg(rng: random.Random) -> bytes:
    """Return a small JPEG no upload has had before (content-addressed storage sees a new file)."""
    image = Image.new("RGB", (48, 32), tuple(rng.randrange(256) for _ in range(3)))
    image.putpixel((rng.randrange(48), rng.randrange(32)), tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class Load:
    """Uploads two photos and posts a report with them and an Idempotency-Key, over and over, from a thread.

    A report POST that failed (server killed) is repeated with the same key and photos until it is answered,
    as a client that never got an answer would; a 201 is an acknowledged report.
    """

    url: Callable[[], str]
    seed: int
    acknowledged: dict[str, int] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    failed_requests: int = 0
    server_errors: int = 0
    photos_uploaded: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def _post(self, path: str, **kwargs: Any) -> requests.Response | None:
        try:
            return requests.post(
                self.url() + path, timeout=30, headers={"Accept-Language": "de", **kwargs.pop("headers", {})}, **kwargs
            )
        except requests.RequestException:
            self.failed_requests += 1
            time.sleep(0.05)
            return None

    def _photo(self, rng: random.Random) -> str | None:
        response = self._post("/api/v1/photos/", files={"file": ("foto.jpg", random_jpeg(rng), "image/jpeg")})
        if response is None:
            return None
        if response.status_code >= 500:
            # The database went away under the request (a restart): not stored, try again.
            self.server_errors += 1
            return None
        if response.status_code != 201:
            self.unexpected.append(f"photo upload answered {response.status_code}: {response.text[:200]}")
            return None
        self.photos_uploaded += 1
        return str(response.json()["id"])

    def run(self) -> None:
        """Send reports until `stop` is set."""
        rng = random.Random(self.seed)
        while not self.stop.is_set():
            photos = [self._photo(rng), self._photo(rng)]
            if None in photos:
                continue
            key = str(uuid.UUID(int=rng.getrandbits(128)))
            while not self.stop.is_set():
                response = self._post(
                    "/api/v1/reports/", json={**REPORT, "photos": photos}, headers={"Idempotency-Key": key}
                )
                if response is None:
                    continue
                if response.status_code >= 500:
                    self.server_errors += 1
                    time.sleep(0.1)
                    continue
                if response.status_code == 201:
                    self.acknowledged[key] = int(response.json()["properties"]["id"])
                else:
                    self.unexpected.append(f"report answered {response.status_code}: {response.text[:200]}")
                break


def kill_repeatedly(
    server: Server, load: Load, *, kills: int, rng: random.Random, max_wait: float, until: float
) -> int:
    """Start the server, let the load run for a random moment, SIGKILL it; `kills` times or until `until`."""
    done = 0
    for _ in range(kills):
        if time.monotonic() > until:
            break
        server.start()
        time.sleep(rng.uniform(0.05, max_wait))
        server.kill()
        done += 1
    return done


# --- the long run on a throwaway cluster ----------------------------------------------------------------------


class Cluster:
    """A throwaway PostgreSQL cluster reached by a Unix socket in its own directory."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.socket = base / "run"
        self.as_root = os.getuid() == 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL)

    def init(self) -> None:
        """Create, start and give the database PostGIS."""
        self.socket.mkdir(parents=True)
        self.data.mkdir(mode=0o700)
        if self.as_root:
            # PostgreSQL refuses to run as root, like scripts/pg.sh: the cluster belongs to "postgres".
            os.chmod(self.base, 0o755)  # noqa: S103  # "postgres" must enter it
            for owned in (self.socket, self.data):
                shutil.chown(owned, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "beteiligung", "--auth=trust", "--locale=C.UTF-8")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = ''\nunix_socket_directories = '{self.socket}'\nfsync = on\n")
        self.start()
        self._run(str(PG_BIN / "createdb"), "-h", str(self.socket), "-U", "beteiligung", "faults")
        self._run(
            str(PG_BIN / "psql"),
            "-h",
            str(self.socket),
            "-U",
            "beteiligung",
            "-d",
            "faults",
            "-c",
            "CREATE EXTENSION postgis",
        )

    def start(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.data / "postgresql.log"), "start")

    def restart(self) -> None:
        """Restart with fast shutdown: open transactions are rolled back, connections are cut."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "immediate", "stop")

    @property
    def database(self) -> dict[str, str]:
        """Return the settings' variables for this cluster (the user is the one config/settings.py uses)."""
        return {"BK_PG_SOCKET_DIR": str(self.socket), "BK_PG_DATABASE": "faults"}


def write_document(lines: list[str]) -> None:
    """Put the result between the markers of docs/faults.md (the text around them stays)."""
    begin, end = "<!-- faults:begin -->", "<!-- faults:end -->"
    text = DOCUMENT.read_text() if DOCUMENT.exists() else f"# Fault runs\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    DOCUMENT.write_text(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)


def main() -> None:
    """Run the long fault test and write docs/faults.md."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--max-minutes", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-wait", type=float, default=1.5, help="longest time between start and kill (s)")
    args = parser.parse_args()
    started = time.monotonic()
    until = started + args.max_minutes * 60
    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="bk-faults-"))
    cluster = Cluster(base)
    media = base / "media"
    media.mkdir()
    env = server_env(database=cluster.database, media_root=str(media))
    python = str(ROOT / ".venv" / "bin" / "python")
    server = Server(env, base / "gunicorn.log")
    try:
        cluster.init()
        subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([python, "manage.py", "load_demo_data", "-v", "0"], cwd=ROOT, env=env, check=True)
        load = Load(url=lambda: server.url, seed=args.seed)
        thread = threading.Thread(target=load.run, daemon=True)
        thread.start()
        # Half the kills, a PostgreSQL restart while the server runs under load, the other half.
        first = kill_repeatedly(server, load, kills=args.kills // 2, rng=rng, max_wait=args.max_wait, until=until)
        server.start()
        time.sleep(rng.uniform(0.5, 1.5))
        before_restart = len(load.acknowledged)
        cluster.restart()
        time.sleep(2.0)
        server.kill()
        second = kill_repeatedly(
            server, load, kills=args.kills - args.kills // 2, rng=rng, max_wait=args.max_wait, until=until
        )
        # A final server lets the last repeated POST be answered.
        server.start()
        time.sleep(1.0)
        load.stop.set()
        thread.join(timeout=60)
        server.kill()
        cleanup = subprocess.run(
            [python, "manage.py", "cleanup_uploads"],
            cwd=ROOT,
            env={**env, "BK_UNATTACHED_PHOTO_HOURS": "0"},
            capture_output=True,
            text=True,
        )
        check = subprocess.run(
            [python, "manage.py", "check_report_invariants"],
            cwd=ROOT,
            env={**env, "BK_UNATTACHED_PHOTO_HOURS": "0"},
            capture_output=True,
            text=True,
        )
        ids = ",".join(str(pk) for pk in load.acknowledged.values()) or "0"
        query = f"SELECT count(*) FROM reports_report WHERE id IN ({ids})"  # noqa: S608  # integers from JSON
        prefix = ["runuser", "-u", "postgres", "--"] if cluster.as_root else []
        stored = subprocess.run(
            [
                *prefix,
                str(PG_BIN / "psql"),
                "-XAt",
                "-h",
                str(cluster.socket),
                "-U",
                "beteiligung",
                "-d",
                "faults",
                "-c",
                query,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        lost = len(load.acknowledged) - int(stored)
        minutes = (time.monotonic() - started) / 60
        lines = [
            f"Last run: {datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d %H:%M} UTC, {minutes:.1f} min, "
            f"`{' '.join(['.venv/bin/python', 'bench/faults.py', *sys.argv[1:]])}`",
            "",
            f"- SIGKILLs of gunicorn (arbiter + worker): {first + second} ({first} before, {second} after the restart)",
            f"- PostgreSQL restarts (`pg_ctl -m fast`) under load: 1 ({before_restart} reports acknowledged before it)",
            f"- photos uploaded: {load.photos_uploaded}; requests cut off by a kill: {load.failed_requests}; "
            f"5xx answers (database restarting): {load.server_errors}",
            f"- reports acknowledged (201): {len(load.acknowledged)}; stored afterwards: {stored}; lost: {lost}",
            f"- unexpected answers: {len(load.unexpected)}" + "".join(f"\n  - {u}" for u in load.unexpected[:10]),
            f"- cleanup: {cleanup.stdout.strip() or cleanup.stderr.strip()[-300:]}",
            f"- invariant check (exit {check.returncode}): "
            + (check.stdout.strip().replace("\n", "; ")[:2000] or check.stderr.strip()[-300:]),
        ]
        print("\n".join(lines))
        write_document(lines)
        ok = lost == 0 and check.returncode == 0 and not load.unexpected
        sys.exit(0 if ok else 1)
    finally:
        server.kill()
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
