#!/usr/bin/env bash
# An interim `make demo` (the full `serin demo` is issue 8): the sandbox, a real Prometheus, the operator,
# and the user's example through one good and one bad release. Exits 0 only if the good release is promoted
# and the bad one rolled back. Leaves no process behind.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh kubectl prometheus
swift build --product serin
bin=$(swift build --show-bin-path)/serin
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api=$(free_port); traffic=$(free_port); prom=$(free_port)
"$bin" sandbox --port "$api" --metrics-port "$traffic" --kubeconfig "$work/kubeconfig" > "$work/sandbox.log" 2>&1 & pids+=($!)
cat > "$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s}
scrape_configs: [{job_name: sandbox, static_configs: [{targets: ['127.0.0.1:$traffic']}]}]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" --web.listen-address="127.0.0.1:$prom" --log.level=warn \
    > "$work/prometheus.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do [ -s "$work/kubeconfig" ] && break; sleep 0.2; done
k() { kubectl --kubeconfig "$work/kubeconfig" "$@"; }
"$bin" operator --kubeconfig "$work/kubeconfig" --metrics-server "http://127.0.0.1:$prom" --min-analysis-interval 1s \
    > "$work/operator.log" 2>&1 & pids+=($!)

echo "== Follow along in another terminal (while the demo runs):"
echo "   kubectl --kubeconfig $work/kubeconfig get canaries -n demo -w"
echo "   kubectl --kubeconfig $work/kubeconfig describe canary httpbin -n demo"
k apply -f crds/ > /dev/null
sed -e "s#http://127.0.0.1:19090#http://127.0.0.1:$prom#" docs/examples/httpbin.yaml | k apply -f -

wait_phase() {  # phase, seconds
    for _ in $(seq $(($2 * 2))); do
        line=$(k get canary httpbin -n demo --no-headers -o custom-columns=P:.status.phase,W:.status.canaryWeight,F:.status.failedChecks 2>/dev/null || true)
        [ "$line" != "${last:-}" ] && echo "   $line" && last=$line
        [ "$(echo "$line" | awk '{print $1}')" = "$1" ] && return 0
        sleep 0.5
    done
    echo "demo: the canary did not reach $1; operator log: $work/operator.log" >&2
    tail -20 "$work/operator.log" >&2
    return 1
}
echo "== Initializing: primary, services, destination rules and virtual service"
wait_phase Initialized 60
k get deploy,svc,virtualservice,destinationrule,hpa -n demo
echo "== A good release (new image): traffic moves 20% at a time while the checks pass"
k set image deploy/httpbin -n demo httpbin=kennethreitz/httpbin:v2 > /dev/null
wait_phase Succeeded 120
echo "== A bad release (half the requests fail): halts, then a rollback"
k patch deploy httpbin -n demo -p '{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}' > /dev/null
wait_phase Failed 120
k get events -n demo --field-selector involvedObject.name=httpbin --sort-by=.lastTimestamp -o custom-columns=TYPE:.type,MESSAGE:.message | tail -12
echo "== Done: the good release was promoted, the bad one rolled back; the primary kept serving v2."
