#!/bin/bash
# tools/kmods.sh MODDIR DEST [--config CONFIG] NAME...: copy kernel modules
# NAME... and, recursively, the modules their .modinfo `depends=` and
# `softdep=pre:` name, from MODDIR (a
# kernel's /lib/modules/RELEASE, e.g. from Debian's package, which has no
# modules.dep) into DEST, flat: DEST/<name>.ko, where <name> is the module's
# name with `-` normalised to `_` (the .modinfo name=). .ko.xz/.ko.gz/.ko.zst
# are decompressed. sandinit's loader reads /lib/modules/$(uname -r)/<name>.ko
# and the same fields. A softdep may name an alias (libcrc32c's `pre:
# crc32c`): the module whose .modinfo has that alias= is copied, and
# DEST/<alias>.ko links to it (a *generic* one preferred: it works on every
# CPU). A NAME /dev/PATH is the module that makes that device node, the one
# whose .modinfo has alias=devname:PATH (tun for /dev/net/tun); a node no
# module makes (built in, or a hardware driver's) is only said. --config
# CONFIG adds the names of CONFIG's global `modules` lines and the paths
# of its `device` lines that name one node (no glob). modules.builtin is
# copied too, so the loader can tell "built in" from "missing", and
# DEST/modules.devname is written as depmod writes it for the modules
# copied that make a node, so that PID 1 loads the module of a `device`
# node that is missing. A name that is neither a module nor built in is
# reported on stderr and skipped (boot goes on without it, as SPEC
# section 3 says). Nothing is written when there is no NAME.
set -euo pipefail
die() { echo "kmods: fatal: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: kmods.sh MODDIR DEST [--config CONFIG] NAME..."
moddir=$1 dest=$2
shift 2
if [ "${1:-}" = --config ]; then
	[ $# -ge 2 ] || die "--config needs a file"
	# Global `modules` lines come before the first `service` line; `#`
	# starts a comment; a quoted argument loses its quotes.
	mapfile -t names < <(awk '{ sub(/#.*/, ""); gsub(/"/, "") }
		$1 == "service" { svc = 1 }
		$1 == "modules" && !svc { for (i = 2; i <= NF; i++) print $i }
		$1 == "device" && $2 ~ /^\/dev\/[^*?[]*[^/*?[]$/ { print $2 }' "$2")
	set -- "${names[@]}" "${@:3}"
fi
[ $# -gt 0 ] || exit 0
mkdir -p "$dest"
[ -f "$moddir/modules.builtin" ] && cp "$moddir/modules.builtin" "$dest/"

# name -> path of every module file the kernel ships.
declare -A path
while IFS= read -r f; do
	n=${f##*/}; n=${n%%.ko*}; n=${n//-/_}
	path[$n]=$f
done < <(find -L "$moddir" -name '*.ko' -o -name '*.ko.*' | LC_ALL=C sort)

# (grep -c, not -q: -q's early exit kills the writer with SIGPIPE, which
# pipefail counts as a failure: a found module was then taken as missing)
builtin() {
	[ -f "$moddir/modules.builtin" ] &&
		sed 's,.*/,,; s,\.ko$,,; s,-,_,g' "$moddir/modules.builtin" | grep -cx "$1" >/dev/null
}

# The generic BFD name of an ELF file's class and byte order (elf64-little
# ...): the build machine's objcopy reads any board's modules as plain ELF.
elf_bfd() {
	local id
	id=$(od -An -tx1 -j4 -N2 "$1" | tr -d ' ')
	case $id in
	0101) echo elf32-little ;; 0102) echo elf32-big ;;
	0201) echo elf64-little ;; 0202) echo elf64-big ;;
	*) die "$1 is not an ELF file" ;;
	esac
}

# The module name of a module file.
modname() { local t=${1##*/}; t=${t%%.ko*}; echo "${t//-/_}"; }

declare -A done devmod
queue=() devnames=()
for n in "$@"; do
	case $n in /dev/*) queue+=("$n") ;; *) queue+=("${n//-/_}") ;; esac
done
while [ ${#queue[@]} -gt 0 ]; do
	n=${queue[0]}; queue=("${queue[@]:1}")
	[ -n "${done[$n]:-}" ] && continue
	done[$n]=1
	case $n in
	/dev/*)
		# Each node's module, from one reading of the tree.
		if [ -z "${devscan:-}" ]; then
			devscan=1
			while IFS= read -r m; do
				while IFS= read -r a; do
					[ -n "${devmod[$a]:-}" ] || devmod[$a]=$m
				done < <(tr '\0' '\n' < "$m" | sed -n 's/^alias=devname://p')
			done < <(grep -rlaF --include='*.ko*' alias=devname: "$moddir" | LC_ALL=C sort)
		fi
		a=${devmod[${n#/dev/}]:-}
		if [ -n "$a" ]; then
			t=$(modname "$a")
			echo "kmods: $n is made by $t"
			queue+=("$t")
		else
			echo "kmods: $n: no module makes it"
		fi
		continue ;;
	esac
	f=${path[$n]:-}
	if [ -z "$f" ] && ! builtin "$n"; then
		# An alias: the modules that declare it, a generic one first.
		# (crypto/ first: the whole tree takes a while to read)
		a=$({ grep -rlaF --include='*.ko*' "alias=$n" "$moddir/kernel/crypto" 2>/dev/null ||
			grep -rlaF --include='*.ko*' "alias=$n" "$moddir" 2>/dev/null; } |
			while IFS= read -r m; do
				tr '\0' '\n' < "$m" | grep -cx "alias=$n" >/dev/null && echo "$m"
			done | awk '{ print (/generic/ ? 0 : 1), $0 }' | LC_ALL=C sort | sed -n 1p | cut -d' ' -f2-) || a=
		if [ -n "$a" ]; then
			t=$(modname "$a")
			ln -sf "$t.ko" "$dest/$n.ko"
			echo "kmods: $n is an alias of $t"
			queue+=("$t")
			continue
		fi
	fi
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
	objcopy -I "$(elf_bfd "$dest/$n.ko")" -O binary --only-section=.modinfo \
		"$dest/$n.ko" "$dest/.modinfo.tmp" ||
		die "cannot read .modinfo of $f"
	grep -aq 'name=' "$dest/.modinfo.tmp" || die "no .modinfo in $f"
	info=$(tr '\0' '\n' < "$dest/.modinfo.tmp")
	rm -f "$dest/.modinfo.tmp"
	deps=$(sed -n 's/^depends=//p' <<< "$info")
	# softdep=pre: A B post: C -> A B
	pre=$(sed -n 's/^softdep=//p' <<< "$info" | sed 's/post:.*//; s/pre://g' | xargs)
	# As depmod: a node name and a char-major-M-N or block-major-M-N alias
	# make a line `tun net/tun c10:200` (block-major-7-* is no number).
	node=$(sed -n 's/^alias=devname://p' <<< "$info" | sed -n 1p)
	num=$(sed -nE 's/^alias=(c)har-major-([0-9]+)-([0-9]+)$/\1\2:\3/p
		s/^alias=(b)lock-major-([0-9]+)-([0-9]+)$/\1\2:\3/p' <<< "$info" | sed -n 1p)
	[ -z "$node" ] || [ -z "$num" ] || devnames+=("$n $node $num")
	IFS=, read -r -a more <<< "$deps"
	for d in "${more[@]}" $pre; do [ -n "$d" ] && queue+=("${d//-/_}"); done
	echo "kmods: $n${deps:+ (depends $deps)}${pre:+ (softdep pre: $pre)}"
done
if [ ${#devnames[@]} -gt 0 ]; then
	{
		echo "# Device nodes to trigger on-demand module loading."
		printf '%s\n' "${devnames[@]}"
	} > "$dest/modules.devname"
fi
