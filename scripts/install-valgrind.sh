#!/usr/bin/env bash
# Builds valgrind 3.24.0 into /opt/valgrind (or $PREFIX) for `serin-bench fleet --callgrind`, with one fix.
#
# Debian bookworm's valgrind (3.19) cannot run a Swift binary at all, and 3.24 stops with SIGSEGV as soon as
# libdispatch's signal thread calls sigsuspend: libdispatch passes a mask in read-only memory, and valgrind
# removes its own signal from that mask in place. The patch (scripts/valgrind/) changes a copy instead.
# The source is Debian's own copy of the release tarball.
#
# Usage: scripts/install-valgrind.sh      then: PATH=/opt/valgrind/bin:$PATH serin-bench fleet --callgrind FILE ...
set -euo pipefail
prefix=${PREFIX:-/opt/valgrind}
if [ -x "$prefix/bin/valgrind" ] && "$prefix/bin/valgrind" --version | grep -q "valgrind-3.24.0"; then
    echo "install-valgrind: $prefix/bin/valgrind is there"
    exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
curl -fsSL -o valgrind.tar.bz2 http://deb.debian.org/debian/pool/main/v/valgrind/valgrind_3.24.0.orig.tar.bz2
tar xjf valgrind.tar.bz2
cd valgrind-3.24.0
patch -p1 < "$here/valgrind/sigsuspend-readonly-mask.patch"
./configure --prefix="$prefix" > configure.log
make -j"$(nproc)" > make.log
make install > install.log
echo "install-valgrind: installed $("$prefix/bin/valgrind" --version) in $prefix"
