#!/usr/bin/env bash
# Checks that a binary built by scripts/build-image-binary.sh carries the layout that keeps the idle operator
# small in memory (docs/benchmarks.md, "The image's binary, laid out by use"): packed relative relocations, a dynamic symbol
# table without Serin's own symbols, and the functions of scripts/serin.order at the front of the code.
# Usage: scripts/check-image-layout.sh BINARY
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
fail() { echo "check-image-layout: $bin: $*" >&2; exit 1; }
readelf -d "$bin" | grep -q '(RELR)' || fail "no packed relative relocations (DT_RELR): was it linked with -z pack-relative-relocs?"
! readelf -d "$bin" | grep -q 'libstdc++' || fail "needs the shared libstdc++: build-image-binary.sh links it statically"
dynamic=$(readelf --dyn-syms -W "$bin" | grep -c ' FUNC \| OBJECT ' || true)
[ "$dynamic" -lt 2000 ] || fail "$dynamic dynamic symbols: linked with --export-dynamic, which the runtime's dladdr reads at every start"
# Where the listed functions sit in .text: the median of their addresses should lie in the first third (about the middle when not ordered).
read -r start size < <(readelf -SW "$bin" | sed -nE 's/.* \.text +PROGBITS +([0-9a-f]+) +[0-9a-f]+ +([0-9a-f]+).*/\1 \2/p')
[ -n "${size:-}" ] || fail "no .text section"
start=$((16#$start)) size=$((16#$size))
median=$(nm --defined-only "$bin" | awk 'NR == FNR { listed[$0] = 1; next } ($3 in listed) { print $1 }' scripts/serin.order - | sort | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
[ -n "$median" ] || fail "defines none of the functions of scripts/serin.order"
offset=$(( 16#$median - start ))
[ "$offset" -lt $(( size / 3 )) ] || fail "the functions of scripts/serin.order are spread over .text (median at $((offset / 1048576)) of $((size / 1048576)) MiB): was it linked with --symbol-ordering-file?"
echo "check-image-layout: DT_RELR, static libstdc++, $dynamic dynamic symbols, the listed functions' median at $((offset / 1048576)) of $((size / 1048576)) MiB of code"
