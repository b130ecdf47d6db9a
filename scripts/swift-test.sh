#!/usr/bin/env bash
# Runs `swift test` with a deadline, so that a test that hangs fails the run in minutes, naming itself, instead
# of holding CI until its own limit with nothing said.
#
#   scripts/swift-test.sh [--deadline SECONDS] [swift test arguments...]
#
# The run is a session of its own. Swift Testing's event stream (one JSON line per event, written as it
# happens) tells which tests started and never ended. At the deadline those are printed with how long each has
# run, and the whole session gets SIGTERM, then SIGKILL 10 s later. (A thread backtrace would not help: a
# hung test is a suspended task, not a blocked thread, and Swift's backtracer shows only the signalled thread.)
# A program a test started and left behind (Envoy, Prometheus, kubectl -w, hey) is named and ended when the run
# ends, so it cannot hold the pipe of `make test | tee` open.
set -uo pipefail

# What the watchdog needs: without one of these it could not stop a hung run or find what a run left behind.
for tool in setsid stdbuf pgrep pkill python3; do
    command -v "$tool" >/dev/null || { echo "swift-test: $tool is missing (util-linux, coreutils, procps, python3)" >&2; exit 1; }
done

deadline=1200
if [ "${1:-}" = "--deadline" ]; then
    deadline=$2
    shift 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
events="$work/events.jsonl"
: >"$events"

# Not a process-group leader (bash runs background jobs in its own group), so setsid execs in place: $! is both
# the pid of `swift test` and the id of its session. stdbuf: line-buffered output, so that a log piped through
# tee shows every line up to the moment a run is stopped (a full 4 KiB buffer would be lost with it).
setsid stdbuf -oL -eL swift test "$@" --event-stream-output-path "$events" &
pid=$!
sid=$pid

unfinished() {
    python3 - "$events" "$1" <<'PY'
import json, sys
path, now = sys.argv[1], float(sys.argv[2])
started = {}
for line in open(path, encoding="utf-8", errors="replace"):
    try:
        record = json.loads(line)
    except ValueError:
        continue  # a line still being written
    payload = record.get("payload", {})
    kind, test = payload.get("kind"), payload.get("testID")
    if record.get("kind") != "event" or test is None:
        continue
    if kind == "testStarted":
        started[test] = payload["instant"]["since1970"]
    elif kind in ("testEnded", "testSkipped"):
        started.pop(test, None)
for test, since in sorted(started.items(), key=lambda item: item[1]):
    name = test.split("/")[1] if "/" in test else test + " (suite)"
    print(f"  {name}: running for {now - since:.0f} s ({test})")
PY
}

start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
    if [ $(( $(date +%s) - start )) -ge "$deadline" ]; then
        echo "swift-test: no end after ${deadline} s (swift test $*); these tests had started and not ended:" >&2
        unfinished "$(date +%s.%N)" >&2
        pkill -TERM -s "$sid" 2>/dev/null
        for _ in $(seq 10); do
            pgrep -s "$sid" >/dev/null || break
            sleep 1
        done
        pkill -KILL -s "$sid" 2>/dev/null
        wait "$pid" 2>/dev/null
        echo "swift-test: FAILED: the run did not end within its ${deadline} s" >&2
        exit 124
    fi
    sleep 2
done
wait "$pid"
status=$?

left=$(pgrep -a -s "$sid" 2>/dev/null || true)
if [ -n "$left" ]; then
    echo "swift-test: programs the tests left running, now ended:" >&2
    echo "$left" | sed 's/^/  /' >&2
    pkill -KILL -s "$sid" 2>/dev/null
fi
exit "$status"
