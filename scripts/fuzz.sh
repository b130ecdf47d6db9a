#!/usr/bin/env bash
# Fuzzes Serin's parsers and decoders with libFuzzer (Swift's -sanitize=fuzzer).
#
#   scripts/fuzz.sh                 every target for 5 s each (what `make test` runs)
#   scripts/fuzz.sh --seconds 600   longer runs
#   scripts/fuzz.sh canary json     only these targets
#
# Each target starts from Fuzz/corpus/<target>/ and new inputs it finds go to .build-fuzz/corpus/<target>/
# (copy the interesting ones into Fuzz/corpus to keep them). A crash leaves its input as
# .build-fuzz/crash-<target>-*; reproduce it with `swift run serin-fuzz <target> <file>`, then commit
# the input to Fuzz/corpus/<target>/ with the fix. Exit status: 0 when no target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=5
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=($(ls Fuzz/corpus))

build=.build-fuzz
swift build --build-path "$build" --product serin-fuzz \
    -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -parse-as-library >"$build.log" 2>&1 || {
    tail -40 "$build.log" >&2
    echo "fuzz: failed to build the fuzzer (log: $build.log)" >&2
    exit 1
}
binary="$("$(command -v swift)" build --build-path "$build" --show-bin-path)/serin-fuzz"

status=0
for target in "${targets[@]}"; do
    [ -d "Fuzz/corpus/$target" ] || { echo "fuzz: no corpus for target \"$target\" (Fuzz/corpus/$target)" >&2; exit 2; }
    found="$build/corpus/$target"
    mkdir -p "$found"
    log="$build/fuzz-$target.log"
    if SERIN_FUZZ_TARGET="$target" "$binary" "$found" "Fuzz/corpus/$target" -max_total_time="$seconds" -max_len=65536 \
        -timeout=10 -rss_limit_mb=4096 -artifact_prefix="$build/crash-$target-" -print_final_stats=1 >"$log" 2>&1; then
        runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
        echo "fuzz: $target: ${runs:-?} inputs in ${seconds}s, no crash"
    else
        status=1
        echo "fuzz: $target: CRASHED (log: $log)" >&2
        grep -E "Fatal error|ERROR: libFuzzer|SUMMARY|Test unit written" "$log" | head -5 >&2 || true
    fi
done
exit $status
