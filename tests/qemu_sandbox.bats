#!/usr/bin/env bats
# QEMU tier: service sandboxes on the real image and Debian's kernel (issue 3),
# a representative subset of tests/sandbox.bats in one boot: a service with
# a root of its own (a tiny tree of the static toybox and the probe), the
# default sandbox as the probe in the image sees it, and forbidden actions.

bats_load_library bats-support
bats_load_library bats-assert
load lib/qemu

setup() {
	OUT=${SANDINIT_OUT:-$(qemu_board_out)}
}

# The console lines of service NAME, without the prefix.
lines_of() { qemu_log | sed -n "s/^$1: //p"; }

@test "qemu: own root, default sandbox as the probe sees it, forbidden actions fail" {
	[ -x "$OUT/toybox" ] || fail "no $OUT/toybox: make all first"
	[ -x "$OUT/probe" ] || fail "no $OUT/probe: make all first"
	dir=$BATS_TEST_TMPDIR/tree
	r=$dir/srv/root
	# pid-only: the mount points must exist in a root of its own
	mkdir -p "$r/bin" "$r/proc" "$r/dev" "$r/tmp"
	cp "$OUT/toybox" "$OUT/probe" "$r/bin/"
	for a in sh ls cat echo; do ln -s toybox "$r/bin/$a"; done
	cat >"$BATS_TEST_TMPDIR/sb.conf" <<-'EOF'
	service own
	  root /srv/root
	  restart never
	  exec /bin/sh -c "probe ls /; probe pids; probe uidmap; probe try-write /x; probe try-write /tmp/x; echo own done"
	service deflt
	  restart never
	  exec /bin/sh -c "probe caps; probe pids; probe hostname; probe links; probe cgroup; probe ls /dev; probe mounts; echo deflt done"
	service deny
	  restart never
	  exec /bin/sh -c "for t in try-module try-reboot try-settime try-mount try-keyctl try-bpf try-userns 'try-ptrace 2' 'try-write /etc/x' 'try-kill 1'; do echo \"$t => $(probe $t)\"; done; echo deny done"
	service capped
	  restart never
	  caps sys_time sys_boot sys_admin sys_ptrace
	  exec /bin/sh -c "probe caps; for t in try-module try-reboot try-settime try-keyctl try-bpf try-userns 'try-ptrace 2'; do echo \"$t => $(probe $t)\"; done; echo capped done"
	service open
	  restart never
	  caps sys_time sys_boot sys_admin sys_ptrace
	  seccomp off
	  exec /bin/sh -c "probe caps; for t in try-module try-reboot try-settime try-keyctl try-bpf try-userns 'try-ptrace 2'; do echo \"$t => $(probe $t)\"; done; echo open done"
	service nocaps
	  restart never
	  caps none
	  seccomp off
	  exec /bin/sh -c "probe caps; echo nocaps done"
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/sb.conf" "$dir"
	qemu_wait '^sandinit: ready: 6 services' 180
	qemu_wait '^own: own done' 30
	qemu_wait '^deflt: deflt done' 30
	qemu_wait '^deny: deny done' 30
	qemu_wait '^nocaps: nocaps done' 30
	qemu_wait '^capped: capped done' 30
	qemu_wait '^open: open done' 30

	# own root: only the tree, pid namespace, unprivileged map, read-only
	run lines_of own
	assert_line 'ls: bin dev proc tmp'
	assert_line --regexp '^pids: 1 2 [0-9]+$'
	assert_line --regexp '^uid_map: 0 [1-9][0-9]{5,} 65536$'
	assert_line 'denied: EROFS'
	assert_line ok

	# the default sandbox, on the real kernel
	run lines_of deflt
	assert_line 'CapBnd: 00000000a80425fb'
	assert_line 'CapEff: 00000000a80425fb'
	assert_line 'CapPrm: 00000000a80425fb'
	assert_line 'NoNewPrivs: 1'
	assert_line 'Seccomp: 2'
	assert_line --regexp '^pids: 1 2 [0-9]+$'
	assert_line 'hostname: deflt'
	assert_line 'link: lo up 127.0.0.1/8'
	refute_line --regexp '^link: (eth|sit|tunl)'
	assert_line 'cgroup: 0::/'
	assert_line 'ls: fd full log null ptmx pts random shm stderr stdin stdout tty urandom zero'
	# read-only root and /proc parts, masked files: Debian's kernel has
	# /proc/kcore and /proc/sysrq-trigger, which the host tier may lack
	assert_line --regexp '^mount: / [^ ]+ ro(,|$)'
	assert_line --regexp '^mount: /proc/sysrq-trigger [^ ]+ ro,'
	assert_line --regexp '^mount: /proc/sys [^ ]+ ro,'
	assert_line --regexp '^mount: /proc/kcore '
	assert_line --regexp '^mount: /proc/keys '
	assert_line --regexp '^mount: /proc/timer_list '
	assert_line --regexp '^mount: /tmp tmpfs rw,'

	# every forbidden attempt fails (the reaper, pid 1 inside, may be
	# signalled); ptrace's target is the service's shell, 2, dumpable
	run lines_of deny
	for t in try-module try-reboot try-settime try-mount try-keyctl try-bpf try-userns 'try-ptrace 2'; do
		assert_line "$t => denied: EPERM"
	done
	assert_line 'try-write /etc/x => denied: EROFS'
	# with the capabilities these calls need, the filter is what refuses
	run lines_of capped
	assert_line 'CapEff: 0000000002680000'
	assert_line 'Seccomp: 2'
	for t in try-module try-reboot try-settime try-keyctl try-bpf try-userns 'try-ptrace 2'; do
		assert_line "$t => denied: EPERM"
	done
	# the control: the same without the filter gets through to the kernel
	# (EINVAL: the probe asks for an invalid time and bpf command; modules
	# need CAP_SYS_MODULE in the host's namespace, and reboot(2) is the
	# kernel's to refuse too: the sandbox's pid namespace belongs to PID
	# 1's user namespace, so that the mounts made from there stay locked)
	run lines_of open
	assert_line 'CapEff: 0000000002680000'
	assert_line 'Seccomp: 0'
	assert_line 'try-module => denied: EPERM'
	assert_line 'try-reboot => denied: EPERM'
	assert_line 'try-settime => denied: EINVAL'
	assert_line 'try-bpf => denied: EINVAL'
	assert_line 'try-keyctl => ok'
	assert_line 'try-userns => ok'
	assert_line 'try-ptrace 2 => ok'

	run lines_of nocaps
	for k in CapInh CapPrm CapEff CapBnd CapAmb; do
		assert_line "$k: 0000000000000000"
	done
	assert_line 'Seccomp: 0'

	# PID 1 went on
	run qemu_log
	refute_output --partial 'unable to'
	refute_output --partial 'Kernel panic'
}

@test "qemu: with user namespaces turned off, sandboxed services fail clearly and the rest runs" {
	cat >"$BATS_TEST_TMPDIR/nouserns.conf" <<-'EOF'
	sysctl user.max_user_namespaces 0
	service boxed
	  restart never
	  exec /bin/true
	service plain
	  namespaces none
	  restart never
	  exec /bin/echo plain ran
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/nouserns.conf"
	qemu_wait 'sandinit: boxed: unable to create its user net namespaces \(a limit in /proc/sys/user/ is reached\): No space left on device' 180
	qemu_wait '^plain: plain ran' 30
	qemu_wait 'sandinit: ready: 2 services' 30
}

@test "qemu: readonly overlay without overlayfs in the kernel (not in modules) fails clearly and the rest runs" {
	cat >"$BATS_TEST_TMPDIR/noovl.conf" <<-'EOF'
	service ovl
	  restart never
	  readonly overlay
	  exec /bin/true
	service plain
	  restart never
	  exec /bin/echo plain ran
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/noovl.conf"
	qemu_wait 'sandinit: ovl: unable to open overlayfs \(modules overlay\?\): No such device' 240
	qemu_wait '^plain: plain ran' 60
	qemu_wait 'sandinit: ready: 2 services' 180
}

@test "qemu: readonly overlay with modules overlay mounts on Debian's kernel, the service pid 2; without idmapped tmpfs (6.1) the image's root-owned files stay unwritable" {
	cat >"$BATS_TEST_TMPDIR/ovl.conf" <<-'EOF'
	modules overlay
	service ovl
	  restart never
	  readonly overlay
	  exec /bin/sh -c "echo mypid $$; probe try-write /etc/x; probe try-write /tmp/x; grep ' / / ' /proc/self/mountinfo; echo ovl done"
	service ro
	  restart never
	  exec /bin/sh -c "grep ' / / ' /proc/self/mountinfo; echo ro done"
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/ovl.conf"
	qemu_wait '^ovl: ovl done' 150
	qemu_wait '^ro: ro done' 60
	run lines_of ovl
	# the service is pid 2 of its sandbox, not the overlay's helper (SPEC §6)
	assert_line 'mypid 2'
	assert_line 'denied: EACCES'
	assert_line ok
	assert_line --regexp ' / / .* - overlay '
	# control: a plain read-only sandbox's root is no overlay
	run lines_of ro
	assert_line --regexp ' / / '
	refute_line --regexp ' - overlay '
	run qemu_log
	refute_output --partial 'unable to'
}

@test "qemu: mount points the root lacks, binds and a device on Debian's kernel; caps sys_admin uncovers nothing" {
	cat >"$BATS_TEST_TMPDIR/graft.conf" <<-'EOF'
	service graft
	  restart never
	  caps sys_admin
	  tmpfs /etc/new
	  bind /usr /opt/usr
	  device /dev/kmsg
	  exec /bin/sh -c "probe ls /etc; probe try-write /etc/new/x; probe try-write /etc/x; probe ls /opt/usr; probe ls /dev; for m in /proc /proc /sys /sys /tmp /tmp /run /run; do probe try-umount $m; done; probe ls /proc; probe ls /tmp; probe ls /run; probe ls /sys; echo graft done"
	service top
	  restart never
	  readonly no
	  tmpfs /newtop
	  exec /bin/sh -c "probe try-write /newtop/x; probe ls /; probe try-write /x; echo top done"
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/graft.conf"
	qemu_wait '^sandinit: ready: 2 services' 180
	qemu_wait '^graft: graft done' 30
	qemu_wait '^top: top done' 30
	run lines_of graft
	# /etc as the image has it, plus the new mount point
	assert_line 'ls: group new passwd resolv.conf sandinit.conf'
	assert_line ok
	assert_line 'denied: EROFS'
	assert_line --regexp '^ls: .*\bbin\b'
	assert_line 'ls: fd full kmsg log null ptmx pts random shm stderr stdin stdout tty urandom zero'
	# nothing unmounts (EINVAL, all 8 tries): the mounts are locked, made
	# from PID 1's user namespace, so /proc stays its own (its reaper, its
	# shell, the probe: no host pid), /tmp and /run empty
	run grep -c '^denied: EINVAL$' <<<"$output"
	assert_output 8
	run lines_of graft
	run bash -c "grep '^ls: .*\bself\b' | tr ' ' '\n' | grep -c '^[0-9][0-9]*\$'" <<<"$output"
	assert_output 3
	run lines_of graft
	assert_line 'ls:'
	run lines_of top
	assert_line ok
	assert_line --regexp '^ls: bin dev etc init lib mnt newtop proc root run sbin sys tmp usr www$'
	assert_line --regexp '^denied: E(ROFS|ACCES|PERM)$'
	run qemu_log
	refute_output --partial 'unable to'
}
