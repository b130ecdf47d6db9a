#!/usr/bin/env bash
# Checks of the tree that need no build, run first by `make test` (so by CI):
# - every module a target imports is declared in Package.swift (scripts/check-imports.py);
# - every library and executable target is described in docs/development.md's layout table;
# - the sources are formatted as .swift-format says (swift-format, which ships with the toolchain: 150 columns).
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=$(mktemp)
trap 'rm -f "$manifest"' EXIT
swift package dump-package > "$manifest"
scripts/check-imports.py --package-json "$manifest"
python3 - "$manifest" <<'PY'
import json, sys
targets = [t["name"] for t in json.load(open(sys.argv[1]))["targets"] if t["type"] != "test"]
layout = open("docs/development.md").read().split("## Adding a provider")[0]
missing = [name for name in targets if f"| `{name}` |" not in layout]
for name in missing:
    print(f"docs/development.md: the target {name} is not in the layout table")
if missing:
    sys.exit(1)
print(f"validate: the {len(targets)} targets are in docs/development.md")
PY
# The layers of docs/development.md, as Package.swift declares them: the Kubernetes layer imports no canary code,
# and the providers' targets are leaves (their API, the HTTP seam, no caches or controllers).
python3 - "$manifest" <<'PY'
import json, sys
targets = {t["name"]: t for t in json.load(open(sys.argv[1]))["targets"]}
def local(target):
    names = set()
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target"):
            if kind in dependency and dependency[kind][0] in targets:
                names.add(dependency[kind][0])
    return names
kube = {"KubeCore", "KubeClient", "KubeRuntime", "KubeAPIServer", "KubeSandbox", "ChildProcesses"}
allowed = {name: kube for name in kube}
# The API server serves any cluster: it knows no mesh, simulator or Envoy.
allowed["KubeAPIServer"] = {"ChildProcesses", "KubeCore", "KubeClient"}
for leaf in ("MetricProviders", "Notifiers"):
    allowed[leaf] = {"CanaryAPI", "KubeCore", "OutboundHTTP", "PrometheusAPI"}
# Alert delivery and tracing sit beside the reconciler, never on top of it.
allowed["Alerting"] = {"CanaryAPI", "CanaryCore", "KubeCore", "KubeClient", "KubeRuntime", "Notifiers"}
allowed["OTLPTracing"] = {"CanaryAPI", "CanaryCore", "KubeCore", "OutboundHTTP"}
problems = [f"{name} depends on {sorted(local(targets[name]) - allowed[name])}, outside its layer ({sorted(allowed[name])})"
            for name in allowed if name in targets and local(targets[name]) - allowed[name]]
for problem in problems:
    print(f"validate: {problem}")
if problems:
    sys.exit(1)
print(f"validate: the Kubernetes layer and the provider leaves ({len(allowed)} targets) depend only within their layers")
PY
# `swift format format -i -r Sources Tests Benchmarks Package.swift` fixes what this finds (but long end-of-line
# comments: move them above their line).
if ! swift format lint --strict -r Sources Tests Benchmarks Package.swift; then
    echo "validate: the files above are not formatted: swift format format -i -r Sources Tests Benchmarks Package.swift" >&2
    exit 1
fi
echo "validate: every file is formatted (.swift-format)"
