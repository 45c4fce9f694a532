#!/bin/bash
# tools/kmods.sh MODDIR DEST NAME...: copy kernel modules NAME... and,
# recursively, the modules their .modinfo `depends=` names, from MODDIR (a
# kernel's /lib/modules/RELEASE, e.g. from Debian's package, which has no
# modules.dep) into DEST, flat: DEST/<name>.ko, where <name> is the module's
# name with `-` normalised to `_` (the .modinfo name=). .ko.xz/.ko.gz/.ko.zst
# are decompressed. sandinit's loader reads /lib/modules/$(uname -r)/<name>.ko
# and the same depends= field. modules.builtin is copied too, so the loader
# can tell "built in" from "missing". A name that is neither a module nor
# built in is reported on stderr and skipped (boot goes on without it, as
# SPEC section 3 says).
set -euo pipefail
die() { echo "kmods: fatal: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: kmods.sh MODDIR DEST NAME..."
moddir=$1 dest=$2
shift 2
mkdir -p "$dest"
[ $# -gt 0 ] || exit 0
[ -f "$moddir/modules.builtin" ] && cp "$moddir/modules.builtin" "$dest/"

# name -> path of every module file the kernel ships.
declare -A path
while IFS= read -r f; do
	n=${f##*/}; n=${n%%.ko*}; n=${n//-/_}
	path[$n]=$f
done < <(find -L "$moddir" -name '*.ko' -o -name '*.ko.*' | LC_ALL=C sort)

builtin() {
	[ -f "$moddir/modules.builtin" ] &&
		sed 's,.*/,,; s,\.ko$,,; s,-,_,g' "$moddir/modules.builtin" | grep -qx "$1"
}

declare -A done
queue=()
for n in "$@"; do queue+=("${n//-/_}"); done
while [ ${#queue[@]} -gt 0 ]; do
	n=${queue[0]}; queue=("${queue[@]:1}")
	[ -n "${done[$n]:-}" ] && continue
	done[$n]=1
	f=${path[$n]:-}
	if [ -z "$f" ]; then
		if builtin "$n"; then
			echo "kmods: $n is built into the kernel"
		else
			echo "kmods: warning: no module $n in $moddir; skipped" >&2
		fi
		continue
	fi
	case $f in
	*.ko) cp "$f" "$dest/$n.ko" ;;
	*.ko.xz) xz -dc "$f" > "$dest/$n.ko" ;;
	*.ko.gz) gzip -dc "$f" > "$dest/$n.ko" ;;
	*.ko.zst) zstd -qdc "$f" > "$dest/$n.ko" ;;
	*) die "unknown module format: $f" ;;
	esac
	# (to a file: objcopy's output is not a stream, and through /dev/stdout
	# on a pipe it came out empty now and then, losing the depends)
	objcopy -O binary --only-section=.modinfo "$dest/$n.ko" "$dest/.modinfo.tmp" ||
		die "cannot read .modinfo of $f"
	grep -aq 'name=' "$dest/.modinfo.tmp" || die "no .modinfo in $f"
	deps=$(tr '\0' '\n' < "$dest/.modinfo.tmp" | sed -n 's/^depends=//p')
	rm -f "$dest/.modinfo.tmp"
	IFS=, read -r -a more <<< "$deps"
	for d in "${more[@]}"; do [ -n "$d" ] && queue+=("${d//-/_}"); done
	echo "kmods: $n${deps:+ (depends $deps)}"
done
