#!/usr/bin/env bats
# Host tier: service sandboxes (issue 3): what a process sees inside a default
# sandbox (SPEC §6), what it cannot do, and each sandbox directive of SPEC §3.
# The probe (tests/probe/probe.c) reports; `initctl exec` runs it inside.

load lib/host

P=${PROBE:-$ROOT/out/probe}

# The probe inside a running service's sandbox.
probe_in() { ictl exec "$1" "$P" "${@:2}"; }

# The value of KEY in the last `run`'s `KEY: value` lines.
val() { sed -n "s/^$1: //p" <<<"$output" | head -n 1; }

# The /proc status file of service $1's own process, seen from the host.
status_file() { echo "/proc/$(host_pid1)/root/proc/$(status_of "$1" | cut -d' ' -f3)/status"; }

# The inode of namespace NS of host pid PID.
ns_of() { stat -L -c %i "/proc/$1/ns/$2"; }

# A directory every uid can traverse (bats' own temporary directories are
# not, and the sandbox's mounts are made as its unprivileged host uid).
pubdir() {
	PUB=$(mktemp -d /tmp/sandinit-sandbox.XXXXXX)
	chmod 755 "$PUB"
}

teardown() {
	local rc=0
	host_stop || rc=1
	if [ -n "${PUB:-}" ]; then
		rm -rf "$PUB"
	fi
	if [ -n "${VAR:-}" ]; then
		rm -rf "$VAR"
	fi
	if [ -s "$BATS_TEST_TMPDIR/socat.pid" ]; then
		kill "$(cat "$BATS_TEST_TMPDIR/socat.pid")" 2>/dev/null || :
	fi
	if [ -s "$BATS_TEST_TMPDIR/pty.pid" ]; then
		kill "$(cat "$BATS_TEST_TMPDIR/pty.pid")" 2>/dev/null || :
	fi
	return "$rc"
}

# A pty of the test's (for at most 120 s): its slave's path in
# $BATS_TEST_TMPDIR/pty.name, what is written to it in pty.out.
pty_hold() {
	timeout 120 python3 -c '
import os, pty, sys
m, s = pty.openpty()
d = sys.argv[1]
with open(d + "/pty.out", "ab", 0) as out:
    open(d + "/pty.new", "w").write(os.ttyname(s))
    os.rename(d + "/pty.new", d + "/pty.name")
    while True:
        try:
            b = os.read(m, 4096)
        except OSError:
            break
        out.write(b)
' "$BATS_TEST_TMPDIR" &
	echo $! >"$BATS_TEST_TMPDIR/pty.pid"
	retry 10 test -s "$BATS_TEST_TMPDIR/pty.name"
}

# A wrapper that runs out/sandinit with pty_hold's pty bound over
# /dev/console in its mount namespace (host_start's) alone: a terminal at a
# name of the host's /dev. Prints its path, for SANDINIT=... host_start.
with_pty_console() {
	local w=$BATS_TEST_TMPDIR/sandinit-pty
	printf '#!/bin/sh\nset -e\nmount --bind "%s" /dev/console\nexec "%s" "$@"\n' \
		"$(cat "$BATS_TEST_TMPDIR/pty.name")" "$SANDINIT" >"$w"
	chmod +x "$w"
	echo "$w"
}

# A wrapper that runs out/sandinit (PID 1, in host_start's mount namespace)
# with a tmpfs of its own on /dev/shm holding 0600 root copies of /dev/null
# under /dev/shm/n: the ACL entries of `device` lines are made on these,
# never on the machine's nodes. Prints its path, for SANDINIT=... host_start.
with_nodes() {
	local w=$BATS_TEST_TMPDIR/sandinit-nodes
	cat >"$w" <<-EOF
	#!/bin/sh
	set -e
	mount -t tmpfs -o mode=755 nodes /dev/shm
	mkdir -p /dev/shm/n/dri/sub
	for n in a b event0 event1 mouse0 dri/card0 dri/renderD128 dri/sub/x; do
		mknod -m 600 /dev/shm/n/\$n c 1 3
	done
	echo text >/dev/shm/n/file
	# links: inside /dev to a node, to a file; absolute
	mkdir /dev/shm/l
	ln -s ../n/a /dev/shm/l/node
	ln -s ../n/file /dev/shm/l/file
	ln -s /dev/shm/n/a /dev/shm/l/abs
	exec "$SANDINIT" "\$@"
	EOF
	chmod +x "$w"
	echo "$w"
}

# The access ACL of PID 1's node PATH, numeric, without the header.
acl_of() { nsenter -t "$(host_pid1)" -m getfacl -pcn "$1"; }

two_sleepers() {
	conf <<-EOF
	service a
	  exec /bin/sh -c "$P pids; exec $P sleep 1000"
	service b
	  exec $P sleep 1000
	EOF
}

# --- what a process sees (SPEC §6) ---------------------------------------

@test "pids: only its own, the reaper as 1 and the service as 2" {
	host_start "$(two_sleepers)"
	wait_console '^sandinit: ready: 2 services'
	# sh is 2, the probe it ran 3; nothing of PID 1's namespace
	wait_console '^a: pids: '
	run console
	assert_line 'a: pids: 1 2 3'
	run ictl exec a /bin/cat /proc/1/comm /proc/2/cmdline
	assert_success
	assert_line --index 0 sandinit-reaper
	assert_output --partial "$P"
	# initctl exec's command is in there too, and sees the same
	run probe_in a pids
	assert_success
	assert_output --regexp '^pids: 1 2 [0-9]+$'
	# the service's pid as PID 1 sees it is not 2 (a pid namespace of its own)
	pid=$(status_of a | cut -d' ' -f3)
	[ "$pid" != 2 ]
	[ "$pid" -gt 1 ]
}

@test "hostname is the service's name; SysV IPC of the host is not visible" {
	command -v ipcmk >/dev/null || skip "no ipcmk"
	host_start "$(two_sleepers)"
	wait_console '^sandinit: ready: 2 services'
	# an object in PID 1's IPC namespace, which the sandbox must not see
	p1=$(host_pid1)
	nsenter --ipc="/proc/$p1/ns/ipc" ipcmk -M 4096 >/dev/null
	nsenter --ipc="/proc/$p1/ns/ipc" ipcmk -Q >/dev/null
	[ "$(nsenter --ipc="/proc/$p1/ns/ipc" sh -c 'tail -n +2 /proc/sysvipc/shm | wc -l')" -ge 1 ]
	run probe_in a hostname
	assert_output 'hostname: a'
	run probe_in b hostname
	assert_output 'hostname: b'
	run probe_in a ipc
	assert_success
	assert_line 'msg: 0'
	assert_line 'sem: 0'
	assert_line 'shm: 0'
	run hostname
	[ "$output" != a ]
}

@test "namespaces: all six plus cgroup, none of them PID 1's; only lo, up, without net lines" {
	host_start "$(two_sleepers)"
	wait_console '^sandinit: ready: 2 services'
	p1=$(host_pid1)
	run probe_in a ns
	assert_success
	for ns in cgroup ipc mnt net pid user uts; do
		v=$(val "$ns")
		assert_regex "$v" '^[0-9]+$'
		h=$(ns_of "$p1" "$ns")
		assert_not_equal "$v" "$h"
	done
	# `all` is every one but time
	h=$(ns_of "$p1" time)
	assert_regex "$h" '^[0-9]+$'
	assert_equal "$(val time)" "$h"
	# a fresh network namespace's lo is down until sandinit sets it up
	run probe_in a links
	assert_success
	assert_output 'link: lo up 127.0.0.1/8'
}

@test "namespaces LIST: exactly those, time included" {
	f=$(conf <<-EOF
	service some
	  namespaces user pid mount time
	  exec /bin/sh -c "$P ns; exec $P sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^some: uts: '
	p1=$(host_pid1)
	run console
	for ns in user pid mnt time; do
		h=$(ns_of "$p1" "$ns")
		assert_line --regexp "^some: $ns: [0-9]+$"
		refute_line "some: $ns: $h"
	done
	for ns in net uts ipc cgroup; do
		h=$(ns_of "$p1" "$ns")
		assert_line "some: $ns: $h"
	done
}

# map_of SVC: the service's uid_map as "INSIDE HOST COUNT", one line per range
# (gid_map must be the same); fails unless it could read both.
map_of() {
	local u g
	u=$(ictl exec "$1" /bin/cat /proc/self/uid_map) || return 1
	g=$(ictl exec "$1" /bin/cat /proc/self/gid_map) || return 1
	[ -n "$u" ] || return 1
	if [ "$u" != "$g" ]; then echo "$1: uid_map '$u' but gid_map '$g'" >&2; return 1; fi
	awk '{ print $1, $2, $3 }' <<<"$u"
}

@test "uid_map: 0 maps to >= 100000; two services' ranges are disjoint; no host root" {
	host_start "$(two_sleepers)"
	wait_console '^sandinit: ready: 2 services'
	run ictl status
	assert_success
	svcs=$(awk '{ print $1 }' <<<"$output")
	assert_equal "$(echo $svcs)" 'a b'
	: >"$BATS_TEST_TMPDIR/ranges"
	for s in $svcs; do
		run map_of "$s"
		assert_success
		echo "$s: $output"
		# one range: nothing else (host root) is mapped
		assert_equal "${#lines[@]}" 1
		read -r i h n <<<"$output"
		assert_equal "$i" 0
		[ "$h" -ge 100000 ] || fail "$s: inside 0 is host uid $h, under 100000"
		[ "$n" -ge 65536 ] || fail "$s: only $n uids mapped"
		# host uid 0 is outside [h, h + n)
		[ $((h + n)) -le 0 ] || [ "$h" -gt 0 ] || fail "$s: host root in $h+$n"
		echo "$h $n $s" >>"$BATS_TEST_TMPDIR/ranges"
		# the service really runs as that host uid
		pid=$(status_of "$s" | cut -d' ' -f3)
		hu=$(awk '/^Uid:/ { print $2 }' "/proc/$(host_pid1)/root/proc/$pid/status")
		assert_equal "$hu" "$h"
	done
	# disjoint: sorted by start, each ends before the next starts
	run awk 'NR > 1 && $1 < end { print "overlap: " prev " and " $3 } { end = $1 + $2; prev = $3 }' \
		<(sort -n "$BATS_TEST_TMPDIR/ranges")
	assert_success
	assert_output ''
	# setgroups stays allowed (daemons drop their groups), and there are
	# none to begin with
	run ictl exec a /bin/cat /proc/self/setgroups
	assert_output allow
	run probe_in a groups
	assert_output 'groups:'
}

@test "file systems: read-only root, writable /tmp tmpfs, /proc and /sys protected, minimal /dev" {
	host_start "$(two_sleepers)"
	wait_console '^sandinit: ready: 2 services'
	run probe_in a try-write /sandinit-probe-test
	assert_output 'denied: EROFS'
	run probe_in a try-write /etc/sandinit-probe-test
	assert_output 'denied: EROFS'
	run probe_in a try-write /tmp/x
	assert_output ok
	run probe_in a mounts
	assert_success
	assert_line --regexp '^mount: / [^ ]+ ro(,|$)'
	assert_line --regexp '^mount: /tmp tmpfs rw'
	assert_line --regexp '^mount: /proc proc rw'
	# read-only /proc parts (the ones this kernel has)
	for p in /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus; do
		[ -e "$p" ] || continue
		assert_line --regexp "^mount: $p [^ ]+ ro,"
	done
	run probe_in a try-write /proc/sys/kernel/hostname
	assert_output --regexp '^denied: (EROFS|EACCES)$'
	# masked: /dev/null over files, an empty read-only tmpfs over directories
	run probe_in a mounts
	for p in /proc/kcore /proc/keys /proc/timer_list; do
		[ -e "$p" ] || continue
		assert_line --regexp "^mount: $p "
	done
	run ictl exec a /bin/sh -c 'wc -c </proc/timer_list; stat -c %t:%T /proc/keys'
	assert_output $'0\n1:3'
	# /sys: absent or read-only
	run probe_in a mounts
	if grep -q '^mount: /sys ' <<<"$output"; then
		assert_line --regexp '^mount: /sys [^ ]+ ro,'
		run probe_in a try-write /sys/kernel/x
		assert_output --regexp '^denied: (EROFS|EACCES|ENOENT)$'
	fi
	# /dev: only the minimal set
	run probe_in a ls /dev
	assert_output 'ls: fd full log null ptmx pts random shm stderr stdin stdout tty urandom zero'
	run ictl exec a /bin/sh -c 'head -c 4 /dev/urandom | wc -c; echo x >/dev/null && echo null ok; test -c /dev/zero && echo zero ok'
	assert_output $'4\nnull ok\nzero ok'
}

@test "privileges: NoNewPrivs 1, Seccomp 2, Docker's default capabilities" {
	host_start "$(two_sleepers)"
	wait_console '^sandinit: ready: 2 services'
	run probe_in a caps
	assert_success
	assert_line 'NoNewPrivs: 1'
	assert_line 'Seccomp: 2'
	assert_line 'CapBnd: 00000000a80425fb'
	assert_line 'CapEff: 00000000a80425fb'
	assert_line 'CapPrm: 00000000a80425fb'
	assert_line 'CapAmb: 0000000000000000'
	# the service itself, not only what initctl exec gives
	st=$(status_file b)
	grep -qx 'CapBnd:	00000000a80425fb' "$st"
	grep -qx 'Seccomp:	2' "$st"
	grep -qx 'NoNewPrivs:	1' "$st"
}

@test "cgroup: /proc/self/cgroup shows 0::/, for the service and initctl exec" {
	f=$(conf <<-EOF
	service a
	  exec /bin/sh -c "$P cgroup; exec $P sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^a: cgroup: 0::'
	run console
	assert_line 'a: cgroup: 0::/'
	run probe_in a cgroup
	assert_line 'cgroup: 0::/'
	refute_line --regexp '^cgroup: 0::/.+'
}

# --- what it cannot do ------------------------------------------------------

@test "forbidden: see or signal a host pid, mount, modules, reboot, clock, ptrace, keyctl, bpf, userns" {
	# capped holds the capabilities these calls need, under the default
	# filter: the filter is what refuses them. open, the control, holds the
	# same without the filter: the same calls get past it (the kernel's own
	# answer: EINVAL for the invalid time and bpf command the probe asks
	# for, ok for the rest; reboot: below).
	f=$(conf <<-EOF
	service a
	  exec /bin/sh -c "$P pids; exec $P sleep 1000"
	service capped
	  caps sys_time sys_boot sys_admin sys_ptrace
	  exec $P sleep 1000
	service open
	  caps sys_time sys_boot sys_admin sys_ptrace
	  seccomp off
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 3 services'
	# this shell's pid exists on the host, not in the sandbox
	run probe_in a try-kill $$
	assert_output 'denied: ESRCH'
	run ictl exec a /bin/sh -c "test -e /proc/$$ || echo absent"
	assert_output absent
	# nor does PID 1's (sandinit's) process: the reaper is 1 in there
	run ictl exec a /bin/cat /proc/1/comm
	assert_output sandinit-reaper
	# the default sandbox, and one with the capabilities: the filter refuses
	for s in a capped; do
		run probe_in "$s" caps
		assert_line 'Seccomp: 2'
		for t in try-module try-reboot try-settime 'try-ptrace 2' try-keyctl try-bpf try-userns; do
			run probe_in "$s" $t
			assert_output 'denied: EPERM'
		done
	done
	run probe_in capped caps
	# exactly sys_time 25, sys_boot 22, sys_admin 21 and sys_ptrace 19
	assert_line 'CapEff: 0000000002680000'
	# the control: no filter, the same capabilities, and these get through
	run probe_in open caps
	assert_line 'Seccomp: 0'
	assert_line 'CapEff: 0000000002680000'
	# (reboot(2) is the kernel's to refuse too: a sandbox's pid namespace
	# belongs to PID 1's user namespace, which no capability inside
	# reaches, so that the mounts made from there stay locked)
	run probe_in open try-reboot
	assert_output 'denied: EPERM'
	run probe_in open try-settime
	assert_output 'denied: EINVAL'
	run probe_in open try-bpf
	assert_output 'denied: EINVAL'
	run probe_in open try-ptrace 2
	assert_output ok
	run probe_in open try-keyctl
	assert_output ok
	run probe_in open try-userns
	assert_output ok
	# (module loading needs CAP_SYS_MODULE in the host's namespace, which
	# no sandbox has: EPERM there, or ENOSYS from a kernel without modules)
	run probe_in open try-module
	assert_output --regexp '^denied: (EPERM|ENOSYS)$'
	run probe_in a try-write "$PROBE_HOME/sandbox-probe-test"
	assert_output 'denied: EROFS'
	[ ! -e "$PROBE_HOME/sandbox-probe-test" ]
	# the probe's exit status says so too (0: denied)
	run probe_in a try-bpf
	assert_success
	# without sys_admin, no mount; with it, one (which stays inside: the
	# next test; last here, for it covers the sandbox's / and the probe)
	run probe_in a try-mount
	assert_output 'denied: EPERM'
	run probe_in capped try-mount
	assert_output ok
}

@test "a mount inside, even with sys_admin, does not reach the host" {
	f=$(conf <<-EOF
	service m
	  caps sys_admin
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run probe_in m try-mount
	assert_output ok
	# the probe's tmpfs (source sandinit-probe, over /) is there in the
	# sandbox's mount namespace, which outlives the probe (as the service
	# sees it: nothing is left to run in there)...
	pid=$(status_of m | cut -d' ' -f3)
	run cat "/proc/$(host_pid1)/root/proc/$pid/mountinfo"
	assert_success
	assert_line --regexp '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / .* - tmpfs sandinit-probe '
	# ... and neither in PID 1's (a leak would propagate there first) nor
	# in the host's, where this test runs
	run cat "/proc/$(host_pid1)/mountinfo"
	assert_success
	assert_line --regexp '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / '
	refute_output --partial sandinit-probe
	run cat /proc/self/mountinfo
	assert_success
	refute_output --partial sandinit-probe
}

@test "sandboxes start from PID 1's mounts as they are now, read-only, without its /run and /tmp" {
	f=$(conf <<-EOF
	service s
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	# PID 1's /tmp holds this test's control socket; no sandbox sees it:
	# its /tmp has only the config's empty stand-in (the config is in
	# this test's directory under /tmp) and the directories leading to it
	run ictl exec s /bin/sh -c "find /tmp -mindepth 1; ls -A /run"
	assert_success
	d=$f
	while [ "$d" != /tmp ]; do
		assert_line "$d"
		d=${d%/*}
	done
	refute_output --partial ctl.sock
	assert_equal "${#lines[@]}" "$(($(echo "$f" | tr -cd / | wc -c) - 1))"
	# a file system PID 1 mounts after boot is in every sandbox started
	# after it (the mount template is made again), and read-only there
	d=
	for c in /mnt /srv /opt /media; do
		if [ -d "$c" ]; then d=$c; break; fi
	done
	[ -n "$d" ]
	nsenter -t "$(host_pid1)" -m sh -c "mount -t tmpfs -o size=1m sandinit-late $d && echo late >$d/marker"
	run ictl exec s /bin/cat "$d/marker"
	assert_failure
	ictl restart s
	run ictl exec s /bin/cat "$d/marker"
	assert_output late
	run probe_in s try-write "$d/x"
	assert_output 'denied: EROFS'
}

# --- the directives -----------------------------------------------------------

@test "caps none empties every set; caps LIST keeps exactly those" {
	f=$(conf <<-EOF
	service bare
	  caps none
	  exec $P sleep 1000
	service few
	  caps net_bind_service chown
	  exec $P sleep 1000
	service nonroot
	  user 1000:1000
	  caps net_bind_service
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 3 services'
	run probe_in bare caps
	for k in CapInh CapPrm CapEff CapBnd CapAmb; do
		assert_line "$k: 0000000000000000"
	done
	run probe_in few caps
	for k in CapPrm CapEff CapBnd; do
		assert_line "$k: 0000000000000401"
	done
	run probe_in nonroot caps
	assert_line --regexp '^Uid: 1000\s+1000\s+1000\s+1000$'
	assert_line --regexp '^Gid: 1000\s+1000\s+1000\s+1000$'
	assert_line 'CapBnd: 0000000000000400'
	assert_line 'CapEff: 0000000000000400'
	assert_line 'CapPrm: 0000000000000400'
	assert_line 'CapAmb: 0000000000000400'
	assert_line 'NoNewPrivs: 1'
}

# F6: Docker's default set was raised as ambient for any uid: without a user
# namespace, host nobody read root's 0600 files (CAP_DAC_OVERRIDE).
@test "a non-root user holds no capability unless caps names it (bounding set keeps the default)" {
	pubdir
	echo secret >"$PUB/f"
	chmod 600 "$PUB/f"
	f=$(conf <<-EOF
	service root
	  namespaces pid mount
	  bind $PUB /s
	  exec $P sleep 1000
	service nobody
	  namespaces pid mount
	  user 65534:65534
	  bind $PUB /s
	  exec $P sleep 1000
	service granted
	  namespaces pid mount
	  user 65534:65534
	  caps dac_override
	  bind $PUB /s
	  exec $P sleep 1000
	service userns
	  user 1000:1000
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 4 services'
	run ictl exec root /bin/cat /s/f
	assert_output secret
	run ictl exec granted /bin/cat /s/f
	assert_output secret
	run ictl exec nobody /bin/cat /s/f
	assert_failure
	refute_output --partial secret
	for s in nobody userns; do
		run probe_in "$s" caps
		assert_line 'CapBnd: 00000000a80425fb'
		for k in CapInh CapPrm CapEff CapAmb; do
			assert_line "$k: 0000000000000000"
		done
	done
	run probe_in granted caps
	assert_line 'CapEff: 0000000000000002'
	assert_line 'CapAmb: 0000000000000002'
	# the service itself, not only what initctl exec gives
	st=$(status_file nobody)
	grep -qx 'CapEff:	0000000000000000' "$st"
	grep -qx 'CapAmb:	0000000000000000' "$st"
}

@test "seccomp off lifts the filter" {
	f=$(conf <<-EOF
	service open
	  seccomp off
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run probe_in open caps
	assert_line 'Seccomp: 0'
	assert_line 'NoNewPrivs: 1'
	# what only the filter refused now works
	run probe_in open try-keyctl
	assert_output ok
	run probe_in open try-userns
	assert_output ok
}

@test "namespaces none runs on the host: PID 1's namespaces" {
	f=$(conf <<-EOF
	service hostsvc
	  namespaces none
	  exec /bin/sh -c "$P ns; exec $P sleep 1000"
	service boxed
	  exec /bin/sh -c "$P ns; exec $P sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^hostsvc: uts: '
	wait_console '^boxed: uts: '
	p1=$(host_pid1)
	for ns in cgroup ipc mnt net pid user uts; do
		run console
		h=$(ns_of "$p1" "$ns")
		assert_line "hostsvc: $ns: $h"
		assert_line --regexp "^boxed: $ns: [0-9]+$"
		refute_line "boxed: $ns: $h"
	done
	# the host's view: its uid 0 and every capability
	pid=$(status_of hostsvc | cut -d' ' -f3)
	grep -q '^Seccomp:	0' "/proc/$p1/root/proc/$pid/status"
}

@test "join shares net, uts and ipc, and not pid, mount or cgroup" {
	f=$(conf <<-EOF
	service web
	  exec /bin/sh -c "$P ns; exec $P sleep 1000"
	service side
	  join web
	  after web
	  exec /bin/sh -c "$P ns; $P pids; exec $P sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^side: pids: '
	wait_console '^web: uts: '
	run console
	for ns in net uts ipc; do
		w=$(sed -n "s/^web: $ns: //p" <<<"$output")
		s=$(sed -n "s/^side: $ns: //p" <<<"$output")
		echo "$ns: web $w side $s"
		assert_regex "$w" '^[0-9]+$'
		assert_equal "$s" "$w"
	done
	for ns in pid mnt cgroup; do
		w=$(sed -n "s/^web: $ns: //p" <<<"$output")
		s=$(sed -n "s/^side: $ns: //p" <<<"$output")
		echo "$ns: web $w side $s"
		assert_regex "$w" '^[0-9]+$'
		assert_regex "$s" '^[0-9]+$'
		assert_not_equal "$s" "$w"
	done
	# nor the host's
	p1=$(host_pid1)
	h=$(ns_of "$p1" net)
	assert_line --regexp '^web: net: [0-9]+$'
	refute_line "web: net: $h"
	# its own pid namespace, with its own reaper
	assert_line 'side: pids: 1 2 4'
	run probe_in side hostname
	assert_output 'hostname: web'
	run probe_in side pids
	assert_output --regexp '^pids: 1 2 [0-9]+$'
	run probe_in side ns
	assert_line "net: $(sed -n 's/^side: net: //p' <<<"$(console)")"
}

@test "bind ro and rw, tmpfs with a size, device" {
	pubdir
	mkdir -m 777 "$PUB/ro" "$PUB/rw"
	echo hello >"$PUB/ro/file"
	f=$(conf <<-EOF
	service b
	  bind $PUB/ro /srv
	  bind $PUB/rw /mnt rw
	  tmpfs /opt 1M
	  device /dev/shm/n/a
	  exec $P sleep 1000
	EOF
	)
	SANDINIT=$(with_nodes) host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run ictl exec b /bin/cat /srv/file
	assert_output hello
	run probe_in b try-write /srv/new
	assert_output 'denied: EROFS'
	run probe_in b try-write /mnt/new
	assert_output ok
	[ -e "$PUB/rw/new" ]
	[ ! -e "$PUB/ro/new" ]
	# written as the service's unprivileged host uid
	[ "$(stat -c %u "$PUB/rw/new")" -ge 100000 ]
	run probe_in b mounts
	assert_line --regexp '^mount: /srv [^ ]+ ro,'
	assert_line --regexp '^mount: /mnt [^ ]+ rw,'
	assert_line --regexp '^mount: /opt tmpfs rw,'
	run ictl exec b /bin/grep ' /opt ' /proc/self/mountinfo
	assert_output --partial 'size=1024k'
	run ictl exec b /bin/sh -c 'head -c 2000000 /dev/zero >/opt/big'
	assert_failure
	run ictl exec b /bin/sh -c 'rm /opt/big; head -c 500000 /dev/zero >/opt/small && echo ok'
	assert_output ok
	run probe_in b ls /dev
	assert_output 'ls: fd full log null ptmx pts random shm stderr stdin stdout tty urandom zero'
	run probe_in b ls /dev/shm/n
	assert_output 'ls: a'
	run ictl exec b /bin/sh -c 'test -c /dev/shm/n/a && echo char'
	assert_output char
}

# F11: a service's terminal has its name inside (ttyname(3) finds it by its
# /proc/self/fd link, the host's path): that node is bound there, no other.
@test "tty DEVICE: the terminal is at its name in the sandbox's /dev (tty(1) names it), no other host node is" {
	pty_hold
	f=$(conf <<-'EOF'
	service t
	  tty /dev/console
	  exec /bin/sh -c "tty; readlink /proc/self/fd/0; echo $(ls /dev); exec sleep 1000"
	EOF
	)
	SANDINIT=$(with_pty_console) host_start "$f"
	written() { grep -q zero "$BATS_TEST_TMPDIR/pty.out"; }
	retry 10 written
	run tr -d '\r' <"$BATS_TEST_TMPDIR/pty.out"
	assert_line --index 0 /dev/console
	# the control: its stdin is the terminal, by the host's name
	assert_line --index 1 /dev/console
	assert_line --index 2 'console fd full log null ptmx pts random shm stderr stdin stdout tty urandom zero'
}

# A service with `tty /dev/ptmx` (the host's multiplexer, opened by PID 1):
# the sandbox's own /dev/ptmx is a link to pts/ptmx, never followed to bind
# the host's node over its devpts' one; that name is not bound, its openpty
# works. The control: without a tty line, openpty works too.
tty_ptmx() {
	mkdir -p "$BATS_TEST_TMPDIR/o"
	chmod 777 "$BATS_TEST_TMPDIR/o"
	chmod o+x "$BATS_TEST_TMPDIR" "$(dirname "$BATS_TEST_TMPDIR")" "$(dirname "$(dirname "$BATS_TEST_TMPDIR")")"
	cat >"$BATS_TEST_TMPDIR/o/t.py" <<-'PY'
	import os, time
	try:
	    os.openpty(); r = 'ok'
	except Exception as e:
	    r = repr(e)
	open('/o/r', 'w').write(r + ' ' + str(os.path.islink('/dev/ptmx')) + '\n')
	time.sleep(100)
	PY
	f=$(conf <<-EOF
	service a
	  $1
	  bind $BATS_TEST_TMPDIR/o /o rw
	  exec /usr/bin/python3 /o/t.py
	EOF
	)
	host_start "$f"
	retry 10 test -s "$BATS_TEST_TMPDIR/o/r"
	run cat "$BATS_TEST_TMPDIR/o/r"
	assert_output 'ok True'
}

@test "tty /dev/ptmx: the sandbox's own /dev/ptmx stays its devpts' one, openpty works" {
	tty_ptmx 'tty /dev/ptmx'
}

@test "tty /dev/ptmx: the control: without a tty line, openpty works" {
	tty_ptmx 'env X=1'
}

# A launcher for out/sandinit: the shell words $1 then sandinit's path and
# arguments (what a container runtime or unshare leaves PID 1: its limits,
# its umask); prints its path, for SANDINIT=... host_start.
launcher() {
	local w=$BATS_TEST_TMPDIR/launcher
	printf '#!/bin/sh\n%s "%s" "$@"\n' "$1" "$SANDINIT" >"$w"
	chmod +x "$w"
	echo "$w"
}

@test "services and initctl exec get the RLIMIT_NOFILE PID 1 was started with, not its raised one; nofile N gives N" {
	lim="grep 'open files' /proc/self/limits"
	f=$(conf <<-EOF
	service s
	  exec /bin/sh -c "$lim; exec $P sleep 1000"
	service h
	  namespaces none
	  exec /bin/sh -c "$lim; exec $P sleep 1000"
	service n
	  nofile 123
	  exec /bin/sh -c "$lim; exec $P sleep 1000"
	EOF
	)
	SANDINIT=$(launcher 'exec prlimit --nofile=321:4321') host_start "$f"
	wait_console '^s: Max open files'
	wait_console '^h: Max open files'
	wait_console '^n: Max open files'
	# PID 1 raised its own (the control: a service would see it), to
	# 65536, or without CAP_SYS_RESOURCE its soft limit to the hard one
	run grep 'open files' "/proc/$(host_pid1)/limits"
	assert_output --regexp '^Max open files +(65536 +65536|4321 +4321) +files *$'
	run console
	assert_line --regexp '^s: Max open files +321 +4321 +files *$'
	assert_line --regexp '^h: Max open files +321 +4321 +files *$'
	assert_line --regexp '^n: Max open files +123 +123 +files *$'
	run ictl exec s /bin/grep 'open files' /proc/self/limits
	assert_output --regexp '^Max open files +321 +4321 +files *$'
	run ictl exec h /bin/grep 'open files' /proc/self/limits
	assert_output --regexp '^Max open files +321 +4321 +files *$'
	run ictl exec n /bin/grep 'open files' /proc/self/limits
	assert_output --regexp '^Max open files +123 +123 +files *$'
}

@test "services and initctl exec start with umask 022, not their launcher's 077" {
	um="grep Umask /proc/self/status"
	f=$(conf <<-EOF
	service s
	  exec /bin/sh -c "$um; exec $P sleep 1000"
	service h
	  namespaces none
	  exec /bin/sh -c "$um; exec $P sleep 1000"
	EOF
	)
	SANDINIT=$(launcher "umask 077; $um; exec") host_start "$f"
	wait_console '^s: Umask:'
	wait_console '^h: Umask:'
	run console
	# the control: the launcher's own
	assert_line --regexp '^Umask:[[:space:]]+0077$'
	assert_line --regexp '^s: Umask:[[:space:]]+0022$'
	assert_line --regexp '^h: Umask:[[:space:]]+0022$'
	run ictl exec s /bin/grep Umask /proc/self/status
	assert_output --regexp '^Umask:[[:space:]]+0022$'
	run ictl exec h /bin/grep Umask /proc/self/status
	assert_output --regexp '^Umask:[[:space:]]+0022$'
}

@test "proc pid-only, user, uidmap, workdir, env, hostname, nofile" {
	f=$(conf <<-EOF
	service s
	  proc pid-only
	  user 1000:2000
	  uidmap 300000 5000
	  workdir /tmp
	  env FOO=bar
	  env PATH=/bin:/usr/bin
	  hostname box
	  nofile 123
	  exec /bin/sh -c "$P id; $P cwd; $P env; $P hostname; $P uidmap; grep 'open files' /proc/self/limits; ls /proc | grep -c '^sys\$'; exec $P sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^s: [0-9]+$'
	run console
	assert_line 's: uid: 1000'
	assert_line 's: gid: 2000'
	assert_line 's: cwd: /tmp'
	assert_line 's: env: FOO=bar'
	assert_line 's: env: HOME=/'
	assert_line 's: env: PATH=/bin:/usr/bin'
	assert_line 's: hostname: box'
	assert_line 's: uid_map: 0 300000 5000'
	assert_line --regexp '^s: Max open files +123 +123 +files *$'
	assert_line 's: 0'
	run probe_in s mounts
	assert_line --regexp '^mount: /proc proc .*'
	run ictl exec s /bin/grep -c subset=pid /proc/self/mountinfo
	assert_output 1
	# the host sees uid 1000 inside as 301000
	pid=$(status_of s | cut -d' ' -f3)
	st=/proc/$(host_pid1)/root/proc/$pid/status
	retry 5 grep -q "^Uid:	301000	" "$st"
}

@test "root DIR: a tree of its own, read-only unless readonly no" {
	pubdir
	r=$PUB/root
	mkdir -p "$r/bin" "$r/proc" "$r/dev" "$r/tmp"
	cp "$P" "$r/bin/probe"
	# writable by any id (each service has a range of its own): a write
	# that fails is the read-only root's doing alone
	chmod 0777 "$r"
	f=$(conf <<-EOF
	service rw
	  root $r
	  readonly no
	  exec /bin/probe sleep 1000
	service ro
	  root $r
	  exec /bin/probe sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	run ictl exec rw /bin/probe ls /
	assert_output 'ls: bin dev proc tmp'
	run ictl exec rw /bin/probe try-write /written
	assert_output ok
	[ -e "$r/written" ]
	run ictl exec ro /bin/probe try-write /other
	assert_output 'denied: EROFS'
	run ictl exec ro /bin/probe pids
	assert_output --regexp '^pids: 1 2 [0-9]+$'
}

@test "root DIR without /proc, /dev or /tmp: they are made for the sandbox, the root's files unchanged" {
	pubdir
	r=$PUB/bare
	mkdir -p "$r/bin"
	cp "$P" "$r/bin/probe"
	f=$(conf <<-EOF
	service bare
	  root $r
	  exec /bin/probe sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run ictl exec bare /bin/probe ls /
	assert_output 'ls: bin dev proc tmp'
	run ictl exec bare /bin/probe pids
	assert_output --regexp '^pids: 1 2 [0-9]+$'
	run ictl exec bare /bin/probe ls /dev
	assert_output --partial ' null '
	run ictl exec bare /bin/probe try-write /tmp/f
	assert_output ok
	run ls "$r"
	assert_output 'bin'
	run ictl status
	refute_output --partial backoff
	refute_output --partial failed
	run console
	refute_output --partial 'unable to'
}

@test "readonly overlay: /etc and /usr writable inside, the host's files unchanged, a fresh layer at each start, its tmpfs sized" {
	local ver etc_sum
	ver=$(cat /etc/debian_version)
	etc_sum=$(ls -la /etc /usr | md5sum)
	f=$(conf <<-EOF
	service ovl
	  readonly overlay
	  exec $P sleep 1000
	service ro
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	# a new file in /etc and /usr, and a host file changed (copied up)
	run ictl exec ovl /bin/sh -c 'echo new >/etc/sandinit-ovl && echo new >/usr/sandinit-ovl && echo changed >/etc/debian_version && cat /etc/sandinit-ovl /usr/sandinit-ovl /etc/debian_version'
	assert_success
	assert_output $'new\nnew\nchanged'
	# the host's (and a plain read-only sandbox's) files are as they were
	run cat /etc/debian_version
	assert_output "$ver"
	[ ! -e /etc/sandinit-ovl ]
	[ ! -e /usr/sandinit-ovl ]
	run md5sum <<<"$(ls -la /etc /usr)"
	assert_output "$etc_sum"
	run ictl exec ro /bin/cat /etc/debian_version
	assert_output "$ver"
	run probe_in ro try-write /etc/sandinit-ovl
	assert_output 'denied: EROFS'
	# its upper tmpfs: 64M as a `tmpfs` without SIZE; a positive control
	# below it
	run probe_in ovl fill /etc/f 48
	assert_line 'wrote: 48'
	refute_line --partial denied
	run probe_in ovl fill /usr/f 80
	assert_line 'denied: ENOSPC'
	assert_line --regexp '^wrote: 6[0-4]$'
	# a restart begins from the root's files again
	run ictl restart ovl
	assert_success
	retry 10 status_of ovl
	run ictl exec ovl /bin/cat /etc/debian_version
	assert_output "$ver"
	run ictl exec ovl /bin/ls /etc/sandinit-ovl /usr/sandinit-ovl
	assert_failure
	run probe_in ovl try-write /etc/sandinit-ovl
	assert_output ok
}

# The overlay's lower layer is idmapped through the user namespace the
# service runs in: a pod member's is its pod's (join), so the root's files
# are its root's there too, and it can change them (copied up).
@test "readonly overlay in a pod member: the root's files are its root's, changeable inside" {
	f=$(conf <<-EOF
	service pod
	  exec $P sleep 1000
	service ovl
	  join pod
	  readonly overlay
	  exec $P sleep 1000
	service alone
	  readonly overlay
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 3 services'
	# the control: a service of its own user namespace
	run ictl exec alone /usr/bin/stat -c %u:%g /etc/debian_version
	assert_output '0:0'
	run ictl exec ovl /usr/bin/stat -c %u:%g /etc/debian_version
	assert_output '0:0'
	run ictl exec ovl /bin/sh -c 'echo changed >/etc/debian_version && cat /etc/debian_version'
	assert_success
	assert_output changed
	run cat /etc/debian_version
	refute_output changed
}

# The overlay is made by a helper the sandbox's first process forks into
# the new pid namespace, as the user namespace is: neither may keep pid 2,
# the service's (SPEC §6), nor leave status with the reaper's pid (§5).
@test "readonly overlay: the service is PID 2 of its sandbox and status shows its pid (alone, with net, in a pod, with a namespaces list)" {
	f=$(conf <<-'EOF'
	bridge br0 10.77.0.1/24
	service plain
	  exec /bin/sh -c "echo mypid $$; exec /bin/sleep 1000"
	service ov
	  readonly overlay
	  exec /bin/sh -c "echo mypid $$; exec /bin/sleep 1000"
	service ovnet
	  readonly overlay
	  net br0
	  exec /bin/sh -c "echo mypid $$; exec /bin/sleep 1000"
	service ovpod
	  join ovnet
	  readonly overlay
	  exec /bin/sh -c "echo mypid $$; exec /bin/sleep 1000"
	service ovlist
	  namespaces user mount pid
	  readonly overlay
	  exec /bin/sh -c "echo mypid $$; exec /bin/sleep 1000"
	service ovnouser
	  namespaces mount pid
	  readonly overlay
	  exec /bin/sh -c "echo mypid $$; exec /bin/sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 6 services'
	for s in plain ov ovnet ovpod ovlist ovnouser; do
		wait_console "^$s: mypid "
		run console
		assert_line "$s: mypid 2"
		run status_of "$s"
		assert_success
		pid=$(cut -d' ' -f3 <<<"$output")
		# PID 1's /proc: the service (sh exec'd sleep), not its reaper
		run nsenter -t "$(host_pid1)" -m cat "/proc/$pid/comm"
		assert_output sleep
		run nsenter -t "$(host_pid1)" -m awk '/^NSpid:/ { print $NF }' "/proc/$pid/status"
		assert_output 2
		# initctl status NAME agrees
		run ictl status "$s"
		assert_line "pid: $pid"
	done
	# the overlay is there (a control: its root is writable)
	run ictl exec ovnet /bin/sh -c 'echo x >/etc/sandinit-ovl && cat /etc/sandinit-ovl'
	assert_output x
	run ictl exec plain /bin/sh -c 'echo x >/etc/sandinit-ovl'
	assert_failure
}

@test "readonly overlay with root DIR: the tree's files never change" {
	pubdir
	r=$PUB/root
	mkdir -p "$r/bin" "$r/proc" "$r/dev" "$r/tmp" "$r/etc"
	cp "$P" "$r/bin/probe"
	echo image >"$r/etc/conf"
	f=$(conf <<-EOF
	service ovl
	  root $r
	  readonly overlay
	  exec /bin/probe sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run ictl exec ovl /bin/probe try-write /etc/conf
	assert_output ok
	run ictl exec ovl /bin/probe try-write /written
	assert_output ok
	run ictl exec ovl /bin/probe ls /
	assert_output 'ls: bin dev etc proc tmp written'
	[ ! -e "$r/written" ]
	run cat "$r/etc/conf"
	assert_output image
}

# --- failures -------------------------------------------------------------------

@test "failures: missing bind source, missing root, a device that is not a device node or leads out of /dev" {
	f=$(conf <<-EOF
	service good
	  exec $P sleep 1000
	service linked
	  device /dev/shm/l/node
	  exec $P sleep 1000
	service stdin
	  restart never
	  device /dev/stdin
	  exec $P sleep 1000
	service abs
	  restart never
	  device /dev/shm/l/abs
	  exec $P sleep 1000
	service tofile
	  restart never
	  device /dev/shm/l/file
	  exec $P sleep 1000
	service nobind
	  restart never
	  bind /nonexistent/src /srv
	  exec $P sleep 1000
	service noroot
	  restart never
	  root /nonexistent/root
	  exec /bin/probe sleep 1000
	service notdev
	  restart never
	  device /dev/shm/n/file
	  exec $P sleep 1000
	EOF
	)
	SANDINIT=$(with_nodes) host_start "$f"
	wait_console '^sandinit: ready: 8 services'
	wait_console '^sandinit: nobind: unable to bind /nonexistent/src: No such file or directory$'
	wait_console '^sandinit: noroot: unable to root /nonexistent/root: No such file or directory$'
	wait_console '^sandinit: notdev: unable to device /dev/shm/n/file: not a device node: '
	# a /proc magic link (PID 1's stdin) or an absolute link: refused,
	# whatever they lead to; a link inside /dev to a file, too
	wait_console '^sandinit: stdin: unable to device /dev/stdin: it leads out of /dev: '
	wait_console '^sandinit: abs: unable to device /dev/shm/l/abs: it leads out of /dev: '
	wait_console '^sandinit: tofile: unable to device /dev/shm/l/file: not a device node: '
	run ictl status
	assert_success
	assert_line --regexp '^good running [0-9]+ 0 - -$'
	assert_line --regexp '^nobind (failed|backoff) - '
	assert_line --regexp '^noroot (failed|backoff) - '
	assert_line --regexp '^notdev (failed|backoff) - '
	for s in stdin abs tofile; do
		assert_line --regexp "^$s (failed|backoff) - "
	done
	# positive control: a link inside /dev to a node is that node, granted
	# and opened read-write by the service's root
	assert_line --regexp '^linked running [0-9]+ 0 - -$'
	run probe_in good hostname
	assert_output 'hostname: good'
	run probe_in linked try-open /dev/shm/l/node rw
	assert_output ok
	run acl_of /dev/shm/n/a
	assert_line --regexp '^user:[0-9]+:rw-$'
	host_alive
}

@test "a networked sandbox whose mounts fail reports that alone, once" {
	# The child makes its mounts while PID 1 links its network: when it
	# fails first, PID 1 finds it gone and says nothing of its own.
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service nobind
	  restart never
	  net br0
	  bind /nonexistent/src /srv
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	wait_console '^sandinit: nobind: unable to bind /nonexistent/src: No such file or directory$'
	run console
	assert_equal "$(grep -c '^sandinit: nobind: ' <<<"$output")" 1
}

# --- escapes and leaks of issue 16 ----------------------------------------------

@test "descriptors: the launcher's fds 7 and 200 reach no service; only 0-2 and the ready fd" {
	pubdir
	f=$(conf <<-EOF
	service s
	  restart never
	  exec $P fds
	service r
	  ready fd 11
	  exec /bin/sh -c "$P fds; exec $P echo-ready 11"
	service h
	  ready fd 200
	  exec /bin/sh -c "$P fds; exec $P echo-ready 200"
	EOF
	)
	exec 7<"$PUB" 200<"$PUB"
	host_start "$f"
	exec 7<&- 200<&-
	# the launcher (unshare) held them as PID 1 started
	[ "$(readlink "/proc/$HOST_PID/fd/7")" = "$PUB" ]
	[ "$(readlink "/proc/$HOST_PID/fd/200")" = "$PUB" ]
	wait_console '^sandinit: ready: 3 services'
	run console
	assert_line 's: fds: 0 1 2'
	assert_line 'r: fds: 0 1 2 11'
	assert_line 'h: fds: 0 1 2 200'
	run probe_in r fds
	assert_output 'fds: 0 1 2'
	# nor does PID 1 keep them
	run ls "/proc/$(host_pid1)/fd/7" "/proc/$(host_pid1)/fd/200"
	assert_failure
}

@test "ready fd N: any number, whichever of PID 1's own descriptors it equals" {
	# PID 1 alone with one service: N runs over every low descriptor PID 1
	# holds as it starts the service (its pipes to the child among them)
	for n in $(seq 3 24) 200; do
		f=$(printf 'service r\n  ready fd %d\n  exec %s echo-ready %d\n' "$n" "$P" "$n" | conf r$n)
		host_start "$f"
		wait_console '^sandinit: ready: 1 services'
		run status_of r
		echo "ready fd $n" >&2
		assert_output --regexp '^r ready [0-9]+ 0 '
		host_stop
	done
}

# A wrapper that runs out/sandinit with supplementary groups 0 and 6 (as a
# launcher might leave them), noting them in groups.log as it execs it;
# prints its path, for SANDINIT=... host_start.
with_groups() {
	local w=$BATS_TEST_TMPDIR/sandinit-groups
	printf '#!/bin/sh\nexec setpriv --groups 0,6 /bin/sh -c '\''grep ^Groups: /proc/self/status >%s; exec "$0" "$@"'\'' "%s" "$@"\n' \
		"$BATS_TEST_TMPDIR/groups.log" "$ROOT/out/sandinit" >"$w"
	chmod +x "$w"
	echo "$w"
}

@test "supplementary groups: none of the launcher's reach a service or initctl exec" {
	pubdir
	echo secret >"$PUB/secret"
	chown root:root "$PUB/secret"
	chmod 640 "$PUB/secret"
	echo open >"$PUB/open"
	chmod 644 "$PUB/open"
	# positive control: group 0 alone lets uid 1000 read it on the host
	run setpriv --reuid 1000 --regid 1000 --groups 0 cat "$PUB/secret"
	assert_output secret
	run setpriv --reuid 1000 --regid 1000 --clear-groups cat "$PUB/secret"
	assert_failure
	f=$(conf <<-EOF
	service u
	  user 1000:1000
	  bind $PUB /mnt
	  exec /bin/sh -c "$P groups; cat /mnt/open; cat /mnt/secret || echo unreadable; exec $P sleep 1000"
	service h
	  namespaces none
	  user 1000:1000
	  exec /bin/sh -c "$P groups; cat $PUB/secret || echo unreadable; exec $P sleep 1000"
	EOF
	)
	SANDINIT=$(with_groups) host_start "$f"
	# PID 1's launcher had them
	run cat "$BATS_TEST_TMPDIR/groups.log"
	assert_output --regexp '^Groups:[[:space:]]+0 6 *$'
	wait_console '^u: (unreadable|secret)$'
	wait_console '^h: (unreadable|secret)$'
	run console
	assert_line 'u: groups:'
	assert_line 'u: open'
	assert_line 'u: unreadable'
	refute_line 'u: secret'
	assert_line 'h: groups:'
	assert_line 'h: unreadable'
	refute_line 'h: secret'
	run grep '^Groups:' "/proc/$(host_pid1)/status"
	assert_output --regexp '^Groups:[[:space:]]*$'
	run probe_in u groups
	assert_output 'groups:'
	run ictl exec u /bin/cat /mnt/secret
	assert_failure
	run ictl exec h /bin/cat "$PUB/secret"
	assert_failure
	run ictl exec h /bin/cat "$PUB/open"
	assert_output open
}

@test "initctl exec into a namespaces none service takes its user and nofile" {
	f=$(conf <<-EOF
	service h
	  namespaces none
	  user 1000:1001
	  nofile 123
	  exec /bin/sh -c "$P id; exec $P sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^h: gid: '
	run console
	assert_line 'h: uid: 1000'
	assert_line 'h: gid: 1001'
	run ictl exec h "$P" id
	assert_line 'uid: 1000'
	assert_line 'gid: 1001'
	run ictl exec h /bin/sh -c 'ulimit -n'
	assert_output 123
}

# In service $1 (caps sys_admin), three times: unmount (lazily) what is on
# /proc, /sys, /dev and the paths $2..., saying which changed; then list the
# pids and network devices it sees, and what each path shows (`seen:` its
# lines if a file, its names if a directory).
uncover() {
	local svc=$1
	shift
	run ictl exec "$svc" /bin/sh -c '
		for i in 1 2 3; do
			for m in /proc /sys /dev "$@"; do
				before=$(stat -c %d:%i "$m" 2>&-)
				'"$P"' try-umount "$m" >&-
				[ "$(stat -c %d:%i "$m" 2>&-)" != "$before" ] && echo "unmounted $m"
			done
			for c in /proc/[0-9]*/comm; do [ -r "$c" ] && echo "pid ${c#/proc/}: $(cat "$c")"; done
			for d in /sys/class/net/*; do
				[ -e "$d/address" ] && echo "net: ${d##*/} $(cat "$d/address")"
			done
			for m in "$@"; do
				if [ -d "$m" ]; then ls "$m"; else cat "$m"; fi 2>&- | sed "s/^/seen: /"
			done
		done
		true' sh "$@"
	assert_success
	# every mount sandinit made is locked in place (the next test), so
	# nothing went, and all it sees is its own: no host pid (sandinit as
	# 1), no host network device
	refute_line --regexp '^unmounted '
	refute_line --regexp '^pid [0-9]+/comm: sandinit$'
	assert_line 'pid 1/comm: sandinit-reaper'
	while read -r n; do
		refute_line "net: $n"
	done <<<"$HOST_NETS"
	# positive control: it has the capability (a tmpfs of its own over
	# /tmp mounts, and unmounts)
	run ictl exec "$svc" "$P" try-mount /tmp
	assert_output ok
	run ictl exec "$svc" "$P" try-umount /tmp
	assert_output ok
}

# PID 1's network devices but lo, as `NAME MAC` lines: what a sandbox's
# sysfs must not show (its own eth0 has a name the host may use too).
host_nets() {
	# what PID 1's proc and sysfs show: sandinit as 1, network devices
	# other than lo
	[ "$(cat "/proc/$(host_pid1)/root/proc/1/comm")" = sandinit ]
	HOST_NETS=$(for d in "/proc/$(host_pid1)/root/sys/class/net"/*; do
		[ "${d##*/}" = lo ] || echo "${d##*/} $(cat "$d/address")"
	done)
	[ -n "$HOST_NETS" ]
}

@test "caps sys_admin: unmounting its /proc, /sys, /dev, /tmp and /run uncovers nothing of the host" {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service m
	  caps sys_admin
	  net br0
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	host_nets
	# the host's /tmp holds this test's files (nothing is mounted there)
	[ -n "$(ls /tmp)" ]
	uncover m /tmp /run
	refute_line --regexp '^seen: '
}

@test "tmpfs: 64M by default; a write past it is ENOSPC; modes" {
	f=$(conf <<-EOF
	service d
	  tmpfs /srv
	  tmpfs /var/cache 8M 0700
	  exec $P sleep 1000
	service big
	  tmpfs /tmp 100M
	  tmpfs /dev/shm 8M
	  tmpfs /srv 0700
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	for t in /tmp /dev/shm /srv; do
		run probe_in d fill "$t/f" 80
		assert_line 'denied: ENOSPC'
		assert_line --regexp '^wrote: 6[0-4]$'
	done
	run probe_in d fill /var/cache/f 80
	assert_line 'denied: ENOSPC'
	assert_line --regexp '^wrote: [78]$'
	# positive control: a SIZE of its own holds 80M
	run probe_in big fill /tmp/f 80
	assert_line 'wrote: 80'
	refute_line --partial denied
	# modes: 1777 for /tmp and /dev/shm, 0755 owned by root else, MODE
	run ictl exec d /bin/stat -c '%n %a %u' /tmp /dev/shm /srv /var/cache
	assert_line '/tmp 1777 0'
	assert_line '/dev/shm 1777 0'
	assert_line '/srv 755 0'
	assert_line '/var/cache 700 0'
	# an explicit tmpfs /dev/shm (and /tmp) is 1777 too
	run ictl exec big /bin/stat -c '%n %a %u' /tmp /dev/shm
	assert_line '/tmp 1777 0'
	assert_line '/dev/shm 1777 0'
	# a lone value starting with 0 is a MODE: the SIZE stays the default
	run ictl exec big /bin/stat -c '%n %a %u' /srv
	assert_output '/srv 700 0'
	run probe_in big fill /srv/f 48
	assert_line 'wrote: 48'
	refute_line --partial denied
}

@test "seccomp: TIOCSTI, TIOCLINUX, pidfd_getfd and io_uring are refused; seccomp off allows them" {
	f=$(conf <<-EOF
	service a
	  exec $P sleep 1000
	service open
	  seccomp off
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	run probe_in a try-tiocsti
	assert_output 'denied: EPERM'
	run probe_in a try-tioclinux
	assert_output 'denied: EPERM'
	run probe_in a try-pidfd-getfd
	assert_output 'denied: EPERM'
	run probe_in a try-io-uring
	assert_output 'denied: EPERM'
	# positive controls: the same calls without the filter get through
	# to the kernel (TIOCLINUX on a pty: not a console, but not EPERM)
	run probe_in open try-tiocsti
	assert_output ok
	run probe_in open try-tioclinux
	refute_output 'denied: EPERM'
	assert_output --regexp '^denied: E'
	run probe_in open try-pidfd-getfd
	assert_output ok
	run probe_in open try-io-uring
	assert_output ok
}

@test "a config under /tmp is an empty read-only file in every sandbox too, its private /tmp included" {
	# the bats temporary directory: under /tmp, which each sandbox has
	# of its own; a plain service and one from the shared template
	f=$(conf <<-EOF
	service plain
	  env SECRET=hunter2
	  exec $P sleep 1000
	service netted
	  namespaces user pid mount
	  exec $P sleep 1000
	EOF
	)
	case $f in /tmp/*) ;; *) false ;; esac
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	grep -q hunter2 "$f"
	for s in plain netted; do
		run ictl exec "$s" /bin/stat -c '%s %F' "$f"
		assert_output '0 regular empty file'
		run ictl exec "$s" "$P" try-write "$f"
		assert_output --regexp '^denied: E(ROFS|ACCES|PERM)$'
		# its /tmp is still its own and writable
		run ictl exec "$s" "$P" try-write /tmp/mine
		assert_output 'ok'
	done
}

@test "the config is an empty file in every sandbox; global mount targets are hidden unless bound" {
	# both on the host's root, which sandboxes see read-only
	VAR=$(mktemp -d /var/tmp/sandinit-hide.XXXXXX)
	chmod 755 "$VAR"
	mkdir -m 755 "$VAR/data"
	cat >"$VAR/sandinit.conf" <<-EOF
	mount sandinit-data $VAR/data tmpfs size=1M,mode=755
	service plain
	  env SECRET=hunter2
	  exec $P sleep 1000
	service bound
	  bind $VAR/data $VAR/data
	  exec $P sleep 1000
	service other
	  bind $PROBE_HOME /mnt
	  exec $P sleep 1000
	EOF
	chmod 644 "$VAR/sandinit.conf"
	host_start "$VAR/sandinit.conf"
	wait_console '^sandinit: ready: 3 services'
	nsenter -t "$(host_pid1)" -m sh -c "echo inside >$VAR/data/file"
	# positive controls: the host's config holds the secret; PID 1's
	# mount has the file, and a service that binds it sees it
	grep -q hunter2 "$VAR/sandinit.conf"
	run ictl exec bound /bin/cat "$VAR/data/file"
	assert_output inside
	for s in plain other; do
		run ictl exec "$s" /bin/stat -c '%s %F' "$VAR/sandinit.conf"
		assert_output '0 regular empty file'
		run ictl exec "$s" /bin/cat "$VAR/sandinit.conf"
		refute_output --partial hunter2
		run ictl exec "$s" "$P" ls "$VAR/data"
		assert_output 'ls:'
		run ictl exec "$s" "$P" try-write "$VAR/sandinit.conf"
		assert_output --regexp '^denied: E(ROFS|ACCES|PERM)$'
	done
}

@test "caps sys_admin with binds, a device, readonly no or a root of its own: unmounting uncovers nothing of the host, the config or a mount target" {
	pubdir
	# a root of its own: /usr bound from the host, the probe bound where
	# it is on the host (mount points made here: that is not this test)
	r=$PUB/root
	mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/run" "$r/usr" "$r$PROBE_HOME"
	ln -s usr/bin "$r/bin"
	ln -s usr/lib "$r/lib"
	ln -s usr/lib64 "$r/lib64"
	VAR=$(mktemp -d /var/tmp/sandinit-uncover.XXXXXX)
	chmod 755 "$VAR"
	mkdir -m 755 "$VAR/data"
	cat >"$VAR/sandinit.conf" <<-EOF
	mount sandinit-data $VAR/data tmpfs size=1M,mode=755
	bridge br0 10.77.0.1/24
	service bind
	  caps sys_admin
	  net br0
	  bind $PUB /mnt
	  tmpfs $VAR/new
	  env SECRET=hunter2
	  exec $P sleep 1000
	service dev
	  caps sys_admin
	  net br0
	  device /dev/kmsg
	  exec $P sleep 1000
	service rw
	  caps sys_admin
	  net br0
	  readonly no
	  exec $P sleep 1000
	service own
	  caps sys_admin
	  net br0
	  root $r
	  bind /usr /usr
	  bind $PROBE_HOME $PROBE_HOME
	  exec $P sleep 1000
	EOF
	chmod 644 "$VAR/sandinit.conf"
	host_start "$VAR/sandinit.conf"
	wait_console '^sandinit: ready: 4 services'
	nsenter -t "$(host_pid1)" -m sh -c "echo inside >$VAR/data/file"
	# what there is to uncover: PID 1's proc and sysfs (host_nets), the
	# secret in the config, the file on the global mount
	grep -q hunter2 "$VAR/sandinit.conf"
	[ "$(cat "/proc/$(host_pid1)/root$VAR/data/file")" = inside ]
	host_nets
	# a graft over the config's directory copies what hides it
	run ictl exec bind "$P" ls "$VAR"
	assert_output 'ls: data new sandinit.conf'
	for s in bind dev rw own; do
		uncover "$s" "$VAR/sandinit.conf" "$VAR/data" /tmp /run
		refute_line --partial hunter2
		refute_line 'seen: file'
		refute_line --regexp '^seen: bats-'
	done
}

# A service given CAP_SYS_ADMIN owns its mount namespace, but the mounts
# sandinit made there came from a more privileged one: each flag locked, and
# nothing can be unmounted to show what it covers (mount_namespaces(7)).
@test "caps sys_admin: the read-only root, binds, masks and covers cannot be made writable or unmounted" {
	pubdir
	mkdir -m 777 "$PUB/ro" "$PUB/rw"
	r=$PUB/root
	mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/run" "$r/probe"
	f=$(conf <<-EOF
	service tmpl
	  caps sys_admin
	  bind $PUB/ro /ro
	  bind $PUB/rw /rw rw
	  exec $P sleep 1000
	service own
	  caps sys_admin
	  root $r
	  bind $(dirname "$P") /probe
	  bind $PUB/ro /ro
	  exec /probe/$(basename "$P") sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	for s in tmpl own; do
		if [ "$s" = own ]; then
			p=/probe/$(basename "$P")
		else
			p=$P
		fi
		for m in / /ro; do
			run ictl exec "$s" "$p" try-remount-rw "$m"
			assert_output 'denied: EPERM'
			run ictl exec "$s" "$p" try-setattr-rw "$m"
			assert_output 'denied: EPERM'
			run ictl exec "$s" "$p" try-write "$m/x"
			assert_output 'denied: EROFS'
		done
		# masks (a file under /dev/null, a directory under a tmpfs),
		# its /proc and /sys, the root: locked in place
		for m in /proc/keys /proc/acpi /sys/firmware /proc/sys /proc /sys /dev /run /; do
			run ictl exec "$s" "$p" try-umount "$m"
			assert_output 'denied: EINVAL'
		done
		# positive controls: the capability is there (a tmpfs of its
		# own mounts and unmounts, writable; so is a rw bind)
		run ictl exec "$s" "$p" try-mount /tmp
		assert_output ok
		run ictl exec "$s" "$p" try-write /tmp/x
		assert_output ok
		run ictl exec "$s" "$p" try-umount /tmp
		assert_output ok
	done
	run ictl exec tmpl "$P" try-write /rw/x
	assert_output ok
}

# The probe's `ls DIR` of the host's DIR with NAME added.
ls_with() { echo "ls: $({ LC_ALL=C ls -A "$1"; echo "$2"; } | LC_ALL=C sort | paste -sd ' ')"; }

@test "bind, tmpfs and device targets the root lacks are made for the sandbox alone" {
	pubdir
	mkdir -m 777 "$PUB/rw"
	echo hello >"$PUB/file"
	chmod 644 "$PUB/file"
	# writable by the service's uid on the host: only the rule keeps
	# readonly no from making its mount point there
	VAR=$(mktemp -d /var/tmp/sandinit-graft.XXXXXX)
	chmod 777 "$VAR"
	n=sandinit-graft-$$
	[ ! -e "/$n" ]
	[ ! -e "/etc/$n" ]
	f=$(conf <<-EOF
	service top
	  tmpfs /etc/$n
	  tmpfs /$n/a
	  exec $P sleep 1000
	service binds
	  bind $PUB /$n/b
	  bind $PUB/file /etc/$n.conf
	  bind $PUB/rw /srv/$n rw
	  tmpfs /srv/$n/cache
	  device /dev/loop-control
	  exec $P sleep 1000
	service rw
	  readonly no
	  tmpfs $VAR/new
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 3 services'
	# the new mount points, and the tmpfs and binds on them
	run ictl exec top /bin/stat -c '%n %a %u %F' "/$n/a" "/etc/$n"
	assert_line "/$n/a 755 0 directory"
	assert_line "/etc/$n 755 0 directory"
	run probe_in top try-write "/$n/a/x"
	assert_output ok
	run ictl exec binds /bin/cat "/$n/b/file" "/etc/$n.conf"
	assert_output $'hello\nhello'
	run probe_in binds try-write "/srv/$n/cache/x"
	assert_output ok
	run ictl exec binds /bin/sh -c 'test -c /dev/loop-control && echo char'
	assert_output char
	run probe_in rw try-write "$VAR/new/x"
	assert_output ok
	# the directories they were made in look as before: the same
	# entries (symlinks as they were), read-only; the rw bind's own
	# directory takes its mount point and stays writable
	run probe_in top ls /
	assert_output "$(ls_with / "$n")"
	run probe_in top ls /etc
	assert_output "$(ls_with /etc "$n")"
	run ictl exec top /bin/readlink /bin
	assert_output "$(readlink /bin)"
	run ictl exec top /bin/cat /etc/hostname
	assert_output "$(cat /etc/hostname)"
	run probe_in top try-write /etc/new
	assert_output 'denied: EROFS'
	run probe_in top try-write /new
	assert_output 'denied: EROFS'
	run probe_in binds try-write "/srv/$n/y"
	assert_output ok
	# none of it reached the host's root; the rw bind is the service's to
	# write: its mount point is made there, as what it writes
	[ -e "$PUB/rw/y" ]
	[ -d "$PUB/rw/cache" ]
	host_stop
	for p in "/$n" "/etc/$n" "/etc/$n.conf" "/srv/$n" "$VAR/new"; do
		run test -e "$p"
		assert_failure
	done
}

@test "bind and tmpfs targets under a directory the sandbox cannot search (/root, 0700): reached, and nothing else of it" {
	pubdir
	echo 'ssh-ed25519 AAAAsandinit test' >"$PUB/authorized_keys"
	mkdir -m 755 "$PUB/ssh"
	echo known >"$PUB/ssh/known_hosts"
	chmod 644 "$PUB/authorized_keys" "$PUB/ssh/known_hosts"
	# a root-only home as Debian's /root, holding files others may read
	# (closed to the sandbox only by the directory) and a .ssh of its own
	VAR=$(mktemp -d /var/tmp/sandinit-home.XXXXXX)
	chmod 755 "$VAR"
	mkdir -m 700 "$VAR/home"
	mkdir -m 755 "$VAR/home/.ssh"
	echo secret >"$VAR/home/notes"
	echo secret >"$VAR/home/.ssh/id.pub"
	chmod 644 "$VAR/home/notes" "$VAR/home/.ssh/id.pub"
	home_before=$(ls -laR --time-style=full-iso "$VAR/home")
	root_before=$(stat -c '%a %u %g' /root)
	assert_equal "$root_before" '700 0 0'
	ssh_before=$(ls -d /root/.ssh 2>&1 || :)
	run test -e /root/x
	assert_failure
	f=$(conf <<-EOF
	service ssh
	  bind $PUB/authorized_keys $VAR/home/.ssh/authorized_keys
	  bind $PUB/ssh /root/.ssh
	  tmpfs /root/x
	  exec $P sleep 1000
	service plain
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	run console
	refute_output --partial 'unable to'
	run status_of ssh
	assert_output --regexp '^ssh running [0-9]+ 0 '
	# the service reaches what it was given by its paths
	run ictl exec ssh /bin/cat "$VAR/home/.ssh/authorized_keys" /root/.ssh/known_hosts
	assert_output $'ssh-ed25519 AAAAsandinit test\nknown'
	run probe_in ssh try-write /root/x/f
	assert_output ok
	# the directories look as on the host to its root (0700, root's)...
	run ictl exec ssh /bin/stat -c '%n %a %u' /root "$VAR/home"
	assert_line '/root 700 0'
	assert_line "$VAR/home 700 0"
	# ... and hold the way to its targets, nothing else of the host's
	run probe_in ssh ls /root
	assert_output 'ls: .ssh x'
	run probe_in ssh ls "$VAR/home"
	assert_output 'ls: .ssh'
	run probe_in ssh ls "$VAR/home/.ssh"
	assert_output 'ls: authorized_keys'
	run ictl exec ssh /bin/cat "$VAR/home/notes"
	assert_failure
	assert_output --partial 'No such file'
	run probe_in ssh try-write /root/new
	assert_output 'denied: EROFS'
	run probe_in ssh try-write "$VAR/home/.ssh/new"
	assert_output 'denied: EROFS'
	# control: without a target there the sandbox cannot search them, the
	# file others may read is there, closed only by the directory
	run ictl exec plain /bin/cat "$VAR/home/notes"
	assert_failure
	assert_output --partial 'Permission denied'
	run probe_in plain ls /root
	assert_output 'ls: error EACCES'
	run cat "$VAR/home/notes"
	assert_output secret
	host_stop
	# the host's files are as they were
	run ls -laR --time-style=full-iso "$VAR/home"
	assert_output "$home_before"
	run stat -c '%a %u %g' /root
	assert_output "$root_before"
	run test -e /root/x
	assert_failure
	run ls -d /root/.ssh
	assert_output "$ssh_before"
}

# --- terminals and devices (issue 16 items 15 and 14) ---------------------------

# (fd 3 closed: bats waits for every holder of its TAP pipe, and this
# socat outlives the test.) A pty whose other side socat(1) appends to $BATS_TEST_TMPDIR/tty.out;
# prints the slave's path (/dev/pts/N of PID 1's devpts).
pty_to_file() {
	socat -u PTY,link="$BATS_TEST_TMPDIR/pty",rawer \
		OPEN:"$BATS_TEST_TMPDIR/tty.out",creat,append </dev/null >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/socat.pid"	# (run in $(...): no variable gets out)
	retry 10 test -e "$BATS_TEST_TMPDIR/pty"
	readlink "$BATS_TEST_TMPDIR/pty"
}

@test "tty: a sandboxed service gets its terminal without a device line (opened before its root)" {
	pts=$(pty_to_file)
	[ -c "$pts" ]
	f=$(conf <<-EOF
	service t
	  tty $pts
	  user 1000
	  exec /bin/sh -c "test -t 0 && test -t 1 && test -t 2 && echo on-the-tty; exec $P sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	retry 10 grep -q on-the-tty "$BATS_TEST_TMPDIR/tty.out"
	run status_of t
	assert_output --regexp '^t running [0-9]+ 0 '
	run console
	refute_output --partial 'unable to'
	# it is the service's controlling terminal (tty_nr, proc(5)), and its
	# /dev still has only the SPEC's nodes
	run ictl exec t /bin/sh -c 'cut -d" " -f7 /proc/2/stat'
	assert_output --regexp '^[1-9][0-9]*$'
	run probe_in t ls /dev/pts
	assert_output 'ls: ptmx'
}

@test "device: a root 0600 node opens rw for its service's user (an ACL entry), ro read-only, for no other service; the entry goes with the service" {
	f=$(conf <<-EOF
	service a
	  user 1000
	  device /dev/shm/n/a
	  exec $P sleep 1000
	service r
	  user 1000
	  device /dev/shm/n/b ro
	  exec $P sleep 1000
	service other
	  user 1000
	  bind /dev/shm/n /srv
	  exec $P sleep 1000
	EOF
	)
	SANDINIT=$(with_nodes) host_start "$f"
	wait_console '^sandinit: ready: 3 services'
	run probe_in a try-open /dev/shm/n/a rw
	assert_output ok
	run probe_in r try-open /dev/shm/n/b r
	assert_output ok
	run probe_in r try-open /dev/shm/n/b rw
	assert_output 'denied: EACCES'
	# the same nodes bound into a service without the device lines: there
	# (the control), but not to be opened
	run probe_in other ls /srv
	assert_output --partial ' a b '
	run probe_in other try-open /srv/a r
	assert_output 'denied: EACCES'
	run probe_in other try-open /srv/b r
	assert_output 'denied: EACCES'
	# on the host's node: one entry for a's user, its host uid; what the
	# owner, the group and others may do is as it was
	a=$(( $(ictl status a | sed -n 's/^uids: \([0-9]*\).*/\1/p') + 1000 ))
	r=$(( $(ictl status r | sed -n 's/^uids: \([0-9]*\).*/\1/p') + 1000 ))
	assert [ "$a" -gt 100000 ]
	run acl_of /dev/shm/n/a
	assert_line "user:$a:rw-"
	assert_line 'user::rw-'
	assert_line 'group::---'
	assert_line 'other::---'
	run acl_of /dev/shm/n/b
	assert_line "user:$r:r--"
	refute_line --partial "user:$a:"
	# stopped: no entry left, the plain mode again
	run ictl stop a
	assert_success
	run acl_of /dev/shm/n/a
	refute_line --regexp '^user:[0-9]'
	refute_line --regexp '^mask:'
	run nsenter -t "$(host_pid1)" -m stat -c '%a %u %g' /dev/shm/n/a
	assert_output '600 0 0'
	# started again, then killed: its restart holds one entry, not two
	run ictl start a
	assert_success
	run acl_of /dev/shm/n/a
	assert_line "user:$a:rw-"
	run ictl exec a /bin/sh -c 'kill -KILL 2'
	retry 20 restarted a 2
	run acl_of /dev/shm/n/a
	assert_line "user:$a:rw-"
	assert_equal "$(grep -c '^user:[0-9]' <<<"$output")" 1
	run probe_in a try-open /dev/shm/n/a rw
	assert_output ok
	# a reload that removes it (and r's ro): no entry left on either
	cat >"$f" <<-EOF
	service r
	  user 1000
	  exec $P sleep 1000
	service other
	  user 1000
	  bind /dev/shm/n /srv
	  exec $P sleep 1000
	EOF
	run ictl reload
	assert_success
	retry 20 gone a
	run acl_of /dev/shm/n/a
	refute_line --regexp '^user:[0-9]'
	# r restarts on its new config, without the device
	retry 20 no_entry /dev/shm/n/b
	run status_of r
	assert_output --regexp '^r running '
	run probe_in r ls /dev/shm
	assert_output 'ls:'
}

# NAME is running after N restarts; NAME is no longer listed; PATH has no
# named entry (and so no mask).
restarted() { status_of "$1" | grep -Eq "^$1 running [0-9]+ $2 "; }
no_entry() { if acl_of "$1" | grep -Eq '^(user:[0-9]|mask:)'; then return 1; fi; }
gone() { if status_of "$1" >/dev/null; then return 1; fi; }

@test "device: a glob and a directory expose exactly the nodes they match, each openable" {
	f=$(conf <<-EOF
	service g
	  device /dev/shm/n/event*
	  device /dev/shm/n/dri
	  device /dev/shm/n/none-yet*
	  exec $P sleep 1000
	EOF
	)
	SANDINIT=$(with_nodes) host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run status_of g
	assert_output --regexp '^g running '
	run probe_in g ls /dev/shm/n
	assert_output 'ls: dri event0 event1'
	run probe_in g ls /dev/shm/n/dri
	assert_output 'ls: card0 renderD128 sub'
	run probe_in g ls /dev/shm/n/dri/sub
	assert_output 'ls: x'
	for n in event0 event1 dri/card0 dri/renderD128 dri/sub/x; do
		run probe_in g try-open "/dev/shm/n/$n" rw
		assert_output ok
	done
	# the host's nodes: entries on those, none on the others
	g=$(ictl status g | sed -n 's/^uids: \([0-9]*\).*/\1/p')
	run acl_of /dev/shm/n/dri/sub/x
	assert_line "user:$g:rw-"
	run acl_of /dev/shm/n/mouse0
	refute_line --regexp '^user:[0-9]'
	run acl_of /dev/shm/n/a
	refute_line --regexp '^user:[0-9]'
	run ictl stop g
	assert_success
	for n in event0 event1 dri/card0 dri/renderD128 dri/sub/x; do
		run acl_of "/dev/shm/n/$n"
		refute_line --regexp '^user:[0-9]'
	done
}
