#!/usr/bin/env bash
# Regenerates scripts/serin.order, the order in which lld lays out the image binary's functions
# (scripts/build-image-binary.sh): every function the operator runs, as valgrind's callgrind records them,
# first those of a start and an idle minute with no Canary, then those a rollout adds (a 20-Canary wave of
# `serin-bench fleet`), then those a native start still faults in (perf). A function missing from the file (new
# code) still links, only farther away; run this again after large changes (`make order-file`). Needs valgrind
# (scripts/install-valgrind.sh builds it) and perf.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-valgrind.sh
scripts/install-deps.sh kubectl perf
export PATH=/opt/valgrind/bin:$PATH
image=$(scripts/build-image-binary.sh "${SCRATCH:-.build-image}")
swift build -c release --product serin
swift build -c release --product serin-bench
release=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
sandbox=""
operator=""
cleanup() {
    for process in $operator $sandbox; do kill "$process" 2> /dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
# callgrind cannot read the DWARF 5 the toolchain writes; the symbol table stays.
objcopy --strip-debug "$image" "$work/serin"

# 1. A start and an idle minute and more (the memory trim runs every minute), with the probes and scrapes.
"$release/serin" sandbox --kubeconfig "$work/kubeconfig" > "$work/sandbox.log" 2>&1 &
sandbox=$!
for _ in $(seq 100); do [ -s "$work/kubeconfig" ] && kubectl --kubeconfig "$work/kubeconfig" get --raw /readyz > /dev/null 2>&1 && break; sleep 0.2; done
kubectl --kubeconfig "$work/kubeconfig" apply -f crds/ > /dev/null
port=$((20000 + RANDOM % 20000))
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/idle.out" "$work/serin" operator \
    --kubeconfig "$work/kubeconfig" --port "$port" --metrics-server http://127.0.0.1:1 > "$work/operator.log" 2>&1 &
operator=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/readyz" > /dev/null || { cat "$work/operator.log" >&2; echo "order-file: the operator did not get ready" >&2; exit 1; }
for _ in 1 2 3 4 5 6 7; do curl -sf "http://127.0.0.1:$port/metrics" > /dev/null; curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; sleep 10; done
kill -INT "$operator"
wait "$operator" || true
operator=""

# 2. A rollout: callgrind collects during the wave only.
VALGRIND_OPTS=--demangle=no "$release/serin-bench" fleet --binary "$work/serin" --canaries 20 --interval 10 --spread 10 \
    --settle-seconds 1 --callgrind "$work/wave" --operator-flags --kube-qps 5000 --kube-burst 10000 > "$work/fleet.log"

# The executed functions of each dump, in order of first appearance, the idle run's first. Callgrind names a
# function once (`fn=(id) name`), then by its id; code no symbol covers (a function's outlined parts) it names by
# address, which valgrind loads PIE executables at 0x108000 to: that is the function before it.
nm -n --defined-only "$work/serin" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' > "$work/symbols"
python3 - "$work/symbols" "$work/idle.out" "$work"/wave.* > scripts/serin.order <<'PY'
import bisect, re, sys
symbols = [line.split() for line in open(sys.argv[1])]
addresses = [int(address, 16) for address, _ in symbols]
defined = {name for _, name in symbols}
seen = set()
for dump in sys.argv[2:]:
    names = {}
    for line in open(dump, errors="replace"):
        match = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not match:
            continue
        kind, id, name = match.groups()
        if name:
            names[id] = re.sub(r"'\d+$", "", name)
        if kind != "fn" or id not in names:
            continue
        name = names[id]
        if name.startswith("0x"):
            address = int(name, 16) - 0x108000
            index = bisect.bisect_right(addresses, address) - 1
            name = symbols[index][1] if index >= 0 and address - addresses[index] < 65536 else ""
        if name in defined and name not in seen:
            seen.add(name)
            print(name)
PY
echo "order-file: callgrind's runs list $(wc -l < scripts/serin.order) functions"

# 3. Natively, the code pages a start and an idle half-minute fault in (`perf record -d` on page faults): each
#    function that callgrind did not list and that faults a page in brings a whole page-cache folio with it.
#    Add them, link again, and repeat until a round finds none (at most three rounds).
cat > "$work/resolve.py" <<'PY'
import bisect, re, sys
symbols = [line.split() for line in open(sys.argv[1])]
addresses = [int(address, 16) for address, _ in symbols]
listed = {line.strip() for line in open(sys.argv[3])}
base, found = None, []
for line in sys.stdin:
    mapping = re.search(r"\[0x([0-9a-f]+)\(0x[0-9a-f]+\) @ 0 .*\]: r..p (\S+)$", line)
    if mapping and mapping.group(2) == sys.argv[2] and base is None:
        base = int(mapping.group(1), 16)
    elif base is not None and re.fullmatch(r"\s*[0-9a-f]+\s*", line):
        index = bisect.bisect_right(addresses, int(line, 16) - base) - 1
        if 0 <= index < len(symbols) - 1 and symbols[index][1] not in listed:
            listed.add(symbols[index][1])
            found.append(symbols[index][1])
print("\n".join(found))
PY
for round in 1 2 3; do
    image=$(scripts/build-image-binary.sh "${SCRATCH:-.build-image}")
    timeout -s INT 30 perf record -q -d -e minor-faults,major-faults -c 1 -o "$work/faults.data" -- "$image" operator \
        --kubeconfig "$work/kubeconfig" --port "$port" --metrics-server http://127.0.0.1:1 > "$work/operator.log" 2>&1 &
    operator=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.2; done
    for _ in 1 2; do curl -sf "http://127.0.0.1:$port/metrics" > /dev/null; curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; sleep 5; done
    wait "$operator" || true
    operator=""
    nm -n --defined-only "$image" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' > "$work/symbols"
    perf script -i "$work/faults.data" --show-mmap-events -F addr 2> /dev/null \
        | python3 "$work/resolve.py" "$work/symbols" "$image" scripts/serin.order > "$work/missing"
    sed -i '/^$/d' "$work/missing"
    echo "order-file: round $round: $(wc -l < "$work/missing") more functions fault pages in"
    [ -s "$work/missing" ] || break
    cat "$work/missing" >> scripts/serin.order
done
echo "order-file: scripts/serin.order lists $(wc -l < scripts/serin.order) functions"
