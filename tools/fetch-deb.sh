#!/bin/bash
# tools/fetch-deb.sh DIR PKG[:ARCH][=VERSION]: the .deb of PKG in DIR, fetched
# with `apt-get download` (the machine's own apt sources, never elsewhere)
# unless DIR holds it already (without VERSION, any version: the newest).
# Checks that the file is PKG's and prints its path (apt's messages go to
# stderr). tools/fetch-kernel.sh and tools/build-kernel.sh fetch with it.
set -euo pipefail
die() { echo "fetch-deb: fatal: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: fetch-deb.sh DIR PKG[:ARCH][=VERSION]"
dir=$1 spec=$2
name=${spec%%=*} ver=
[ "$name" = "$spec" ] || ver=${spec#*=}
pkg=${name%%:*}
# apt-get download writes PKG_VERSION_ARCH.deb, a ':' of VERSION as %3a.
glob=${pkg}_${ver:+${ver//:/%3a}_}*.deb
newest() { (cd "$dir" && ls -d $glob 2>/dev/null | sort -V | tail -n 1) || true; }
mkdir -p "$dir"
deb=$(newest)
if [ -z "$deb" ]; then
	(cd "$dir" && apt-get -q -o APT::Sandbox::User=root download "$spec" >&2) ||
		die "apt-get download $spec failed"
	deb=$(newest)
	[ -n "$deb" ] || die "apt-get download $spec left no $glob in $dir"
fi
deb=$dir/$deb
[ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] || die "$deb is not $pkg"
echo "$deb"
