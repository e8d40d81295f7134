#!/usr/bin/env bash
# Fuzz the whole API with schemathesis for longer than the test suite does, and write the result
# into docs/fuzzing.md.
#
#   bench/fuzz.sh                        # own server on 127.0.0.1:8765 with database beteiligungskarte_fuzz
#   BK_FUZZ_MAX_TIME=120 bench/fuzz.sh   # a shorter run
#   BK_FUZZ_URL=http://127.0.0.1:8000 bench/fuzz.sh   # a server that is already running (`make run`)
#
# By default it starts a server of its own on a database of its own (created, migrated, demo data
# loaded), because the fuzzer creates reports, contributions, flags and photos by the thousand; the
# rate limits are lifted for that server only. Schemathesis sends requests only to the loopback address;
# its reports go to var/fuzz/, its summary between the markers of docs/fuzzing.md.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
ST="$ROOT/.venv/bin/schemathesis"
PORT="${BK_FUZZ_PORT:-8765}"
URL="${BK_FUZZ_URL:-}"
EXAMPLES="${BK_FUZZ_EXAMPLES:-500}"
MAX_TIME="${BK_FUZZ_MAX_TIME:-600}"
SEED="${BK_FUZZ_SEED:-20261124}"
WORKERS="${BK_FUZZ_WORKERS:-2}"
OUT="$ROOT/var/fuzz"
DOC="$ROOT/docs/fuzzing.md"
CHECKS="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
mkdir -p "$OUT"

say() { printf '[fuzz] %s\n' "$*"; }

SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap stop_server EXIT

if [ -z "$URL" ]; then
    export BK_PG_DATABASE="${BK_FUZZ_DATABASE:-beteiligungskarte_fuzz}"
    case "$BK_PG_DATABASE" in
        *_fuzz) ;;
        *) say "refusing database $BK_PG_DATABASE: its name must end in _fuzz, the fuzzer writes into it"; exit 2 ;;
    esac
    export DJANGO_DEBUG=false
    # Lift every rate limit for this server only: the fuzzer is one client sending thousands of requests.
    for action in report_create open311_create photo_upload contribution_create flag login; do
        export "BK_THROTTLE_${action^^}_LIMIT=100000000"
    done
    if [ "${BK_FUZZ_SKIP_DB_START:-}" != 1 ]; then
        scripts/pg.sh start
    fi
    "$PY" manage.py migrate --noinput -v 0
    "$PY" manage.py load_demo_data -v 0
    say "serving on 127.0.0.1:$PORT (log $OUT/server.log)"
    "$PY" manage.py runserver "127.0.0.1:$PORT" --noreload >"$OUT/server.log" 2>&1 &
    SERVER_PID=$!
    URL="http://127.0.0.1:$PORT"
fi

case "$URL" in
    http://127.*|http://localhost*|http://\[::1\]*) ;;
    *) say "refusing $URL: fuzz only servers on this machine's loopback address"; exit 2 ;;
esac

STARTED=$(date -u +"%Y-%m-%d %H:%M UTC")
COMMAND=("$ST" run "$URL/api/v1/schema/?format=json" --wait-for-schema 60
    --checks "$CHECKS" --max-examples "$EXAMPLES" --max-time "$MAX_TIME" --seed "$SEED" --workers "$WORKERS"
    --request-timeout 30 --header "Accept-Language: de" --suppress-health-check all
    --report junit,ndjson --report-dir "$OUT")
say "${COMMAND[*]}"
set +e
"${COMMAND[@]}" 2>&1 | tee "$OUT/schemathesis.txt"
STATUS=${PIPESTATUS[0]}
set -e
SERVER_ERRORS=$(grep -c '" 50[0-9] ' "$OUT/server.log" 2>/dev/null || true)

"$PY" - "$DOC" "$OUT/schemathesis.txt" "$STARTED" "$STATUS" "${SERVER_ERRORS:-n/a}" "${COMMAND[*]}" <<'PYTHON'
"""Write the run's summary between the markers of docs/fuzzing.md."""

import re
import sys
from pathlib import Path

doc, output, started, status, server_errors, command = sys.argv[1:]
text = Path(output).read_text(errors="replace")
# The closing summary of schemathesis: everything from its "SUMMARY" rule on, without colour codes.
text = re.sub(r"\x1b\[[0-9;]*m", "", text)
summary = text[text.rfind("SUMMARY") :] if "SUMMARY" in text else text[-3000:]
summary = re.sub(r"^[=_ ]*SUMMARY[=_ ]*\n", "", summary).strip()
# Paths relative to the checkout, so that the page reads the same wherever it ran.
root = str(Path.cwd()) + "/"
block = "\n".join(
    [
        "<!-- fuzz:start -->",
        f"Last run: {started}, exit status {status}, server 5xx lines in its log: {server_errors}.",
        "",
        "```",
        command.replace(root, ""),
        "```",
        "",
        "```",
        summary.replace(root, ""),
        "```",
        "<!-- fuzz:end -->",
    ]
)
path = Path(doc)
current = path.read_text()
path.write_text(re.sub(r"<!-- fuzz:start -->.*<!-- fuzz:end -->", lambda _: block, current, flags=re.S))
PYTHON
say "summary written to docs/fuzzing.md (exit status $STATUS)"
exit "$STATUS"
