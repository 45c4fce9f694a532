#!/bin/bash
# tools/mkcpio.sh DIR OUT: write DIR's tree as a gzip'd newc cpio archive
# (an initramfs) that depends only on the tree's names, contents, modes and
# link targets: entries sorted bytewise, uid/gid 0, every mtime set to
# SOURCE_DATE_EPOCH (default 0), inode and device numbers renumbered by GNU
# cpio's --reproducible, gzip -n (no name, no time stamp). Modes are
# normalised too (0755 for directories and anything executable, else 0644;
# the config 0600) so the umask of whoever built the tree does not leak in. Changes DIR's
# mtimes and modes in place.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: mkcpio.sh DIR OUT" >&2; exit 2; }
dir=$1 out=$2
epoch=${SOURCE_DATE_EPOCH:-0}
find "$dir" -type d -exec chmod 0755 {} +
find "$dir" -type f -perm /111 -exec chmod 0755 {} +
find "$dir" -type f ! -perm /111 -exec chmod 0644 {} +
# The config holds every service's env: root's alone (SPEC section 6).
[ ! -f "$dir/etc/sandinit.conf" ] || chmod 0600 "$dir/etc/sandinit.conf"
find "$dir" -exec touch -h -d "@$epoch" {} +
(cd "$dir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9 -n > "$out.tmp"
mv "$out.tmp" "$out"
