#!/usr/bin/env bash
# Builds serin as the image ships it and prints the binary's path. One place for the flags, used by the
# Dockerfile, scripts/release-check.sh and `make bench`:
# - --static-swift-stdlib, without the default `Sandbox` trait: no embedded cluster in the image;
# - one section per function (Swift and C), linked by lld in the order of scripts/serin.order (the functions
#   a start, an idle minute and a rollout run, `make order-file`), so the code the operator runs sits in a
#   few megabytes instead of being spread over 33 MiB of text, every page of which the kernel maps in 64 KiB
#   at a time;
# - packed relative relocations (DT_RELR, glibc 2.36 or later, as Debian bookworm): 3.3 MiB of relocation
#   entries read at every start become a few kilobytes;
# - no symbol exported to the dynamic table: the Swift runtime's `dladdr` at start-up otherwise reads all
#   49,000 of them (1.5 MiB);
# - libstdc++ (the Swift runtime's C++) linked statically: the shared library's symbol tables and code,
#   1.4 MiB resident, become the few functions the runtime calls. SwiftPM and the Swift driver both pass
#   `-lstdc++`; a `libstdc++.so` linker script in a directory searched first names the static archive.
# docs/benchmarks.md ("The image's binary, laid out by use") has the figures. Usage: scripts/build-image-binary.sh [scratch-path]
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${1:-.build-image}
order="$(pwd)/scripts/serin.order"
cxx=$(c++ -print-file-name=libstdc++.a 2>/dev/null || clang -print-file-name=libstdc++.a)
[ -f "$cxx" ] || { echo "build-image-binary: no static libstdc++ (libstdc++.a) found: install libstdc++-12-dev" >&2; exit 1; }
static_cxx="$(pwd)/$scratch/static-libstdc++"
[[ "$scratch" = /* ]] && static_cxx="$scratch/static-libstdc++"
mkdir -p "$static_cxx"
echo "INPUT($cxx)" > "$static_cxx/libstdc++.so"
flags=(
    -c release --product serin --static-swift-stdlib --disable-default-traits --scratch-path "$scratch"
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xcc -fdata-sections
    -Xswiftc -use-ld=lld
    -Xlinker -z -Xlinker pack-relative-relocs
    -Xlinker --symbol-ordering-file="$order" -Xlinker --no-warn-symbol-ordering
    -Xlinker --no-export-dynamic
    -Xlinker -L"$static_cxx"
)
bin="$(swift build "${flags[@]}" --show-bin-path)/serin"
# SwiftPM does not track the order file: link again every time, so that a new order takes effect.
rm -f "$bin"
swift build "${flags[@]}" >&2
echo "$bin"
