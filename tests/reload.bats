#!/usr/bin/env bats
# Host tier: what `initctl reload` does beyond services (issue 16): global
# directives, a relative --config, a reload that fails half way, id ranges
# kept per service name.

bats_require_minimum_version 1.5.0
load lib/host

# Run CMD... in PID 1's uts and net namespaces (as the host sees them).
in_pid1() { nsenter -t "$(host_pid1)" -u -n "$@"; }

@test "reload applies changed global directives; mount changes wait for the next boot" {
	mkdir -p "$BATS_TEST_TMPDIR/m1" "$BATS_TEST_TMPDIR/m2"
	f=$(conf <<-EOF
	hostname before
	sysctl net.ipv4.ping_group_range "1 0"
	mount none $BATS_TEST_TMPDIR/m1 tmpfs size=1M
	service one
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run in_pid1 hostname
	assert_output before
	run in_pid1 cat /proc/sys/net/ipv4/ping_group_range
	assert_output --regexp '^1[[:space:]]+0$'
	one=$(status_of one | cut -d' ' -f3)
	cat >"$f" <<-EOF
	hostname after
	sysctl net.ipv4.ping_group_range "0 100"
	log-size 4K
	mount none $BATS_TEST_TMPDIR/m2 tmpfs size=1M
	service one
	  exec /bin/sleep 1000
	service chatty
	  restart never
	  exec /bin/sh -c "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 20000"
	EOF
	run ictl reload
	assert_success
	run in_pid1 hostname
	assert_output after
	run in_pid1 cat /proc/sys/net/ipv4/ping_group_range
	assert_output --regexp '^0[[:space:]]+100$'
	wait_console '^sandinit: reload: mount changes apply at the next boot$'
	# the new service's ring has the new size: its last 4K only
	retry 10 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -q '^chatty exited '"
	ictl log chatty >"$BATS_TEST_TMPDIR/log"
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/log")" 4096
	# the unchanged service was left alone
	run status_of one
	assert_output --regexp "^one running $one 0 - -$"
	# a reload that changes no mount says nothing of them
	run grep -c 'mount changes' "$BATS_TEST_TMPDIR/console.log"
	assert_output 1
	run ictl reload
	assert_success
	run grep -c 'mount changes' "$BATS_TEST_TMPDIR/console.log"
	assert_output 1
}

# The host id a service's root maps to, as it printed it (the Nth time).
host_root() { grep -E "^$1: map " "$BATS_TEST_TMPDIR/console.log" | sed -n "${2:-1}p" | cut -d' ' -f3; }

@test "a service keeps its id range when a reload inserts another before it" {
	f=$(conf <<-'EOF'
	service a
	  exec /bin/sh -c "read -r i o n </proc/self/uid_map; echo map $o $n; exec sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^a: map [0-9]+ 65536$'
	a=$(host_root a)
	pid=$(status_of a | cut -d' ' -f3)
	cat >"$f" <<-'EOF'
	service x
	  exec /bin/sh -c "read -r i o n </proc/self/uid_map; echo map $o $n; exec sleep 1000"
	service a
	  exec /bin/sh -c "read -r i o n </proc/self/uid_map; echo map $o $n; exec sleep 1000"
	EOF
	run ictl reload
	assert_success
	wait_console '^x: map [0-9]+ 65536$'
	x=$(host_root x)
	# a was left alone, and x's 65536 ids are not a's
	run status_of a
	assert_output --regexp "^a running $pid 0 - -$"
	[ "$x" -ge 100000 ]
	[ "$x" -ne "$a" ]
	d=$((x > a ? x - a : a - x))
	[ "$d" -ge 65536 ]
	# started again under the new config, a gets the same range
	run ictl restart a
	assert_success
	second() { [ -n "$(host_root a 2)" ]; }
	retry 10 second
	assert_equal "$(host_root a 2)" "$a"
}

# "ih4" and "a" hash to the same slot (FNV-1a of the name mod 32766: 8962).
@test "a reload that inserts a service whose name takes a running one's slot moves the new one, never the running one" {
	f=$(conf <<-'EOF'
	service a
	  exec /bin/sh -c "read -r i o n </proc/self/uid_map; echo map $o $n; exec sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^a: map [0-9]+ 65536$'
	a=$(host_root a)
	assert_equal "$a" $((100000 + 8962 * 65536))
	pid=$(status_of a | cut -d' ' -f3)
	cat >"$f" <<-'EOF'
	service ih4
	  exec /bin/sh -c "read -r i o n </proc/self/uid_map; echo map $o $n; exec sleep 1000"
	service a
	  exec /bin/sh -c "read -r i o n </proc/self/uid_map; echo map $o $n; exec sleep 1000"
	EOF
	run ictl reload
	assert_success
	wait_console '^ih4: map [0-9]+ 65536$'
	# a left alone (same pid, no restart), ih4 in the next slot
	run status_of a
	assert_output --regexp "^a running $pid 0 - -$"
	run console
	refute_output --partial 'reload: a changed'
	assert_equal "$(host_root ih4)" $((100000 + 8963 * 65536))
	run ictl status a
	assert_line "uids: $a-$((a + 65535))"
	# positive control: the names do collide: booted with this config,
	# nothing running before, the first in the file takes the slot
	host_stop
	: >"$BATS_TEST_TMPDIR/console.log"
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	run ictl status ih4
	assert_line "uids: $a-$((a + 65535))"
	run ictl status a
	assert_line "uids: $((a + 65536))-$((a + 2 * 65536 - 1))"
}

@test "a relative --config is still found by a reload once PID 1 has changed directory" {
	conf >/dev/null <<-'EOF'
	service a
	  exec /bin/sleep 1000
	EOF
	# a sandboxed service: PID 1 enters mount namespaces to make it, which
	# moves its working directory to /
	cd "$BATS_TEST_TMPDIR"
	host_start sandinit.conf
	cd /
	wait_console '^sandinit: ready: 1 services'
	run readlink "/proc/$(host_pid1)/cwd"
	assert_output /
	cat >>"$BATS_TEST_TMPDIR/sandinit.conf" <<-'EOF'
	service b
	  exec /bin/sleep 1000
	EOF
	run ictl reload
	assert_success
	retry 10 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -q '^b running '"
}

@test "a reload whose second bridge cannot be made leaves the first bridge as it was" {
	f=$(conf <<-'EOF'
	bridge br0 10.61.0.1/24
	service a
	  net br0
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	# a link named br1 that is not a bridge
	in_pid1 ip link add br1 type veth peer name br1p
	cat >"$f" <<-'EOF'
	bridge br0 10.62.0.1/24
	bridge br1 10.63.0.1/24
	service a
	  net br0
	  exec /bin/sleep 1000
	EOF
	run ictl reload
	assert_failure
	wait_console 'reload: unable to create bridge br1 \(a non-bridge link has that name\)'
	run in_pid1 ip -4 -o addr show dev br0
	assert_output --partial 'inet 10.61.0.1/24'
	refute_output --partial '10.62.0.1'
	run in_pid1 ip -o link show dev br0
	assert_output --partial 'link/ether 02:53:0a:3d:00:01'
	run in_pid1 ip -4 -o addr show dev br1
	assert_output ''
	# with the name free the same reload goes through
	in_pid1 ip link del br1
	run ictl reload
	assert_success
	run in_pid1 ip -4 -o addr show dev br0
	assert_output --partial 'inet 10.62.0.1/24'
	refute_output --partial '10.61.0.1'
	run in_pid1 ip -o link show dev br0
	assert_output --partial 'link/ether 02:53:0a:3e:00:01'
	run in_pid1 ip -4 -o addr show dev br1
	assert_output --partial 'inet 10.63.0.1/24'
}

# nft -i in PID 1's network namespace holding table ip sandinit as its owner
# (NFT_TABLE_F_OWNER: no other socket may change it) while fd 5 is open.
own_table() {
	mkfifo "$BATS_TEST_TMPDIR/nft.in"
	in_pid1 nft -i <"$BATS_TEST_TMPDIR/nft.in" >/dev/null 3>&- &
	exec 5>"$BATS_TEST_TMPDIR/nft.in"
	echo 'add table ip sandinit { flags owner; }' >&5
	retry 10 sh -c "nsenter -t $(host_pid1) -n nft list table ip sandinit 2>/dev/null | grep -q 'flags owner'"
}

# Service a running again (its first restart), addressed in $1.
restarted_in() { status_of a | grep -q "^a running [0-9]* 1 ${1//./\\.}\\."; }

@test "a reload whose firewall table cannot be made changes nothing: bridges, addresses, services" {
	f=$(conf <<-'EOF'
	bridge br0 10.64.0.1/24
	service a
	  net br0
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	pid=$(status_of a | cut -d' ' -f3)
	own_table
	# br0 readdressed (and a restarted), br1 new, with nat: the table
	cat >"$f" <<-'EOF'
	bridge br0 10.65.0.1/24
	bridge br1 10.66.0.1/24
	nat br1
	service a
	  net br0
	  exec /bin/sleep 1000
	EOF
	run ictl reload
	assert_failure
	assert_output --partial 'unable to reload: Operation not permitted'
	wait_console '^sandinit: reload: unable to make the nf_tables table ip sandinit: Operation not permitted$'
	run in_pid1 ip -4 -o addr show dev br0
	assert_output --partial 'inet 10.64.0.1/24'
	refute_output --partial '10.65.0.1'
	run in_pid1 ip -o link show dev br0
	assert_output --partial 'link/ether 02:53:0a:40:00:01'
	run ! in_pid1 ip link show dev br1
	run status_of a
	assert_output --regexp "^a running $pid 0 10\.64\.0\.[0-9]+ -$"
	run console
	refute_output --partial 'reload: a changed'
	# positive control: the table free again, the same reload goes through
	exec 5>&-
	retry 10 sh -c "! nsenter -t $(host_pid1) -n nft list table ip sandinit 2>/dev/null | grep -q 'flags owner'"
	run ictl reload
	assert_success
	run in_pid1 ip -4 -o addr show dev br0
	assert_output --partial 'inet 10.65.0.1/24'
	run in_pid1 ip -4 -o addr show dev br1
	assert_output --partial 'inet 10.66.0.1/24'
	wait_console '^sandinit: reload: a changed: restarting it$'
	retry 10 restarted_in 10.65
}

# gen PREFIX N EXEC: N services PREFIX1..PREFIXN without namespaces (cheap
# to start by the hundred).
gen() {
	local i
	for ((i = 1; i <= $2; i++)); do
		printf 'service %s%d\n  namespaces none\n  stop-timeout 60\n  exec %s\n' "$1" "$i" "$3"
	done
}

# The slots of services are allocated by the load or reload that needs them
# (issue 15): none past the config's own, and no fixed number of them.
@test "reloads grow 1 service to 256 with the first left running, then past 512 slots while removed ones stop" {
	slow="/bin/sh -c \"trap 'sleep 20.25; exit 0' TERM; while :; do sleep 0.5; done\""
	f=$(conf <<<"$(gen a 1 "$slow")")
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	a1=$(status_of a1 | cut -d' ' -f3)
	gen a 256 "$slow" >"$f"
	run ictl reload
	assert_success
	running() { [ "$(ictl status | grep -c "^$1[0-9]* running ")" = "$2" ]; }
	retry 60 running a 256
	run status_of a1
	assert_output --regexp "^a1 running $a1 0 - -$"
	# 256 removed (each takes 20 s to stop), 256 added: 512 slots
	gen b 256 "/bin/sleep 1000" >"$f"
	run ictl reload
	assert_success
	# and 256 more at once, while the first 256 still stop
	run pgrep -fc 'sleep 20.25; exit 0'
	assert_output 256
	gen c 256 "/bin/sleep 1000" >"$f"
	run ictl reload
	assert_success
	retry 60 running c 256
	run ictl status
	assert_equal "$(echo "$output" | wc -l)" 256
	refute_line --regexp '^[ab][0-9]+ '
	# the removed ones end their stop, and their slots are let go
	stopped() { if pgrep -f 'sleep 20.25; exit 0' >/dev/null; then return 1; fi; }
	retry 60 stopped
	run ictl status
	assert_equal "$(echo "$output" | wc -l)" 256
}

# A changed service restarts: its old run is stopped (here it ignores TERM
# for its stop-timeout), then its new one starts. A command meanwhile is the
# last word (SPEC §5: stop leaves it stopped; a poweroff ends PID 1).
restarting() {
	conf <<-EOF
	service a
	  stop-timeout 3
	  exec /bin/sh -c "echo gen $1; exec $PROBE ignore-term"
	service b
	  exec /bin/sleep 1000
	EOF
}

# Start with generation 1, reload to 2: a's old run is stopping.
reload_restarting() {
	host_start "$(restarting 1)"
	wait_console '^a: ignoring: TERM$'
	restarting 2 >/dev/null
	ictl reload
	wait_console '^sandinit: reload: a changed: restarting it$'
}

@test "a stop during a reload's restart of that service leaves it stopped, with its new config" {
	reload_restarting
	# the old run still ignores TERM (3 s): the stop comes during the restart
	run status_of a
	assert_output --regexp '^a running [0-9]+ 0 - -$'
	run ictl stop a
	assert_success
	run status_of a
	assert_output 'a stopped - 0 - -'
	# it stays stopped: b's restart (after a's end) has happened by the
	# time it is running again, and a has not started meanwhile
	run ictl restart b
	assert_success
	run status_of a
	assert_output 'a stopped - 0 - -'
	run grep -c '^a: gen' "$BATS_TEST_TMPDIR/console.log"
	assert_output 1
	# a start runs the new config (the control: a start shows on the console)
	run ictl start a
	assert_success
	wait_console '^a: gen 2$'
}

# F12: an operator's stop outlasts a reload (initctl.8: stopped by `initctl
# stop` until a start), as a unit stopped stays stopped over systemd's
# daemon-reload.
@test "a service stopped with initctl stop stays stopped over a reload, unchanged or changed (its new config taken), until a start" {
	host_start "$(restarting 1)"
	wait_console '^a: gen 1$'
	run -0 ictl stop a
	run -0 ictl reload
	run status_of a
	assert_output 'a stopped - 0 - -'
	restarting 2 >/dev/null
	run -0 ictl reload
	run status_of a
	assert_output 'a stopped - 0 - -'
	wait_console '^sandinit: reload: a changed: stays stopped$'
	# the control: a start runs the new config
	run -0 ictl start a
	wait_console '^a: gen 2$'
	run grep -c '^a: gen' "$BATS_TEST_TMPDIR/console.log"
	assert_output 2
}

# A changed b restarts even while a, which it comes after, is stopped by
# `initctl stop`: its new run waits for a, as `initctl start b` would, and
# the console says so.
@test "a reload restarting b while a (after a) is stopped: b waits for a, the console says so; a start of a brings b up" {
	f=$(conf <<-'EOF'
	service a
	  exec /bin/sleep 1000
	service b
	  after a
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	run -0 ictl stop a
	sed -i 's/sleep 1000/sleep 1001/' "$f"
	run -0 ictl reload
	wait_console '^sandinit: reload: b changed: restarting it after a \(stopped\)$'
	waits() { ictl status b | grep -qx 'waiting-for: a'; }
	retry 10 waits
	run status_of b
	assert_output --regexp '^b waiting '
	# the control: a start of a brings b up
	run -0 ictl start a
	up() { status_of b | grep -q '^b running '; }
	retry 10 up
	run status_of b
	assert_output --regexp '^b running '
}

@test "a service removed, then added back while its old run still stops: it starts once that run has ended, no start failed" {
	host_start "$(restarting 1)"
	wait_console '^a: ignoring: TERM$'
	conf <<-'EOF' >/dev/null
	service b
	  exec /bin/sleep 1000
	EOF
	run -0 ictl reload
	wait_console '^sandinit: reload: a removed: stopping it$'
	restarting 2 >/dev/null
	run -0 ictl reload
	wait_console '^sandinit: reload: a added'
	# the old run's stop goes on to its stop-timeout (3 s), then the new
	# run starts
	wait_console '^sandinit: a: did not stop in 3 s: killing it$'
	wait_console '^a: gen 2$'
	run status_of a
	assert_output --regexp '^a running [0-9]+ [0-9]+ - -$'
	run console
	refute_line --partial 'sandinit: a: unable to'
	refute_line --regexp '^sandinit: a: (exited|killed)'
	# one run of each generation
	run grep -c '^a: gen' "$BATS_TEST_TMPDIR/console.log"
	assert_output 2
}

@test "a poweroff during a reload's restart of a service completes, and the service does not start again" {
	reload_restarting
	run ictl poweroff
	assert_success
	retry 30 host_gone
	HOST_PID=
	run console
	assert_line 'sandinit: poweroff'
	assert_line 'a: gen 1'
	refute_line 'a: gen 2'
}

# A changed service keeps its old settings while its old run stops: their
# `join` names a service of the old config by its index there, which the
# running config's table must not be read at (here it has fewer services).
@test "status of a pod member a reload is restarting, the new config smaller than the old" {
	f=$(conf <<-EOF
	service x
	  exec /bin/sleep 1000
	service y
	  exec /bin/sleep 1000
	service pod
	  exec /bin/sleep 1000
	service m
	  join pod
	  stop-timeout 3
	  exec $PROBE ignore-term
	EOF
	)
	host_start "$f"
	wait_console '^m: ignoring: TERM$'
	cat >"$f" <<-EOF
	service m
	  stop-timeout 3
	  exec $PROBE ignore-term
	EOF
	run ictl reload
	assert_success
	wait_console '^sandinit: reload: m changed: restarting it$'
	# still stopping (TERM ignored for 3 s): its old settings
	run ictl status m
	assert_success
	assert_line 'state: running'
	assert_line --regexp '^uids: [0-9]+-[0-9]+$'
	run ictl status
	assert_success
	# and it starts with the new ones (a retry if its old cgroup is still
	# going away)
	second() { [ "$(grep -c '^m: ignoring: TERM$' "$BATS_TEST_TMPDIR/console.log")" -ge 2 ]; }
	retry 30 second
	retry 10 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl status m | grep -qx 'state: running'"
	run ictl status m
	assert_line 'namespaces: user pid mount net uts ipc cgroup'
}

# A reload that restarts a pod restarts its members too, in its new run's
# namespaces (not left in the old one's, unlinked).
@test "a reload restarting a pod restarts its unchanged member in the pod's new namespaces" {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service pod
	  exec $PROBE listen 8080
	  net br0
	service side
	  join pod
	  exec $PROBE sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^pod: listening: 8080$'
	retry 10 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl status | grep -q '^side running'"
	sed -i 's/listen 8080/listen 8081/' "$f"
	run ictl reload
	assert_success
	wait_console '^pod: listening: 8081$'
	retry 30 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl status | grep -Eq '^side running [0-9]+ 1 '"
	same_netns pod side
	run ictl exec side "$PROBE" links
	assert_line --partial 'eth0 up 10.77.0.2/24'
	run ictl exec side "$PROBE" connect 127.0.0.1 8081 3000
	assert_output connected
}

# Services a, b after a, c after b (version $1) that append when they start,
# are ready (a after 1 s), get their stop signal and end (a 0.5 s after it)
# to one file, log/o: appends from different sandboxes keep their order.
chain() {
	local v=$1 svc
	mkdir -p "$BATS_TEST_TMPDIR/log"
	for svc in a b c; do
		cat <<-EOF
		service $svc
		  namespaces pid mount
		  bind $BATS_TEST_TMPDIR/log /log rw
		  ready fd 3
		EOF
		case $svc in
		a) echo "  exec /bin/bash -c \"trap 'echo a-term-$v >>/log/o; sleep 0.5; echo a-bye-$v >>/log/o; exit 0' TERM; echo a-start-$v >>/log/o; sleep 1; echo a-ready-$v >>/log/o; echo up >&3; while :; do sleep 0.1; done\"" ;;
		*) echo "  after $prev"
		   echo "  exec /bin/bash -c \"trap 'echo $svc-term-$v >>/log/o; sleep 0.2; echo $svc-bye-$v >>/log/o; exit 0' TERM; echo $svc-start-$v >>/log/o; echo up >&3; while :; do sleep 0.1; done\"" ;;
		esac
		prev=$svc
	done
}

# Do the lines of log/o come in the order each pair X Y... says (X before
# Y, both there)? Prints the file if not.
ordered() {
	local o=$BATS_TEST_TMPDIR/log/o x y
	while [ $# -ge 2 ]; do
		x=$(grep -nxm1 -- "$1" "$o" | cut -d: -f1)
		y=$(grep -nxm1 -- "$2" "$o" | cut -d: -f1)
		if ! test "${x:-999999}" -lt "${y:-0}"; then
			echo "not $1 before $2:" $(cat "$o")
			return 1
		fi
		shift 2
	done
}

# F2: b's `after a` was met by a's old run, which the same reload stops.
@test "a reload that restarts a service starts its dependents (added or restarted) once its new run is ready" {
	f=$(conf < <(chain v1 | sed '/^service b/,$d'))
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	# a changed, b added after it
	chain v2 | sed '/^service c/,$d' >"$f"
	run -0 ictl reload
	retry 10 grep -qx b-start-v2 "$BATS_TEST_TMPDIR/log/o"
	run ordered a-ready-v2 b-start-v2
	assert_success
	# both changed: b's old run ends first (a takes 0.5 s to stop), and b
	# still waits for a's new run
	chain v3 | sed '/^service c/,$d' >"$f"
	run -0 ictl reload
	retry 10 grep -qx b-start-v3 "$BATS_TEST_TMPDIR/log/o"
	run ordered a-ready-v3 b-start-v3 a-bye-v2 a-start-v3
	assert_success
}

# F3: a reload sent every stop at once; shutdown stops dependents first.
@test "a reload stops the services it restarts or removes in reverse dependency order, as shutdown" {
	f=$(conf < <(chain v1))
	host_start "$f"
	wait_console '^sandinit: ready: 3 services'
	o=$BATS_TEST_TMPDIR/log/o
	# all three changed: c stops, then b, then a; they start a, b, c
	chain v2 >"$f"
	run -0 ictl reload
	retry 15 grep -qx c-start-v2 "$o"
	run ordered c-bye-v1 b-term-v1 b-bye-v1 a-term-v1 b-start-v2 c-start-v2
	assert_success
	# all three removed
	conf <<-EOF >/dev/null
	service d
	  exec /bin/sleep 1000
	EOF
	run -0 ictl reload
	retry 15 grep -qx a-bye-v2 "$o"
	run ordered c-bye-v2 b-term-v2 b-bye-v2 a-term-v2
	assert_success
	# the control: each got its stop signal and ended
	run grep -c -- '-bye-v2$' "$o"
	assert_output 3
}

# Service a (version $1) that appends to log/o when it starts and ends 1 s
# after its stop signal; with $2, b that joins it and appends when it starts.
pod_pair() {
	local v=$1
	mkdir -p "$BATS_TEST_TMPDIR/log"
	touch "$BATS_TEST_TMPDIR/log/o"
	chmod 777 "$BATS_TEST_TMPDIR/log"
	chmod 666 "$BATS_TEST_TMPDIR/log/o"
	cat <<-EOF
	service a
	  bind $BATS_TEST_TMPDIR/log /log rw
	  exec /bin/bash -c "trap 'echo a-term-$v >>/log/o; sleep 1; echo a-bye-$v >>/log/o; exit 0' TERM; echo a-start-$v >>/log/o; while :; do sleep 0.1; done"
	EOF
	[ -z "${2-}" ] || cat <<-EOF
	service b
	  join a
	  bind $BATS_TEST_TMPDIR/log /log rw
	  exec /bin/bash -c "echo b-start-$v >>/log/o; while :; do sleep 0.1; done"
	EOF
}

# join was met by a pod's run the same reload stops: b started in it, was
# stopped with it and started again.
@test "a reload that restarts a pod starts its added member in the pod's new run only" {
	f=$(conf < <(pod_pair v1))
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	pod_pair v2 b >"$f"
	run -0 ictl reload
	retry 10 grep -qx b-start-v2 "$BATS_TEST_TMPDIR/log/o"
	# b starts once the old run has ended (a-start-v2 and b-start-v2 race:
	# b joins the new run's namespaces, not its readiness)
	run ordered a-bye-v1 a-start-v2 a-bye-v1 b-start-v2
	assert_success
	run grep -cx b-start-v2 "$BATS_TEST_TMPDIR/log/o"
	assert_output 1
	retry 10 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl status | grep -q '^b running'"
	run grep -c 'its pod a ended' "$BATS_TEST_TMPDIR/console.log"
	assert_output 0
}

@test "global mount: OPTIONS as mount(8) takes them: fstab's own words skipped, bind,ro a read-only bind, nofail" {
	local t=$BATS_TEST_TMPDIR
	mkdir -p "$t/src/sub" "$t/b" "$t/r" "$t/m"
	f=$(conf <<-EOF
	mount $t/src $t/b none bind,ro,noauto,nofail,_netdev,user,x-systemd.automount,comment=x
	mount $t/src $t/r none rbind,ro,nosuid
	mount none $t/m tmpfs size=1M,mode=700,auto,users,nouser,x-mount.mkdir
	mount $t/nonexistent $t/n none bind,nofail
	service one
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	mi=/proc/$(host_pid1)/mountinfo
	# a bind of src, read-only (the remount mount(8) does after a bind)
	run awk -v m="$t/b" '$5 == m { print $6 }' "$mi"
	assert_output --regexp '^ro,'
	run awk -v m="$t/r" '$5 == m { print $6 }' "$mi"
	assert_output --regexp '^ro,nosuid'
	run nsenter -t "$(host_pid1)" -m touch "$t/b/x"
	assert_failure
	assert_output --partial 'Read-only file system'
	# positive control: the source itself is writable, and seen through the bind
	touch "$t/src/y"
	run nsenter -t "$(host_pid1)" -m ls "$t/b" "$t/r/sub"
	assert_success
	assert_line y
	# the tmpfs with its fs options (fstab's words not passed to it)
	run awk -v m="$t/m" '$5 == m { for (i = 7; i < NF; i++) if ($i == "-") print $(i + 1), $(i + 3) }' "$mi"
	assert_output --regexp '^tmpfs .*size=1024k,mode=700'
	# nofail: logged, and the boot goes on
	run console
	assert_line --regexp "^sandinit: unable to mount $t/nonexistent on $t/n: No such file or directory \(nofail\)$"
	refute_line --partial "on $t/m:"
	refute_line --partial "on $t/b:"
}

# F8: a service is restarted for what its lines mean, not how they are
# written: defaults spelled out, other spellings, lines reordered.
@test "a reload leaves a service whose lines changed only in form alone, and restarts it for a change of meaning" {
	f=$(conf <<-'EOF'
	bridge br0 10.9.0.1/24
	service b
	  exec /bin/sleep 1000
	service a
	  net br0
	  after b
	  stop-signal TERM
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	pid=$(status_of a | cut -d' ' -f3)
	conf <<-'EOF' >/dev/null
	bridge br0 10.9.0.1/24
	service b
	  exec /bin/sleep 1000
	service a
	  net   br0 auto
	  after b
	  stop-signal SIGTERM
	  exec "/bin/sleep" 1000
	EOF
	run -0 ictl reload
	conf <<-'EOF' >/dev/null
	bridge br0 10.9.0.1/24
	service a
	  exec /bin/sleep 1000
	  stop-signal 15
	  restart always
	  after b
	  net br0
	  stop-timeout 5
	service b
	  exec /bin/sleep 1000
	EOF
	run -0 ictl reload
	run status_of a
	assert_output --regexp "^a running $pid 0 10\.9\.0\.[0-9]+ -$"
	run console
	refute_line --partial 'reload: a changed'
	# the control: a change of meaning restarts it
	conf <<-'EOF' >/dev/null
	bridge br0 10.9.0.1/24
	service a
	  exec /bin/sleep 1001
	  after b
	  net br0
	service b
	  exec /bin/sleep 1000
	EOF
	run -0 ictl reload
	wait_console '^sandinit: reload: a changed: restarting it$'
	restarted() { [ "$(status_of a | cut -d' ' -f3)" != "$pid" ]; }
	retry 10 restarted
	run status_of a
	assert_output --regexp '^a running [0-9]+ [0-9]+ 10\.9\.0\.[0-9]+ -$'
}
