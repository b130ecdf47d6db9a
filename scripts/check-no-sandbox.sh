#!/usr/bin/env bash
# Checks that a serin binary built without the `Sandbox` trait holds no part of the embedded cluster: no symbol
# of the modules KubeAPIServer, KubeSandbox, LocalCluster or Demo (Swift mangles a module name as its length then the name),
# and no `sandbox` or `demo` subcommand.
#
#   scripts/check-no-sandbox.sh PATH-TO-SERIN
set -euo pipefail
bin=$1
failed=0
for module in KubeAPIServer KubeSandbox LocalCluster Demo; do
    count=$(nm "$bin" 2>/dev/null | grep -c "\$s${#module}${module}" || true)
    echo "check-no-sandbox: symbols of $module: $count"
    [ "$count" -eq 0 ] || failed=1
done
commands=$("$bin" --help | sed -nE 's/^  ([a-z-]+) .*/\1/p; s/^  ([a-z-]+)$/\1/p')
for command in sandbox demo; do
    if echo "$commands" | grep -qx "$command"; then
        echo "check-no-sandbox: \`serin $command\` is still there" >&2
        failed=1
    else
        echo "check-no-sandbox: \`serin $command\` is not a command of this binary"
    fi
done
[ "$failed" -eq 0 ] || { echo "check-no-sandbox: FAILED: $bin contains the sandbox" >&2; exit 1; }
