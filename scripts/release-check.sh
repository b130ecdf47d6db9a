#!/usr/bin/env bash
# Checks the release binary as the image ships it, without a Docker engine: built as the Dockerfile builds it
# (scripts/build-image-binary.sh), it needs only libraries a slim Debian runtime stage provides, reports its
# version, carries the layout that keeps it small in memory, and contains no part of the embedded cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
# A scratch folder of its own: another set of traits and flags would otherwise rebuild the default release build.
bin=$(scripts/build-image-binary.sh .build-image)
allowed='^(linux-vdso|libc|libm|libdl|libpthread|librt|libz|libgcc_s|libutil|ld-linux-x86-64|ld-linux-aarch64)\.so'
echo "release-check: $bin ($(du -h "$bin" | cut -f1))"
unexpected=$(ldd "$bin" | awk '{print $1}' | sed 's#.*/##' | grep -Ev "$allowed" || true)
if [ -n "$unexpected" ]; then
    echo "release-check: libraries a slim Debian does not provide: $unexpected" >&2
    exit 1
fi
ldd "$bin" | sed 's/^/  /'
version=$("$bin" --version)
expected=$(sed -nE 's/.*static let current = "([^"]+)".*/\1/p' Sources/KubeClient/Config/ClientConfiguration.swift)
[ "$version" = "$expected" ] || { echo "release-check: serin --version says $version, expected $expected" >&2; exit 1; }
echo "release-check: serin --version = $version; only libc/libm/libz/libgcc_s-class libraries needed"
scripts/check-no-sandbox.sh "$bin"
scripts/check-image-layout.sh "$bin"
