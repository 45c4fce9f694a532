#!/bin/bash
# tools/mkrootfs.sh DEST INIT TOYBOX PROBE CONFIG KDIR OVERLAY: assemble the
# image tree (SPEC section 1) in DEST, from scratch:
#   /init                   INIT (sandinit)
#   /bin/initctl            -> ../init
#   /bin/toybox             TOYBOX, with a relative symlink for every applet
#                           where `toybox --long` puts it (bin/sh, usr/bin/nc...)
#   /bin/probe              PROBE (the tests' probe), unless PROBE is "-"
#   /etc/sandinit.conf      CONFIG
#   more programs           IMAGE_BINS (environment): SRC:DEST blank-separated,
#                           DEST relative to the image's / (the kiosk demo's
#                           usr/bin/kiosk-demo)
#   /lib/modules/RELEASE/   the modules CONFIG's global `modules` lines name,
#                           those its `nat`/`publish` lines need (FW_MODULES of
#                           init/firewall.h), with an `interface` line the
#                           board's NIC drivers (UPLINK_MODULES, from board.mk's
#                           BOARD_NIC_MODULES, also listed in sandinit.uplink
#                           for PID 1) and those that make its `device` nodes
#                           (listed in modules.devname for PID 1), with their
#                           depends= and softdep=pre:, flat as <name>.ko
#                           (tools/kmods.sh)
#   /proc /sys /dev /run /tmp /mnt /root    empty
#   OVERLAY's tree (the repository's rootfs/) copied on top.
# KDIR is tools/fetch-kernel.sh's directory (release, modules). BOARD_EXEC
# (environment) runs the board's binaries here, e.g. qemu-aarch64-static;
# empty when the board is the build machine's architecture.
set -euo pipefail
die() { echo "mkrootfs: fatal: $*" >&2; exit 1; }
[ $# -eq 7 ] || die "usage: mkrootfs.sh DEST INIT TOYBOX PROBE CONFIG KDIR OVERLAY"
dest=$1 init=$2 toybox=$3 probe=$4 config=$5 kdir=$6 overlay=$7
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$dest"
mkdir -p "$dest"
for d in bin sbin usr/bin usr/sbin etc lib proc sys dev run tmp mnt root; do
	mkdir -p "$dest/$d"
done
chmod 1777 "$dest/tmp"

install -m 755 "$init" "$dest/init"
ln -s ../init "$dest/bin/initctl"
install -m 755 "$toybox" "$dest/bin/toybox"
[ "$probe" = - ] || install -m 755 "$probe" "$dest/bin/probe"
install -m 600 "$config" "$dest/etc/sandinit.conf"
for b in ${IMAGE_BINS:-}; do
	install -D -m 755 "${b%%:*}" "$dest/${b#*:}"
done

# Applet links, relative so the tree works wherever it is mounted.
applets=$(${BOARD_EXEC:-} "$toybox" --long) || die "cannot run $toybox --long"
for a in $applets; do
	case $a in */*) ;; *) continue ;; esac
	[ -e "$dest/$a" ] || [ -L "$dest/$a" ] && continue
	mkdir -p "$dest/${a%/*}"
	case ${a%/*} in
	bin) ln -s toybox "$dest/$a" ;;
	*) ln -s "$(echo "${a%/*}" | sed 's,[^/]*,..,g')/bin/toybox" "$dest/$a" ;;
	esac
done

# kmods.sh reads CONFIG's `modules` and `device` lines itself (--config);
# here what PID 1 loads by itself for `nat`, `publish` and `interface`
# (SPEC section 10).
modules=
release=$(cat "$kdir/release")
if awk '{ sub(/#.*/, "") } $1 == "nat" || $1 == "publish" { f = 1 } END { exit !f }' "$config"; then
	modules="$modules $(sed -n 's/^#define FW_MODULES //p' "$here/../init/firewall.h" | tr -d '",')"
fi
uplink=
if awk '{ sub(/#.*/, "") } $1 == "service" { exit } $1 == "interface" { f = 1 } END { exit !f }' "$config"; then
	uplink=${UPLINK_MODULES:-}
	modules="$modules $uplink"
fi
# shellcheck disable=SC2086
"$here/kmods.sh" "$kdir/modules" "$dest/lib/modules/$release" --config "$config" $modules
[ -z "$uplink" ] || echo "$uplink" > "$dest/lib/modules/$release/sandinit.uplink"

if [ -d "$overlay" ]; then
	cp -a --no-preserve=ownership "$overlay/." "$dest/"
	find "$dest" -name .gitkeep -delete
fi
