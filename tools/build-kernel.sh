#!/bin/bash
# tools/build-kernel.sh BOARD FRAGMENT SRCPKG KARCH TARGET CROSS WORK DEBDIR KDIR:
# KERNEL=tailored (SPEC section 9). Builds the kernel of BOARD from Debian's
# source package SRCPKG (linux-source-6.1, fetched with `apt-get download`
# into DEBDIR by tools/fetch-deb.sh, never from elsewhere): `tinyconfig`,
# FRAGMENT merged on it with the kernel's scripts/kconfig/merge_config.sh,
# `olddefconfig`; every symbol of FRAGMENT must then have its value in
# .config, else this fails naming the ones that did not stick. Builds
# TARGET (bzImage, Image, vmlinux: the ELF, stripped...) for KARCH with
# CROSS (CROSS_COMPILE, empty when native) under `nice -n 10` with
# -j${KERNEL_JOBS:-2} in WORK (sources and objects; make clean drops it).
#
# The result is cached outside the clone, keyed by the source package's
# version and the hash of the fragment's settings (its CONFIG_ lines, not its
# comments; and BOARD, KARCH, TARGET):
# ${XDG_CACHE_HOME:-$HOME/.cache}/sandinit/kernel/BOARD-VERSION-HASH/, so a
# second clone on the same machine does not build it again. KDIR gets what
# tools/fetch-kernel.sh leaves for Debian's kernel: vmlinuz, release,
# package, modules/ (modules.builtin alone: every driver is built in).
# KERNEL_CONFIG_ONLY=1: only the config and its check (WORK/obj/.config), no
# build, no cache: to try a fragment in seconds rather than minutes.
# KERNEL_CACHED_ONLY=1: the kernel from the cache, or fail naming the key
# (no fetch, no build: the test that a second clone does not rebuild).
set -euo pipefail
die() { echo "build-kernel: fatal: $*" >&2; exit 1; }
# Nothing of the make that runs this reaches the kernel's (make -n, CC=...
# on its command line): the kernel in the cache is its key's.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES
[ $# -eq 9 ] || die "usage: build-kernel.sh BOARD FRAGMENT SRCPKG KARCH TARGET CROSS WORK DEBDIR KDIR"
board=$1 frag=$2 srcpkg=$3 karch=$4 target=$5 cross=$6 work=$7 debdir=$8 kdir=$9
[ -f "$frag" ] || die "no fragment $frag"
mkdir -p "$debdir" "$work"
frag=$(realpath "$frag") work=$(realpath "$work") debdir=$(realpath "$debdir")
# One build a WORK at a time (make check's in the background, a make bench
# beside it): a second one waits, then finds the first one's in the cache.
exec {lock}>"$work/.lock"
flock -n "$lock" || { echo "build-kernel: waiting for the build running in $work"; flock "$lock"; }

# The version apt would fetch now; without package lists (no apt-get
# update yet) the newest .deb already downloaded.
ver=$(apt-cache show --no-all-versions "$srcpkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1) || ver=
deb=
if [ -z "$ver" ]; then
	deb=$(ls "$debdir/${srcpkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
	[ -n "$deb" ] || die "cannot find $srcpkg with apt-cache (apt-get update?)"
	ver=$(dpkg-deb -f "$deb" Version)
fi
hash=$( { echo "$board $karch $target"; grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set)' "$frag"; } |
	sha256sum | cut -c1-16)
key=$board-$ver-$hash
cache=${XDG_CACHE_HOME:-$HOME/.cache}/sandinit/kernel/$key

install_kdir() {
	rm -rf "$kdir"
	mkdir -p "$kdir/modules"
	cp "$cache/vmlinuz" "$kdir/vmlinuz"
	cp "$cache/release" "$kdir/release"
	echo "$srcpkg $ver (tailored, $key)" > "$kdir/package"
	[ ! -f "$cache/modules.builtin" ] || cp "$cache/modules.builtin" "$kdir/modules/"
	echo "kernel: tailored $(cat "$kdir/release") from $srcpkg $ver, cached in $cache"
}

if [ "${KERNEL_CONFIG_ONLY:-0}" != 1 ] && [ -f "$cache/vmlinuz" ] && [ -f "$cache/release" ]; then
	install_kdir
	exit 0
fi
[ "${KERNEL_CACHED_ONLY:-0}" != 1 ] || die "KERNEL_CACHED_ONLY=1: no kernel $key in ${cache%/*}"

# The source: the package's tarball (tools/fetch-deb.sh), extracted once per
# version.
deb=$("$(dirname "$0")/fetch-deb.sh" "$debdir" "$srcpkg=$ver")
src=$work/src
if [ "$(cat "$src/.sandinit-version" 2>/dev/null)" != "$ver" ]; then
	echo "build-kernel: extracting $srcpkg $ver"
	rm -rf "$src"
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ -C "$src" --strip-components=1
	echo "$ver" > "$src/.sandinit-version"
fi

# The config: tinyconfig, the fragment, olddefconfig. merge_config.sh reads
# `# CONFIG_X is not set` for an off symbol: the fragment's `CONFIG_X=n`
# is written so first.
obj=$work/obj
mkdir -p "$obj"
kmake() { make -s -C "$src" O="$obj" ARCH="$karch" ${cross:+CROSS_COMPILE="$cross"} "$@"; }
kmake tinyconfig >/dev/null
sed -E 's/^(CONFIG_[A-Za-z0-9_]+)=n$/# \1 is not set/' "$frag" > "$obj/fragment.config"
(cd "$obj" && ARCH="$karch" ${cross:+CROSS_COMPILE="$cross"} \
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$obj/fragment.config" >/dev/null)
kmake olddefconfig
bad=$(sed -nE 's/^(CONFIG_[A-Za-z0-9_]+)=(.*)$/\1 \2/p' "$frag" | while read -r sym want; do
	got=$(sed -nE "s/^$sym=(.*)$/\\1/p" "$obj/.config")
	[ -n "$got" ] || got=n
	[ "$got" = "$want" ] || echo "$sym=$want (got $got)"
done)
[ -z "$bad" ] || die "symbols of $frag that did not stick (a dependency missing from the fragment?): $(echo $bad)"
if [ "${KERNEL_CONFIG_ONLY:-0}" = 1 ]; then
	echo "build-kernel: every symbol of $frag stuck: $obj/.config"
	exit 0
fi

echo "build-kernel: building $target ($srcpkg $ver, $karch) in $obj: nice -n 10, -j${KERNEL_JOBS:-2}"
start=$SECONDS
nice -n 10 make -s -C "$src" O="$obj" ARCH="$karch" ${cross:+CROSS_COMPILE="$cross"} \
	-j"${KERNEL_JOBS:-2}" KBUILD_BUILD_TIMESTAMP="@${SOURCE_DATE_EPOCH:-0}" \
	KBUILD_BUILD_USER=sandinit KBUILD_BUILD_HOST=sandinit "$target"
echo "build-kernel: built in $((SECONDS - start)) s"

tmp=$cache.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
if [ "$target" = vmlinux ]; then
	# The ELF itself (a PVH entry note: QEMU loads it, nothing to
	# unpack), without its symbol table.
	"${cross}objcopy" --strip-all "$obj/vmlinux" "$tmp/vmlinuz"
else
	img=$obj/arch/$karch/boot/$target
	[ -f "$img" ] || img=$(find "$obj/arch" -path "*/boot/$target" | head -n 1)
	[ -f "$img" ] || die "no $target in $obj/arch"
	cp "$img" "$tmp/vmlinuz"
fi
cp "$obj/.config" "$tmp/config"
cp "$frag" "$tmp/fragment.config"
[ ! -f "$obj/modules.builtin" ] || cp "$obj/modules.builtin" "$tmp/"
cat "$obj/include/config/kernel.release" > "$tmp/release"
rm -rf "$cache"
mv "$tmp" "$cache"
install_kdir
