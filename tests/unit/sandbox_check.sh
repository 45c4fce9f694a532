#!/bin/bash
# sandbox_check: SPEC §6 as far as mount.c, privs.c and seccomp.c make it,
# checked with the probe through sandbox_harness (the spawner's child
# sequence). Root only. Usage: sandbox_check.sh HARNESS PROBE
set -u
H=$(realpath "$1")
P=$(realpath "$2")
pass=0 fail=0
WORK=$(mktemp -d /tmp/sandbox_check.XXXXXX)
# The sandbox's root is host uid 100000: it must be able to get in.
chmod 755 "$WORK"
mkdir -m 777 "$WORK/rw"
trap 'umount -R "$WORK/rootfs" 2>/dev/null; rm -rf "$WORK"' EXIT

# check NAME EXPECTED-REGEX COMMAND...: the output must match.
check() {
	local name=$1 want=$2 out
	shift 2
	out=$(timeout 20 "$@" 2>&1)
	if grep -Eq -- "$want" <<<"$out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL %s: want /%s/, got:\n%s\n' "$name" "$want" "$out"
	fi
}
# refute NAME REGEX COMMAND...: the output must not match.
refute() {
	local name=$1 bad=$2 out
	shift 2
	out=$(timeout 20 "$@" 2>&1)
	if grep -Eq -- "$bad" <<<"$out"; then
		fail=$((fail + 1))
		printf 'FAIL %s: unwanted /%s/ in:\n%s\n' "$name" "$bad" "$out"
	else
		pass=$((pass + 1))
	fi
}

suite() {
	local tag=$1 r=$2	# r: extra harness options (a root)
	check "$tag hostname" '^hostname: probe$' "$H" $r -- "$P" hostname
	check "$tag pids" '^pids: 1 2$' "$H" $r -- "$P" pids
	check "$tag uid_map" '^uid_map: 0 100000 65536$' "$H" $r -- "$P" uidmap
	check "$tag ipc" '^shm: 0$' "$H" $r -- "$P" ipc
	check "$tag lo" '^link: lo up 127.0.0.1/8$' "$H" $r -- "$P" links
	check "$tag nnp" '^NoNewPrivs: 1$' "$H" $r -- "$P" caps
	check "$tag seccomp" '^Seccomp: 2$' "$H" $r -- "$P" caps
	check "$tag capbnd" '^CapBnd: 00000000a80425fb$' "$H" $r -- "$P" caps
	check "$tag capeff" '^CapEff: 00000000a80425fb$' "$H" $r -- "$P" caps
	check "$tag root ro" '^denied: EROFS$' "$H" $r -- "$P" try-write /probe-file
	check "$tag tmp rw" '^ok$' "$H" $r -- "$P" try-write /tmp/x
	check "$tag /proc/sys ro" '^mount: /proc/sys proc ro,' "$H" $r -- "$P" mounts
	check "$tag /proc/sys write" '^denied: E(ROFS|ACCES)$' "$H" $r -- "$P" try-write /proc/sys/kernel/hostname
	check "$tag /proc/keys masked" '^mount: /proc/keys devtmpfs' "$H" $r -- "$P" mounts
	check "$tag /proc/timer_list masked" '^mount: /proc/timer_list devtmpfs' "$H" $r -- "$P" mounts
	check "$tag /sys ro" '^mount: /sys sysfs ro,' "$H" $r -- "$P" mounts
	check "$tag /dev" '^ls: fd full null ptmx pts random shm stderr stdin stdout tty urandom zero$' \
		"$H" $r -- "$P" ls /dev
	check "$tag /sys/class/net" '^ls: lo$' "$H" $r -- "$P" ls /sys/class/net
	check "$tag /dev ro" '^denied: EROFS$' "$H" $r -- "$P" try-write /dev/new
	check "$tag /dev/shm rw" '^ok$' "$H" $r -- "$P" try-write /dev/shm/x
	for t in try-mount try-module try-reboot try-settime try-keyctl try-bpf try-userns; do
		check "$tag $t" '^denied: EPERM$' "$H" $r -- "$P" $t
	done
	check "$tag try-kill host" '^denied: ESRCH$' "$H" $r -- "$P" try-kill $$
	check "$tag try-ptrace" '^denied: EPERM$' "$H" $r -- "$P" try-ptrace 1
}

suite host ""

# A root of its own, on a tmpfs (the probe is static: nothing else needed).
mkdir -p "$WORK/rootfs"
mount -t tmpfs tmpfs "$WORK/rootfs"
mkdir -p "$WORK/rootfs/"{proc,dev,sys,tmp,bin,data}
cp "$P" "$WORK/rootfs/bin/probe"
ln -s /data "$WORK/rootfs/link"
P_HOST=$P
P=/bin/probe
suite rootdir "-r $WORK/rootfs"
echo hi >"$WORK/hello"
check "bind through a symlink stays inside" '^mount: /data ext4 ro' \
	"$H" -r "$WORK/rootfs" -b "$WORK:/link" -- "$P" mounts
check "pid-only" '^mount: /proc proc rw,nosuid,nodev,noexec,relatime$' "$H" -p -r "$WORK/rootfs" -- "$P" mounts
refute "pid-only no masks" '/proc/sys' "$H" -p -r "$WORK/rootfs" -- "$P" mounts
P=$P_HOST

check "bind ro" '^denied: EROFS$' "$H" -b "$WORK:/tmp/w" -- "$P" try-write /tmp/w/new
check "bind rw" '^ok$' "$H" -b "$WORK/rw:/tmp/w:rw" -- "$P" try-write /tmp/w/new
check "bind missing" 'unable to bind /nonexistent: No such file' "$H" -b /nonexistent:/tmp/x -- "$P" id
check "device" '^mount: /dev/loop0 devtmpfs' "$H" -d /dev/loop0 -- "$P" mounts
check "device not a node" 'unable to device /etc/passwd: it leads out of /dev' "$H" -d /etc/passwd -- "$P" id
check "tmpfs size" '^mount: /var/cache tmpfs rw,nosuid,nodev' "$H" -t /var/cache:1048576 -- "$P" mounts
check "user caps" '^CapAmb: 0000000000000400$' "$H" -u 1000:1000 -c 400 -- "$P" caps
check "user caps bnd" '^CapBnd: 0000000000000400$' "$H" -u 1000:1000 -c 400 -- "$P" caps
check "user uid" '^Uid:.1000.1000' "$H" -u 1000:1000 -c 400 -- "$P" caps
check "no caps" '^CapEff: 0000000000000000$' "$H" -c 0 -- "$P" caps
check "readonly no" '^mount: / ext4 rw' "$H" -w -- "$P" mounts

# As the host tests run sandinit: PID 1 of a fresh unshare.
check "under unshare" '^pids: 1 2$' unshare --mount --pid --fork --mount-proc "$H" -- "$P" pids

# The initramfs case: the host's root is itself a tmpfs.
mkdir -p "$WORK/tmproot"
check "host root on tmpfs" '^pids: 1 2$' unshare --mount --pid --fork sh -c '
	set -e
	R=$1
	mount -t tmpfs tmpfs "$R"
	mkdir -p "$R/proc" "$R/dev" "$R/sys" "$R/tmp" "$R/bin" "$R/old"
	cp "$2" "$R/bin/h"; cp "$3" "$R/bin/probe"
	mount --rbind /dev "$R/dev"
	mount -t proc proc "$R/proc"
	cd "$R"; pivot_root . old
	exec /bin/h -- /bin/probe pids' sh "$WORK/tmproot" "$H" "$P"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
