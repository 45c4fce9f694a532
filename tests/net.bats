#!/usr/bin/env bats
# Host tier: bridges, veth links and addresses (SPEC §3 `bridge`, `net`; §6).
# Plus the netlink harness, which drives net.c directly against the kernel.

load lib/host

P=${PROBE:-$ROOT/out/probe}

# The links of PID 1's network namespace, one name a line.
pid1_links() {
	nsenter --net="/proc/$(host_pid1)/ns/net" ip -o link show |
		awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

@test "net harness: attach, configure, reach, no stray links (root)" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	run make -s -C "$ROOT" out/unit/net_harness
	assert_success
	run unshare --net "$ROOT/out/unit/net_harness" 20
	assert_success
	assert_line --regexp '^20 sandboxes: net_attach [0-9]+ us'
	assert_line --regexp "^[0-9]+ passed, 0 failed$"
}

@test "a sandbox sees lo and eth0, addressed, and reaches its bridge and its neighbour" {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service srv
	  exec $P listen 8080
	  ready fd 3
	  net br0
	service look
	  exec $P links
	  net br0
	  restart never
	service cli
	  exec $P connect 10.77.0.2 8080 3000
	  net br0
	  restart never
	  after srv
	service gw
	  exec $P connect 10.77.0.1 9 3000
	  net br0
	  restart never
	service v6
	  exec /bin/cat /proc/sys/net/ipv6/conf/eth0/addr_gen_mode
	  net br0
	  restart never
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 5 services'
	wait_console '^cli: connected$'
	# The bridge's address answered (nothing listens on port 9: refused).
	wait_console '^gw: (connected|failed: ECONNREFUSED)$'
	wait_console '^look: link: eth0 '
	run console
	assert_line 'look: link: lo up 127.0.0.1/8'
	assert_line 'look: link: eth0 up 10.77.0.3/24'
	refute_line --regexp '^look: link: (eth1|tunl|sit|br)'
	run status_of srv
	assert_output --regexp '^srv ready [0-9]+ 0 10\.77\.0\.2 -$'
	run pid1_links
	assert_line br0
	# The links are IPv4: no IPv6 link-local address (generation mode 1,
	# none) on the sandbox's end nor on the host's ends (bridge ports).
	wait_console '^v6: [0-9]$'
	run console
	assert_line 'v6: 1'
	run nsenter --net="/proc/$(host_pid1)/ns/net" sh -c \
		'cat /proc/sys/net/ipv6/conf/sv*/addr_gen_mode | sort -u'
	assert_output 1
}

@test "a bridge sandinit makes has a MAC of its own, kept as sandboxes come and go" {
	# 02:53 and the bridge's address, as a sandbox's eth0 has its own. A
	# bridge without one would take the lowest MAC among its ports (the
	# host ends' are random) and change it with them.
	{
		echo "bridge br0 10.77.0.1/24"
		for i in $(seq 1 20); do
			printf 'service s%d
  exec /bin/true
  net br0
  restart never
' "$i"
		done
	} >"$BATS_TEST_TMPDIR/many.conf"
	host_start "$BATS_TEST_TMPDIR/many.conf"
	wait_console '^sandinit: ready: 20 services'
	run bash -c "nsenter --net=/proc/$(host_pid1)/ns/net ip -o link show br0 |
		grep -o 'link/ether [0-9a-f:]*'"
	assert_output 'link/ether 02:53:0a:4d:00:01'
}

@test "networked sandboxes start when PID 1 has no CAP_SYS_PTRACE" {
	# A child that became root in its user namespace is not dumpable: PID 1
	# could open its /proc/PID/ns/net only with CAP_SYS_PTRACE. The child
	# sends its namespace (and a netlink socket made in it) instead.
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service look
	  exec $P links
	  net br0
	  restart never
	EOF
	)
	SANDINIT=$(without_cap sys_ptrace) host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	wait_console '^look: link: eth0 '
	run console
	assert_line 'look: link: eth0 up 10.77.0.2/24'
	run awk '/^CapEff/ { print $2 }' "/proc/$(host_pid1)/status"
	[ $(( 0x$output >> 19 & 1 )) = 0 ]	# CAP_SYS_PTRACE is 19
}

# console_of SVC: SVC's console lines so far, without the prefix.
console_of() { console | sed -n "s/^$1: //p"; }
# nlines_of SVC N: SVC has printed at least N lines.
nlines_of() { [ "$(console_of "$1" | wc -l)" -ge "$2" ]; }
# ended SVC: SVC (restart never) has exited, so that a start runs it again.
ended() { status_of "$1" | grep -Eq "^$1 (exited|failed) "; }

@test "no sandbox on another bridge is reachable while the host does not forward" {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	bridge br1 10.78.0.1/24
	service srv
	  exec $P listen 8080
	  net br0
	service near
	  exec $P connect 10.77.0.2 8080 3000
	  net br0
	  restart never
	service other
	  exec $P connect 10.77.0.2 8080 1000
	  net br1
	  restart never
	EOF
	)
	host_start "$f"
	wait_console '^srv: listening: 8080$'
	# the first tries may have raced the listener: once both ended, again,
	# now that srv listens for sure
	retry 10 ended near
	retry 10 ended other
	run ictl start near
	assert_success
	run ictl start other
	assert_success
	retry 10 nlines_of near 2
	retry 10 nlines_of other 2
	run console_of near
	echo "near: $output"
	# the positive control: a client on srv's bridge does reach it
	assert_line --index 1 connected
	run console_of other
	echo "other: $output"
	assert_line --index 1 --regexp '^failed: (ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$'
	refute_line connected
	run status_of srv
	assert_output --regexp '^srv running [0-9]+ 0 10\.77\.0\.2 -$'
}

@test "a restarted service keeps its address and stays reachable" {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service a
	  exec $P sleep 100
	  net br0
	service srv
	  exec $P listen 8080
	  net br0
	service cli
	  exec $P connect 10.77.0.3 8080 3000
	  net br0
	  restart never
	  after srv
	EOF
	)
	host_start "$f"
	wait_console '^srv: listening: 8080$'
	# cli's first try may have raced the listener: once it ended, again
	retry 10 ended cli
	run ictl start cli
	assert_success
	retry 10 nlines_of cli 2
	run console_of cli
	assert_line --index 1 connected
	run status_of srv
	assert_output --regexp ' 10\.77\.0\.3 -$'
	run ictl restart srv
	assert_success
	run status_of srv
	assert_output --regexp '^srv running [0-9]+ [0-9]+ 10\.77\.0\.3 -$'
	retry 5 bash -c "[ \$(grep -c '^srv: listening: 8080\$' '$BATS_TEST_TMPDIR/console.log') = 2 ]"
	# Same address, same MAC: the neighbour's ARP entry is still right.
	retry 10 ended cli
	run ictl start cli
	assert_success
	retry 10 nlines_of cli 3
	run console_of cli
	assert_line --index 2 connected
}

@test "100 services on one /24 get distinct addresses and no link outlives its sandbox" {
	{
		echo "bridge br0 10.77.0.1/24"
		for i in $(seq 1 100); do
			printf 'service s%d\n  exec %s sleep 100\n  net br0\n' "$i" "$P"
		done
	} >"$BATS_TEST_TMPDIR/many.conf"
	host_start "$BATS_TEST_TMPDIR/many.conf"
	wait_console '^sandinit: ready: 100 services' 30
	run ictl status
	assert_success
	[ "$(echo "$output" | awk '{print $5}' | grep -c '^10\.77\.0\.')" = 100 ]
	[ "$(echo "$output" | awk '{print $5}' | sort -u | wc -l)" = 100 ]
	host_alive || { console; false; }
	[ "$(pid1_links | grep -c '^sv')" = 100 ]
	# (wait on these alone: a bare `wait` would wait for PID 1 too)
	pids=()
	for i in $(seq 1 100); do ictl stop "s$i" >/dev/null & pids+=($!); done
	wait "${pids[@]}"
	# The kernel deletes each pair once its namespace is gone.
	retry 20 bash -c "! nsenter --net=/proc/$(host_pid1)/ns/net ip -o link show | grep -q ': sv'"
}

@test "the host reaches a service on its bridge" {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service srv
	  exec $P listen 8080
	  net br0
	EOF
	)
	host_start "$f"
	wait_console '^srv: listening: 8080$'
	run nsenter --net="/proc/$(host_pid1)/ns/net" "$P" connect 10.77.0.2 8080 3000
	assert_success
	assert_output --partial connected
}

# A pod of two: pod (listening on 8080, on br0) and side, which joins it.
pod_start() {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service pod
	  exec $P listen 8080
	  net br0
	service side
	  join pod
	  exec $P sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^pod: listening: 8080$'
	retry 10 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -q '^side running'"
}

# side is in pod's network: its address, localhost and the bridge's address.
same_pod() {
	same_netns pod side
	run ictl exec side "$P" links
	assert_line --partial 'eth0 up 10.77.0.2/24'
	# the bridge's address answers (nothing listens on port 9: refused)
	run ictl exec side "$P" connect 10.77.0.1 9 3000
	assert_output --regexp '^(connected|failed: ECONNREFUSED)$'
	# pod's run listens (soon after it runs)
	run retry 10 ictl exec side "$P" connect 127.0.0.1 8080 3000
	assert_success
	assert_line connected
}

@test "join: a pod shares localhost and addresses, but not its pid namespace" {
	pod_start
	same_pod
	run ictl exec side /bin/hostname
	assert_output pod
	a=$(ictl exec pod /bin/readlink /proc/self/ns/pid)
	b=$(ictl exec side /bin/readlink /proc/self/ns/pid)
	[ "$a" != "$b" ]
}

# A pod member has the pod's addresses, and status says so (SPEC §5).
@test "join: status shows a pod member's addresses, the pod's" {
	pod_start
	run status_of pod
	assert_output --regexp '^pod running [0-9]+ 0 10\.77\.0\.2 '
	run status_of side
	assert_output --regexp '^side running [0-9]+ 0 10\.77\.0\.2 '
	run ictl status side
	assert_line 'addresses: 10.77.0.2'
}

teardown() {
	# (a strace left attached to PID 1 would hold up its poweroff)
	[ -z "${STRACE:-}" ] || kill "$STRACE" 2>/dev/null || true
	[ -z "${STRACE:-}" ] || wait "$STRACE" 2>/dev/null || true
	host_stop
}

traced() { [ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$(host_pid1)/status")" != 0 ]; }

# A pod member's first process is a copy of PID 1's memory (every service's
# env) until its execve, and enters the pod's user namespace before then. A
# pod service that sees it (no pid namespace of its own) with CAP_SYS_PTRACE
# there does not read that copy through /proc (environ here; mem is under
# the same checks): until its ids change it is host root, whose /proc files
# (0400) no sandbox may open (host root is never mapped), and changing them
# makes it non-dumpable (fs.suid_dumpable 0) until the execve. strace holds
# each setns's return for 3 s to widen the window; PID 1's environment
# carries the marker.
@test "join: a pod member's processes are not readable by the pod until their execve; after it they are" {
	f=$(conf <<-'EOF'
	service a
	  namespaces user mount net uts ipc
	  caps sys_ptrace
	  exec /bin/sh -c "seen=; while :; do for e in /proc/[0-9]*/environ; do case \" $seen \" in *\" $e \"*) continue;; esac; m=$(grep -a -o -e SANDINIT_TEST_SECRET=[a-z0-9]* -e MARK=[a-z]* $e 2>/dev/null) && echo seen $m && seen=\"$seen $e\"; done; sleep 0.1; done"
	EOF
	)
	SANDINIT_TEST_SECRET=s3cr3t host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	strace -f -qq -o "$BATS_TEST_TMPDIR/strace.log" -e trace=setns \
		-e inject=setns:delay_exit=3000000 -p "$(host_pid1)" 2>/dev/null &
	STRACE=$!
	retry 10 traced
	cat >>"$f" <<-'EOF'
	service b
	  join a
	  env MARK=visible
	  exec /bin/sleep 1000
	EOF
	ictl reload
	# the control: once b has exec'd, a reads its environment
	wait_console '^a: seen MARK=visible$' 90
	# the window was there: some process entered the pod's user namespace
	run grep -c 'CLONE_NEWUSER' "$BATS_TEST_TMPDIR/strace.log"
	assert_success
	run console
	refute_output --partial s3cr3t
}

# The pod's members run in its namespaces: when its run ends they stop, and
# they start again in its next run's (not left in the old one, unlinked).
@test "join: a pod's members follow it into its next run's namespaces" {
	pod_start
	same_pod
	old=$(ictl exec pod /bin/readlink /proc/self/ns/net)
	run ictl restart pod
	assert_success
	retry 30 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -Eq '^side running [0-9]+ 1 '"
	run status_of pod
	assert_output --regexp '^pod running [0-9]+ 1 '
	new=$(ictl exec pod /bin/readlink /proc/self/ns/net)
	[ "$new" != "$old" ]
	same_pod
	wait_console '^sandinit: side: its pod pod ended: stopping it$'
	# Killed (restart always): the same once it runs again.
	pid=$(status_of pod | awk '{print $3}')
	nsenter -t "$(host_pid1)" --pid kill -KILL "$pid"
	retry 30 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -Eq '^side running [0-9]+ 2 '"
	run status_of pod
	assert_output --regexp '^pod running [0-9]+ 2 '
	same_pod
	# A member the operator stopped stays stopped through its pod's restart.
	run ictl stop side
	assert_success
	run ictl restart pod
	assert_success
	run status_of side
	assert_output --regexp '^side stopped '
}

@test "50 restart cycles keep the auto address and leave no stray link" {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service hop
	  exec $P sleep 1000
	  net br0
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	addr=$(status_of hop | awk '{print $5}')
	assert_equal "$addr" 10.77.0.2
	for i in $(seq 1 50); do
		ictl restart hop >/dev/null
	done
	run status_of hop
	assert_output --regexp "^hop running [0-9]+ 50 10\.77\.0\.2 -$"
	# only the live sandbox's link is left, once the kernel has cleaned up
	retry 30 bash -c "[ \$(nsenter --net=/proc/$(host_pid1)/ns/net ip -o link show | grep -c ': sv') = 1 ]"
}

@test "a reload that moves a bridge to another subnet restarts its services there" {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service a
	  exec $P sleep 1000
	  net br0
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run status_of a
	assert_output --regexp '^a running [0-9]+ 0 10\.77\.0\.2 -$'
	sed -i 's|10.77.0.1/24|10.78.0.1/24|' "$f"
	run ictl reload
	assert_success
	moved() { status_of a | grep -Eq '^a running [0-9]+ 1 10\.78\.0\.2 -$'; }
	retry 10 moved
	run ictl exec a "$P" links
	assert_line 'link: eth0 up 10.78.0.2/24'
	# The bridge carries only its new address, and the MAC that goes
	# with it (the old pair may go to a service now).
	run nsenter --net="/proc/$(host_pid1)/ns/net" ip -o -4 addr show br0
	assert_output --partial 'inet 10.78.0.1/24'
	refute_output --partial '10.77.0.1'
	run bash -c "nsenter --net=/proc/$(host_pid1)/ns/net ip -o link show br0 |
		grep -o 'link/ether [0-9a-f:]*'"
	assert_output 'link/ether 02:53:0a:4e:00:01'
}

@test "a reload whose bridge is too small for its automatic addresses is refused with the check's message (was: Address not available); status never shows 0.0.0.0" {
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/30
	service a
	  exec $P sleep 1000
	  net br0
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run status_of a
	assert_output --regexp '^a running [0-9]+ 0 10\.77\.0\.2 -$'
	# a /30 has one address for services: b would get none
	cat >>"$f" <<-EOF
	service b
	  exec $P sleep 1000
	  net br0
	EOF
	run ictl reload
	assert_failure
	assert_output --partial "$f:7: bridge 'br0' 10.77.0.0/30 is too small: 2 'net' links need an automatic address, it has 1"
	run ictl status
	refute_output --partial 0.0.0.0
	assert_line --regexp '^a running [0-9]+ 0 10\.77\.0\.2 -$'
	refute_line --regexp '^b '
	# the control: with room (a /29) the same services are taken, b addressed
	sed -i 's|10.77.0.1/30|10.77.0.1/29|' "$f"
	run ictl reload
	assert_success
	addressed() { status_of b | grep -Eq '^b running [0-9]+ 0 10\.77\.0\.3 -$'; }
	retry 10 addressed
	run ictl status
	refute_output --partial 0.0.0.0
}
