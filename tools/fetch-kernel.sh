#!/bin/bash
# tools/fetch-kernel.sh META KDIR: fetch Debian's kernel for a board.
# META is a metapackage such as linux-image-amd64, or linux-image-arm64:arm64
# for another architecture (dpkg must know it: make deps); the real package
# it depends on (linux-image-X.Y.Z-N-amd64) is resolved with apt-cache and
# fetched with `apt-get download` (the machine's own apt sources) into KDIR
# by tools/fetch-deb.sh (an already downloaded .deb is reused), then
# extracted into KDIR/root. Leaves KDIR/vmlinuz (a hard link to
# root/boot/vmlinuz-*), KDIR/release (the kernel's `uname -r`) and
# KDIR/modules (its /lib/modules/RELEASE directory, a symlink).
set -euo pipefail
die() { echo "fetch-kernel: fatal: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: fetch-kernel.sh META KDIR"
meta=$1 kdir=$2

# apt-cache keeps META's :ARCH on the package it depends on.
qpkg=$(apt-cache depends "$meta" 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
[ -n "$qpkg" ] || die "cannot resolve $meta to a linux-image package (apt-get update?)"
pkg=${qpkg%%:*}
deb=$("$(dirname "$0")/fetch-deb.sh" "$kdir" "$qpkg")

rm -rf "$kdir/root"
dpkg-deb -x "$deb" "$kdir/root"
vmlinuz=$(ls "$kdir"/root/boot/vmlinuz-* | head -n 1)
release=${vmlinuz##*/vmlinuz-}
mods=$kdir/root/lib/modules/$release
[ -d "$mods" ] || mods=$kdir/root/usr/lib/modules/$release
[ -d "$mods" ] || die "no modules directory for $release in $deb"
ln -f "$vmlinuz" "$kdir/vmlinuz"
ln -sfn "${mods#"$kdir"/}" "$kdir/modules"
echo "$release" > "$kdir/release"
echo "$pkg" > "$kdir/package"
echo "kernel: $pkg ($release) from ${deb##*/}"
