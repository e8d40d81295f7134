"""`make load`: run the locust scenario (bench/locustfile.py) against gunicorn on loopback, write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Reporters write reports and photos: the load test works on a database of its own, never the portal's.
os.environ.setdefault("BK_PG_DATABASE", "beteiligungskarte_load")

from bench.run import GUNICORN_WORKERS, server  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- load:results:start -->"
END_MARK = "<!-- load:results:end -->"
PORT = 8793
VENV_BIN = ROOT / ".venv" / "bin"
# All load comes from 127.0.0.1, so the per-address limits on writes would stop the reporters after a
# few posts; they are raised for the run (a real crowd comes from many addresses).
THROTTLE_ENV = {
    "BK_THROTTLE_REPORT_CREATE_LIMIT": "1000000",
    "BK_THROTTLE_PHOTO_UPLOAD_LIMIT": "1000000",
}
# Endpoint groups in the results, by the name locust records a request under.
GROUPS = [
    ("Vector tiles", ("/tiles/reports/{z}",)),
    ("TileJSON", ("/tiles/reports.json",)),
    ("GeoJSON features (bbox, limit 500)", ("/api/v1/layers/",)),
    ("Pages (/karte/, /meldungen/, procedure)", ("/karte/", "/meldungen/", "/verfahren/")),
    ("Procedures API", ("/api/v1/procedures/",)),
    ("Photo upload", ("/api/v1/photos/",)),
    ("Report create", ("/api/v1/reports/",)),
]


@dataclass
class Row:
    """One line of locust's stats CSV."""

    method: str
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float


def read_stats(path: Path) -> list[Row]:
    """Read locust's `*_stats.csv`, the aggregate line last."""
    rows = []
    with path.open(newline="") as handle:
        for line in csv.DictReader(handle):
            rows.append(
                Row(
                    method=line["Type"],
                    name=line["Name"],
                    requests=int(line["Request Count"]),
                    failures=int(line["Failure Count"]),
                    p50=float(line["50%"] or 0),
                    p95=float(line["95%"] or 0),
                    p99=float(line["99%"] or 0),
                    rps=float(line["Requests/s"]),
                )
            )
    return rows


def read_history(path: Path) -> list[tuple[int, float, float]]:
    """Return (users, p95, p99) per second of locust's aggregate history, for finding the steady state."""
    points = []
    with path.open(newline="") as handle:
        for line in csv.DictReader(handle):
            if line["Name"] == "Aggregated" and line["95%"] not in ("", "N/A"):
                points.append((int(line["User Count"]), float(line["95%"]), float(line["99%"])))
    return points


def merge(rows: list[Row], prefixes: tuple[str, ...]) -> Row | None:
    """Sum requests of a group; its percentiles are the slowest member's (locust keeps no joint histogram)."""
    members = [row for row in rows if row.name != "Aggregated" and row.name.startswith(prefixes)]
    if not members:
        return None
    return Row(
        method="/".join(sorted({row.method for row in members})),
        name=", ".join(row.name for row in members),
        requests=sum(row.requests for row in members),
        failures=sum(row.failures for row in members),
        p50=max(row.p50 for row in members),
        p95=max(row.p95 for row in members),
        p99=max(row.p99 for row in members),
        rps=sum(row.rps for row in members),
    )


def machine() -> list[str]:
    """Describe the machine briefly."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return [
        f"CPU: {model.group(1) if model else platform.processor()}, {os.cpu_count()} cores",
        f"RAM: {int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "RAM: ?",
        f"OS: {platform.platform()}, Python {platform.python_version()}",
    ]


def loadavg() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def prepare(env: dict[str, str]) -> None:
    """Start PostgreSQL, create and migrate the load database, load the demo data (each a no-op when done)."""
    manage = [str(VENV_BIN / "python"), "manage.py"]
    for command in (
        ["scripts/pg.sh", "start"],
        [*manage, "migrate", "--noinput", "-v", "0"],
        [*manage, "load_demo_data"],
    ):
        subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: S603


def render(args: argparse.Namespace, rows: list[Row], loads: dict[str, str], steady: str) -> str:
    """Return the results section as Markdown."""
    total = next(row for row in rows if row.name == "Aggregated")
    lines = [
        START_MARK,
        "## Load test (locust, loopback)",
        "",
        f"Run {datetime.datetime.now(tz=datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}"
        f" with `{args.command}` (bench/load.py, scenario bench/locustfile.py).",
        "",
        *(f"- {line}" for line in machine()),
        f"- Server: gunicorn {' '.join(GUNICORN_WORKERS)} (config.wsgi with the tile front), DEBUG off,"
        ' no basemap (`BK_MAP_BASEMAP=""`), database `beteiligungskarte_load` with the demo data;'
        " locust runs on the same machine and shares its cores.",
        f"- Load: {args.users} users spawned at {args.spawn_rate}/s, {args.seconds} s; 19 of 20 users read"
        " (tiles z12–z16 around eight NRW cities, four per view; GeoJSON features in a bbox, limit 500;"
        " /karte/ + TileJSON; /meldungen/; procedures API + a procedure page), 1 of 20 uploads a fixture JPEG"
        " and then posts a report in Köln with it and an Idempotency-Key. Wait times 0.5–2 s (readers),"
        " 2–5 s (reporters).",
        "- Throttling: all requests come from 127.0.0.1, so the per-address write limits were raised for the run"
        f" ({', '.join(f'`{key}={value}`' for key, value in THROTTLE_ENV.items())}); with the defaults"
        " (10 reports / 60 photos per hour and address) the reporters would get 429 after a few posts.",
        f"- Load average: before {loads['before']}, at the end {loads['after']}.",
        "",
        f"**{total.rps:.1f} requests/s, {total.requests} requests, {total.failures} failures;"
        f" p50 {total.p50:.0f} ms, p95 {total.p95:.0f} ms, p99 {total.p99:.0f} ms (all requests).**",
        "",
        "| Endpoint group | Method | Requests | req/s | Failures | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, prefixes in GROUPS:
        row = merge(rows, prefixes)
        if row is not None:
            lines.append(
                f"| {label} | {row.method} | {row.requests} | {row.rps:.1f} | {row.failures}"
                f" | {row.p50:.0f} | {row.p95:.0f} | {row.p99:.0f} |"
            )
    lines.append(
        f"| **All** | | {total.requests} | {total.rps:.1f} | {total.failures}"
        f" | {total.p50:.0f} | {total.p95:.0f} | {total.p99:.0f} |"
    )
    lines += [
        "",
        "Percentiles are locust's (whole run, ramp-up included); a group of several URLs shows its slowest"
        f" member's percentiles. {steady}",
        "The demo data holds few reports, so most tiles are empty or small: this measures the request path"
        " (Django, tile front, PostGIS round trip) under concurrency; tile queries over a million reports are"
        " measured above by `make bench`.",
        "At 60 users a few tile requests (4 of 11,551 in one 90 s run) failed with a connection reset and"
        " no error on the server: most likely gunicorn's gthread worker closing a keep-alive connection idle for its"
        " 2 s `--keep-alive` just as the client reuses it (benoitc/gunicorn#1698, #2676). Browsers retry such a"
        " request; locust counts it as a failure.",
        END_MARK,
    ]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    """Replace the text between the load markers in docs/benchmarks.md, or append it at the end."""
    text = DOC.read_text() if DOC.exists() else ""
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        tail = rest.split(END_MARK, 1)[1].lstrip("\n")
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def main() -> int:
    """Prepare the database, serve, run locust headless, write the results; fail on any failed request."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--command", default="", help="the command to name in the results")
    parser.add_argument("--no-write", action="store_true", help="print the results, leave docs/benchmarks.md")
    args = parser.parse_args()
    args.command = args.command or "bench/load.py " + " ".join(sys.argv[1:])

    env = {**os.environ, "DJANGO_DEBUG": "false"}
    prepare(env)
    work = Path(tempfile.mkdtemp(prefix="bk-load-"))
    serve_env = {
        **THROTTLE_ENV,
        "BK_MAP_BASEMAP": "",
        # Uploaded photos land in a scratch directory, not the portal's media.
        "BK_MEDIA_ROOT": str(work / "media"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
    }
    host = f"http://127.0.0.1:{PORT}"
    command = [str(VENV_BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{PORT}", *GUNICORN_WORKERS]
    command += ["--log-level", "warning"]
    loads = {"before": loadavg()}
    print(f"[load] serving on {host}, logs and CSV in {work}", flush=True)
    with server(command, serve_env, f"{host}/tiles/reports.json", work / "gunicorn.log"):
        locust = [
            str(VENV_BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{args.seconds}s",
            "--host",
            host,
            "--csv",
            str(work / "locust"),
            "--csv-full-history",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        # Locust exits 1 when a request failed; the results are written either way, and the check is below.
        # Its CSV is rewritten once a second, so the exit code also catches a failure in the last second.
        exit_code = subprocess.run(locust, cwd=ROOT, check=False).returncode  # noqa: S603
        loads["after"] = loadavg()
    rows = read_stats(work / "locust_stats.csv")
    history = [point for point in read_history(work / "locust_stats_history.csv") if point[0] == args.users]
    steady = ""
    if history:
        p95, p99 = history[-1][1], history[-1][2]
        steady = f"At full load ({args.users} users, recent window at the end): p95 {p95:.0f} ms, p99 {p99:.0f} ms."
    section = render(args, rows, loads, steady)
    print(section)
    if not args.no_write:
        write_doc(section)
    failures = next(row for row in rows if row.name == "Aggregated").failures
    if failures or exit_code:
        print(f"[load] requests failed (locust exit code {exit_code}), see {work}", file=sys.stderr)
    return 1 if failures or exit_code else 0


if __name__ == "__main__":
    raise SystemExit(main())
