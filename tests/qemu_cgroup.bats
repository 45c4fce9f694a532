#!/usr/bin/env bats
# QEMU tier: cgroup v2 limits on Debian's kernel (issue 5), all in one boot:
# a fork bomb stops at `pids`, a memory hog is OOM-killed inside its own
# cgroup, named so (issue 12) and restarted, `initctl status NAME` shows the
# figures of the cgroup files, a `cpu 20` spinner is throttled, and a service that
# ignores SIGTERM (children too) is killed whole after `stop-timeout`; PID 1
# and a bystander service answer throughout.

bats_load_library bats-support
bats_load_library bats-assert
load lib/qemu

@test "qemu: pids, memory and cpu limits hold; stop-timeout kills a service and its children" {
	cat >"$BATS_TEST_TMPDIR/cg.conf" <<-'EOF'
	service bystander
	  memory 64M
	  exec /bin/probe sleep 100000
	service bomb
	  pids 32
	  restart never
	  exec /bin/probe forkbomb
	service hog
	  memory 16M
	  exec /bin/probe alloc 64
	service spinner
	  cpu 20
	  exec /bin/probe spin
	service stubborn
	  stop-timeout 2
	  restart never
	  exec /bin/probe ignore-term
	service oomstop
	  memory 16M
	  stop-timeout 2
	  restart never
	  exec /bin/sh -c "/bin/probe alloc 64; exec /bin/probe ignore-term"
	service console
	  namespaces none
	  tty /dev/console
	  exec /bin/sh
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/cg.conf"
	# Service lines may follow the console shell's prompt on one line:
	# the patterns below are not anchored at the start.
	qemu_wait '^sandinit: kernel: userns=yes netns=yes cgroup2=memory,pids,cpu[a-z,]* seccomp=yes nftables=(yes|no) ' 180
	qemu_wait 'sandinit: ready: 7 services' 180

	# pids: the bomb stops at pids.max (32, its reaper and itself included)
	qemu_wait 'bomb: stopped: EAGAIN' 30
	qemu_wait 'bomb: forks: [0-9]+' 10
	local forks
	forks=$(qemu_log | grep -o 'bomb: forks: [0-9]*' | grep -o '[0-9]*$')
	[[ "$forks" =~ ^[0-9]+$ ]] || fail "no fork count: '$forks'"
	[ "$forks" -ge 20 ] || fail "bomb forked $forks times, expected 20..30"
	[ "$forks" -le 30 ] || fail "bomb forked $forks times, expected 20..30"
	qemu_type 'echo pids=$(cat /sys/fs/cgroup/sandinit/bomb/pids.current /sys/fs/cgroup/sandinit/bomb/pids.max)\n'
	qemu_wait 'pids=32 32$' 30
	# ... while the others keep answering: PID 1 and a bystander's sandbox
	qemu_type 'initctl exec bystander /bin/probe hostname; echo exec-rc=$?\n'
	qemu_wait 'hostname: bystander' 30
	qemu_wait 'exec-rc=0' 30
	# a memory limit comes without swap, so a hog cannot swap past it
	qemu_type 'echo mem=$(cat /sys/fs/cgroup/sandinit/bystander/memory.max /sys/fs/cgroup/sandinit/bystander/memory.swap.max)\n'
	qemu_wait 'mem=67108864 0$' 30
	# a tmpfs without SIZE: half of `memory` when that is under 64M (the
	# bystander's 64M: 32M), else 64M (the spinner has no memory limit)
	qemu_type 'initctl exec bystander /bin/cat /proc/mounts | grep " /tmp " | sed "s/^/half-/"\n'
	qemu_wait 'half-tmpfs /tmp tmpfs .*size=32768k' 30
	qemu_type 'initctl exec spinner /bin/cat /proc/mounts | grep " /tmp " | sed "s/^/full-/"\n'
	qemu_wait 'full-tmpfs /tmp tmpfs .*size=65536k' 30

	# memory: OOM-killed in its cgroup (the subtree's hierarchical
	# memory.events counts it), named so, restarted; PID 1 unharmed
	qemu_wait 'sandinit: hog: killed by the OOM killer \(memory 16M\)' 60
	qemu_type 'grep oom_kill /sys/fs/cgroup/sandinit/memory.events\n'
	qemu_wait 'oom_kill [1-9]' 30
	qemu_type 'n=0; until initctl status | grep -Eq "^hog [a-z]+ [0-9-]+ ([2-9]|[1-9][0-9]+) "; do n=$((n+1)); [ $n -gt 100 ] && break; sleep 0.1; done; initctl status | grep "^hog "; initctl status hog | grep last-exit | sed "s/^/hog-/"\n'
	qemu_wait 'hog (running|starting|backoff) [0-9-]+ ([2-9]|[1-9][0-9]+) ' 40
	qemu_wait '^hog-last-exit: oom-kill' 30
	run qemu_log
	refute_output --partial 'Kernel panic'
	refute_output --partial 'sandinit: hog: exited with status 137'
	refute_output --regexp 'sandinit: (bystander|spinner|stubborn): exited'

	# status NAME: the figures are the cgroup files' (an idle service: they
	# hold still between the two reads)
	qemu_type 'c=/sys/fs/cgroup/sandinit/bystander; initctl status bystander | sed "s/^/shown-/"; u=$(grep usage_usec $c/cpu.stat); echo "files: $(cat $c/memory.current $c/memory.peak $c/memory.max $c/pids.current $c/pids.max | xargs) ${u#* } $c"; grep -qx "$(initctl status bystander | sed -n "s/^pid: //p")" $c/cgroup.procs && echo pid-in-cgroup\n'
	qemu_wait '^pid-in-cgroup' 30
	local files
	files=$(qemu_log | grep -E '^files: [0-9]' | tail -n 1 | cut -d' ' -f2-)
	shown() { qemu_log | grep -E "^shown-$1: " | tail -n 1 | cut -d' ' -f2-; }
	echo "files: $files"
	qemu_log | grep '^shown-'
	read -r fcur fpeak fmax fpids fpmax fusec fcg <<<"$files"
	assert_equal "$fmax" 67108864
	assert_equal "$(shown memory)" "$fcur $fpeak $fmax"
	assert_equal "$(shown pids)" "$fpids $fpmax"
	assert_equal "$(shown cpu)" "$(printf '%d.%06d' $((fusec / 1000000)) $((fusec % 1000000)))"
	assert_equal "$(shown cgroup)" "$fcg"
	assert_equal "$(shown state)" running

	# cpu: the spinner is throttled to 20% of a CPU
	qemu_type 'n=0; until grep -q "^nr_throttled [1-9]" /sys/fs/cgroup/sandinit/spinner/cpu.stat; do n=$((n+1)); [ $n -gt 100 ] && break; sleep 0.1; done; cat /sys/fs/cgroup/sandinit/spinner/cpu.max; grep throttled /sys/fs/cgroup/sandinit/spinner/cpu.stat\n'
	qemu_wait '20000 100000' 30
	qemu_wait 'nr_throttled [1-9]' 30

	# a worker OOM-killed, then the stop's own SIGKILL: not an OOM kill
	qemu_wait 'oomstop: ignoring: TERM' 60
	qemu_type 'grep oom_kill /sys/fs/cgroup/sandinit/oomstop/memory.events | sed "s/^/oomstop-/"\n'
	qemu_wait '^oomstop-oom_kill [1-9]' 30
	qemu_type 'initctl stop oomstop; echo stop2-rc=$?\n'
	qemu_wait 'sandinit: oomstop: did not stop in 2 s: killing it' 30
	qemu_wait 'stop2-rc=0' 30
	qemu_type 'initctl status oomstop | grep last-exit | sed "s/^/oomstop-/"\n'
	qemu_wait '^oomstop-last-exit: signal KILL' 30
	run qemu_log
	refute_output --partial 'sandinit: oomstop: killed by the OOM killer'

	# stop-timeout: TERM is ignored by the service and its two children;
	# after 2 s the whole cgroup is killed and removed
	qemu_wait 'stubborn: ignoring: TERM' 30
	qemu_type 'echo procs=$(wc -l < /sys/fs/cgroup/sandinit/stubborn/cgroup.procs)\n'
	qemu_wait 'procs=4' 30
	qemu_type 'initctl stop stubborn; echo stop-rc=$?\n'
	qemu_wait 'sandinit: stubborn: did not stop in 2 s: killing it' 30
	qemu_wait 'stop-rc=0' 30
	qemu_type 'echo left=$(ls /sys/fs/cgroup/sandinit | grep -c stubborn) $(grep -l ignore-term /proc/[0-9]*/cmdline 2>/dev/null | wc -l)\n'
	qemu_wait 'left=0 0' 30
	qemu_type 'initctl status; initctl status stubborn | grep last-exit | sed "s/^/stubborn-/"\n'
	qemu_wait 'stubborn stopped - ' 30
	qemu_wait '^stubborn-last-exit: signal KILL' 30
	qemu_wait 'bystander running [0-9]+ 0 ' 30
	qemu_type 'initctl poweroff\n'
	qemu_wait 'sandinit: poweroff' 60
	qemu_wait_exit 30
}
