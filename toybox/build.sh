#!/bin/bash
# toybox/build.sh: fetch Debian's toybox source package and build a static
# musl toybox from it with the .config kept next to this script.
#
#   build.sh fetch CACHEDIR VERSION
#       apt-get source --download-only toybox=VERSION into CACHEDIR, using a
#       private deb-src list, lists and caches under CACHEDIR/apt: the
#       machine's apt configuration is never changed. Verifies the
#       .orig.tar.* against the .dsc's Checksums-Sha256. A download already
#       in CACHEDIR that verifies is not fetched again.
#   build.sh build TARBALL CONFIG BUILDDIR OUTFILE KINC
#       unpacks TARBALL into BUILDDIR, builds with CC (default musl-gcc),
#       -isystem KINC (kernel uapi headers for musl), --static; installs
#       the stripped binary as OUTFILE.
#   build.sh config SRCDIR
#       prints a fresh config (defconfig + our changes) made in SRCDIR, an
#       unpacked toybox tree: how toybox/config was made.
set -euo pipefail

die() { echo "toybox/build.sh: fatal: $*" >&2; exit 1; }

# The first deb URI (and its signed-by keyring) the machine uses for its
# release's main archive, from deb822 .sources or one-line .list files.
# Prints "URI SUITE KEYRING".
machine_archive() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			awk -v c="$codename" '
			function flush() {
				if (deb && uri != "" && suite_ok)
					print uri, c, (key == "" ? "-" : key)
				deb = 0; uri = ""; suite_ok = 0; key = ""
			}
			/^[[:space:]]*$/ { flush(); next }
			/^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == c) suite_ok = 1 }
			/^Signed-By:/ { key = $2 }
			END { flush() }' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -r "$f" ] || continue
			# deb [opts] URI SUITE COMPONENTS...
			sed -n 's/^[[:space:]]*deb[[:space:]]\+//p' "$f" | while read -r line; do
				local key=- opts
				if [ "${line#[}" != "$line" ]; then
					opts=${line%%]*}; line=${line#*]}
					case $opts in *signed-by=*) key=${opts#*signed-by=}; key=${key%% *} ;; esac
				fi
				set -- $line
				[ "${2:-}" = "$codename" ] && echo "$1 $codename $key"
			done
		done
	} | head -n 1
}

fetch() {
	local cache=$1 version=$2 upver orig dsc want have
	mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial"
	cache=$(cd "$cache" && pwd)
	upver=${version%-*}
	dsc=$cache/toybox_${version}.dsc
	verify() {
		[ -r "$dsc" ] || return 1
		orig=$(ls "$cache"/toybox_"$upver".orig.tar.* 2>/dev/null | head -n 1)
		[ -n "$orig" ] || return 1
		want=$(awk -v f="${orig##*/}" '
			/^Checksums-Sha256:/ { s = 1; next }
			/^[^ ]/ { s = 0 }
			s && $3 == f { print $1 }' "$dsc")
		[ -n "$want" ] || die "${orig##*/} not listed in ${dsc##*/}'s Checksums-Sha256"
		have=$(sha256sum "$orig" | cut -d' ' -f1)
		[ "$want" = "$have" ] ||
			die "sha256 mismatch for ${orig##*/}: .dsc says $want, file is $have"
	}
	if verify; then
		echo "toybox: cached ${orig##*/}, sha256 ok"
		return 0
	fi

	local uri suite key
	read -r uri suite key < <(machine_archive) || true
	[ -n "${uri:-}" ] || die "no deb source for this release in /etc/apt; cannot fetch toybox"
	local opt=""
	[ "$key" != "-" ] && opt=" [signed-by=$key]"
	echo "deb-src$opt $uri $suite main" > "$cache/apt/src.list"
	local apt=(apt-get -q -o Dir::Etc::SourceList="$cache/apt/src.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$cache/apt/lists"
		-o Dir::Cache="$cache/apt/cache"
		-o APT::Sandbox::User=root)
	"${apt[@]}" update >/dev/null || die "apt-get update of the private deb-src list failed"
	# Debian's .debian.tar.xz for 0.8.9+dfsg-1 is missing from the archive
	# (404): apt-get then exits non-zero although the .dsc and the .orig
	# tarball, all we need, arrived. verify() decides.
	(cd "$cache" && "${apt[@]}" source --download-only "toybox=$version") \
		>"$cache/apt/source.log" 2>&1 ||
		echo "toybox: apt-get source failed in part (the .debian.tar.* is known to be missing); checking what arrived"
	verify || { cat "$cache/apt/source.log" >&2; die "toybox_$version.dsc or the orig tarball did not arrive"; }
	echo "toybox: fetched ${orig##*/}, sha256 ok"
}

build() {
	local tarball=$1 config=$2 bdir=$3 out=$4 kinc=$5 src
	tarball=$(realpath "$tarball"); config=$(realpath "$config")
	kinc=$(realpath "$kinc")
	rm -rf "$bdir"
	mkdir -p "$bdir"
	tar -C "$bdir" -xf "$tarball"
	src=$(ls -d "$bdir"/toybox-*/ | head -n 1)
	[ -d "$src" ] || die "no toybox-* directory in $tarball"
	cp "$config" "$src/.config"
	# make.sh's last line is `[ -z "$V" ] && echo`: never set V.
	(cd "$src" && env -u V make toybox \
		CC="${CC:-musl-gcc}" HOSTCC="${HOSTCC:-gcc}" \
		CFLAGS="-Os -isystem $kinc" LDFLAGS="--static" \
		CPUS="${CPUS:-2}" >build.log 2>&1) || {
		tail -n 40 "$src/build.log" >&2
		die "toybox build failed (log: $src/build.log)"
	}
	file -L "$src/toybox" | grep -q 'statically linked' || die "toybox is not static"
	install -m 755 "$src/toybox" "$out"
}

config() {
	local src=$1
	(cd "$src" && make defconfig >/dev/null 2>&1)
	for o in PASSWD SU LOGIN MKPASSWD SULOGIN CHSH INSMOD RMMOD MODPROBE IP; do
		sed -i "s/^CONFIG_$o=y/# CONFIG_$o is not set/" "$src/.config"
	done
	sed -i 's/^# CONFIG_SH is not set/CONFIG_SH=y/' "$src/.config"
	(cd "$src" && yes "" | make oldconfig >/dev/null 2>&1)
	cat "$src/.config"
}

cmd=${1:-}
shift || true
case $cmd in
fetch) [ $# -eq 2 ] || die "usage: fetch CACHEDIR VERSION"; fetch "$@" ;;
build) [ $# -eq 5 ] || die "usage: build TARBALL CONFIG BUILDDIR OUTFILE KINC"; build "$@" ;;
config) [ $# -eq 1 ] || die "usage: config SRCDIR"; config "$@" ;;
*) die "usage: build.sh fetch|build|config ..." ;;
esac
