#!/usr/bin/env bats
# Host tier: uplink interfaces (SPEC §3 `interface`, §10). A veth stands in
# for the uplink: made in a network namespace of the test's own ("the
# outside") and moved into PID 1's after PID 1 started, so it appears later;
# Debian's dnsmasq serves DHCP on the outside end.

bats_require_minimum_version 1.5.0
load lib/host

# OUTSIDE: a process holding the outside namespace. (The test is a
# function: retry's arguments are expanded once, before unshare may have
# made the namespace.)
outside_start() {
	unshare --net sleep 1000 &
	OUTSIDE=$!
	retry 30 outside_made
}
outside_made() { [ "$(readlink /proc/$OUTSIDE/ns/net)" != "$(readlink /proc/self/ns/net)" ]; }

out() { nsenter --net="/proc/$OUTSIDE/ns/net" "$@"; }
in1() { nsenter --net="/proc/$(host_pid1)/ns/net" "$@"; }

# A veth NAME / out0, outside, ADDR on out0; then NAME moves into PID 1's
# namespace (uplink_move).
uplink_make() {
	out ip link add "$1" type veth peer name out0
	out ip addr add "$2" dev out0
	out ip link set out0 up
}
uplink_move() { out ip link set "$1" netns "$(host_pid1)"; }
uplink() { uplink_make "$@"; uplink_move "$1"; }

# dnsmasq as the outside's DHCP server: 10.9.0.50-60 (RANGE, if set; the
# netmask MASK, if set),
# router 10.9.0.1, DNS 10.9.0.53, a lease of 2 minutes (dnsmasq's
# shortest; LEASE, if set); more options in the arguments. Its leases are kept in one
# file across restarts; each run logs to its own file, the last one to
# dnsmasq.log (the earlier ones are moved to dnsmasq.N.log).
dnsmasq_start() {
	local log=$BATS_TEST_TMPDIR/dnsmasq.log
	[ ! -e "$log" ] || mv "$log" "$BATS_TEST_TMPDIR/dnsmasq.$SECONDS.$RANDOM.log"
	# (nsenter execs dnsmasq: $! is dnsmasq, not a subshell around it)
	nsenter --net="/proc/$OUTSIDE/ns/net" dnsmasq -k --conf-file=/dev/null --port=0 --interface=out0 --bind-interfaces \
		--dhcp-range=${RANGE:-10.9.0.50,10.9.0.60},${MASK:-255.255.255.0},${LEASE:-2m} \
		--dhcp-option=3,10.9.0.1 --dhcp-option=6,10.9.0.53 \
		--dhcp-leasefile="$BATS_TEST_TMPDIR/leases" --log-dhcp \
		--log-facility="$log" --no-ping --user=root --pid-file= "$@" &
	DNSMASQ=$!
	retry 10 grep -qs 'DHCP, sockets bound' "$log"
}

dnsmasq_stop() {
	kill "$DNSMASQ"
	wait "$DNSMASQ" || :
	DNSMASQ=
}

# The address of the lease PID 1 applied last (its console line).
leased() {
	console | sed -n 's/^sandinit: interface up0: \(10\.9\.0\.[0-9]*\)\/24 via.*/\1/p' | tail -1
}

# dhcpbad MODE (tests/tools/dhcpbad.c) as the outside's server, on out0
# (10.9.0.1); its lines go to bad.log.
bad_start() {
	nsenter --net="/proc/$OUTSIDE/ns/net" "$ROOT/out/dhcpbad" out0 10.9.0.1 "$1" >"$BATS_TEST_TMPDIR/bad.log" 2>&1 &
	DHCPBAD=$!
	retry 10 grep -qs '^READY' "$BATS_TEST_TMPDIR/bad.log"
}

# The ms from the first to the Nth transaction whose message KIND
# (DISCOVER, REQUEST) dhcpbad received, once it has (fails after SECS s).
# A transaction is counted at its first message: a retransmission (the
# same xid, sent again when the answer was slow: a loaded machine) is not
# a new try, and counting it would shorten the span.
bad_tries() { grep "^$1 " "$BATS_TEST_TMPDIR/bad.log" | awk '!seen[$3]++'; }
bad_tried() { [ "$(bad_tries "$1" | wc -l)" -ge "$2" ]; }
bad_span() {
	retry "$3" bad_tried "$1" "$2" || return 1
	bad_tries "$1" | awk -v n="$2" 'NR == 1 { a = $2 } NR == n { print $2 - a }'
}

# An `interface up0 dhcp` PID 1 whose uplink comes from the outside (out0:
# 10.9.0.1/24), after the server in the arguments ("dnsmasq ARGS..." or
# "bad MODE") has started. Extra config lines on stdin.
dhcp_boot() {
	local f
	f=$(conf <<-EOF
	interface up0 dhcp
	$(cat)
	service idle
	  exec /bin/sleep 1000
	EOF
	)
	outside_start
	uplink_make up0 10.9.0.1/24
	case $1 in
	dnsmasq) shift; dnsmasq_start "$@" ;;
	bad) bad_start "$2" ;;
	esac
	host_start "$f"
	uplink_move up0
	wait_console '^sandinit: interface up0: up, addresses from dhcp-up0'
}

# The host pid of the grandchild of PID 1 (a service under its sandbox's
# reaper) named COMM.
helper_pid() {
	local r p p1
	p1=$(host_pid1)
	for r in $(cat /proc/"$p1"/task/*/children); do
		for p in $(cat /proc/"$r"/task/*/children 2>/dev/null); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" != "$1" ] || echo "$p"
		done
	done
}

teardown() {
	local rc=0
	# (a PID 1 that hangs at poweroff fails the test: clean up all the same)
	host_stop || rc=1
	[ -z "${DNSMASQ:-}" ] || kill "$DNSMASQ" 2>/dev/null || true
	[ -z "${DHCPBAD:-}" ] || kill "$DHCPBAD" 2>/dev/null || true
	[ -z "${OUTSIDE:-}" ] || kill "$OUTSIDE" 2>/dev/null || true
	[ -z "${DNSMASQ2:-}" ] || kill "$DNSMASQ2" 2>/dev/null || true
	[ -z "${OUTSIDE2:-}" ] || kill "$OUTSIDE2" 2>/dev/null || true
	# (word splitting: FAR is a list of pids)
	[ -z "${FAR:-}" ] || kill $FAR 2>/dev/null || true
	[ -z "${R:-}" ] || rm -rf "$R"
	wait 2>/dev/null || true
	return "$rc"
}

@test "interface dhcp: dnsmasq's lease arrives on a link that appears later, and is renewed" {
	f=$(conf <<-EOF
	interface up0 dhcp
	service look
	  restart always
	  exec /bin/sh -c "cat /etc/resolv.conf; sleep 1"
	EOF
	)
	outside_start
	host_start "$f"
	wait_console '^sandinit: interface up0: not there yet'
	wait_console '^dhcp-up0: waiting for up0'
	# ready without a lease; the count is the config's services alone
	wait_console '^sandinit: ready: 1 services in [0-9]+\.[0-9] ms$'
	uplink_make up0 10.9.0.1/24
	dnsmasq_start
	uplink_move up0
	wait_console '^sandinit: interface up0: up, addresses from dhcp-up0'
	wait_console '^sandinit: interface up0: 10\.9\.0\.(5[0-9]|60)/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease 120 s$' 20
	addr=$(console | sed -n 's/^sandinit: interface up0: \(10\.9\.0\.[0-9]*\)\/24 via.*/\1/p' | head -1)
	# The address with the lease's lifetime, the default route.
	run in1 ip -o -4 addr show up0
	assert_output --regexp "inet $addr/24 .* dynamic up0.*valid_lft (1[01][0-9]|120)sec"
	run in1 ip route show default
	assert_output --regexp '^default via 10\.9\.0\.1 dev up0 proto dhcp'
	# The outside reaches it there.
	run out busybox ping -c 1 -W 5 "$addr"
	assert_success
	# A sandbox's /etc/resolv.conf names the server.
	wait_console '^look: nameserver 10\.9\.0\.53$'
	# The helper: its own sandbox but PID 1's network, started with
	# CAP_NET_RAW and CAP_NET_BIND_SERVICE only (the bounding set), none
	# left once its sockets are open, no_new_privs, the sandbox's seccomp
	# filter and its own tighter one on top, not root.
	run ictl status
	assert_line --regexp '^dhcp-up0 running [0-9]+ 0 -( |$)'
	helper=$(helper_pid dhcp-up0)
	[ -n "$helper" ]
	run cat "/proc/$helper/status"
	assert_line --regexp '^CapBnd:	0000000000002400$'
	assert_line --regexp '^CapEff:	0000000000000000$'
	assert_line --regexp '^CapPrm:	0000000000000000$'
	assert_line --regexp '^CapAmb:	0000000000000000$'
	assert_line --regexp '^NoNewPrivs:	1$'
	assert_line --regexp '^Seccomp:	2$'
	assert_line --regexp '^Seccomp_filters:	2$'
	assert_line --regexp '^Uid:	65534	'
	# Its lease channel keeps records whole: a socket (SOCK_SEQPACKET).
	run readlink "/proc/$helper/fd/3"
	assert_output --regexp '^socket:'
	[ "$(readlink /proc/$helper/ns/net)" = "$(readlink /proc/$(host_pid1)/ns/net)" ]
	[ "$(readlink /proc/$helper/ns/mnt)" != "$(readlink /proc/$(host_pid1)/ns/mnt)" ]
	[ "$(readlink /proc/$helper/ns/pid)" != "$(readlink /proc/$(host_pid1)/ns/pid)" ]
	# Renewal at T1 (60 s): unicast to dnsmasq, which acks it.
	wait_console "^sandinit: interface up0: lease of $addr renewed for 120 s$" 90
	run grep -c "DHCPACK(out0) $addr" "$BATS_TEST_TMPDIR/dnsmasq.log"
	[ "$output" -ge 2 ]
	run in1 ip -o -4 addr show up0
	assert_output --regexp "valid_lft (1[01][0-9]|120)sec"
}

@test "interface static: address and gateway on a link that appears later" {
	f=$(conf <<-EOF
	interface up0 10.9.0.2/24 10.9.0.1
	service idle
	  exec /bin/sleep 1000
	EOF
	)
	outside_start
	host_start "$f"
	wait_console '^sandinit: interface up0: not there yet'
	run in1 ip -o -4 addr show
	refute_output --partial 10.9.0.2
	uplink up0 10.9.0.1/24
	wait_console '^sandinit: interface up0: 10\.9\.0\.2/24 via 10\.9\.0\.1$'
	run in1 ip -o -4 addr show up0
	assert_output --regexp 'inet 10\.9\.0\.2/24 .* up0'
	run in1 ip route show default
	assert_output --regexp '^default via 10\.9\.0\.1 dev up0 proto static'
	run out busybox ping -c 1 -W 5 10.9.0.2
	assert_success
	# Gone and back (a USB adapter unplugged and plugged in): configured again.
	in1 ip link set up0 netns "$OUTSIDE"
	out ip link set up0 netns "$(host_pid1)"
	retry 10 bash -c "[ \$(grep -c '^sandinit: interface up0: 10.9.0.2/24' '$BATS_TEST_TMPDIR/console.log') = 2 ]"
	run in1 ip -o -4 addr show up0
	assert_output --regexp 'inet 10\.9\.0\.2/24'
	# PID 1 is fine, and no helper for a static interface.
	run ictl status
	assert_success
	refute_output --partial dhcp-
}

@test "interface static on a link that is there at boot; a reload takes it away" {
	f=$(conf <<-EOF
	interface lo 10.10.10.10/32
	service idle
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: interface lo: 10\.10\.10\.10/32$'
	run in1 ip -o -4 addr show lo
	assert_output --partial 'inet 10.10.10.10/32'
	cat >"$f" <<-EOF
	service idle
	  exec /bin/sleep 1000
	EOF
	ictl reload
	run in1 ip -o -4 addr show lo
	refute_output --partial '10.10.10.10'
	assert_output --partial '127.0.0.1/8'
}

@test "interface dhcp: a reload without the last uplink takes its lease's DNS servers out of resolv.conf" {
	dhcp_boot dnsmasq </dev/null
	wait_console '^sandinit: interface up0: 10\.9\.0\.[0-9]+/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease 120 s$' 20
	run ictl exec idle /bin/cat /etc/resolv.conf
	assert_line 'nameserver 10.9.0.53'
	cat >"$BATS_TEST_TMPDIR/sandinit.conf" <<-EOF
	service idle
	  exec /bin/sleep 1000
	EOF
	ictl reload
	run ictl exec idle /bin/cat /etc/resolv.conf
	assert_success
	refute_output --partial 'nameserver'
}

@test "interface dhcp: an infinite lease is said so, its address kept forever" {
	LEASE=infinite dhcp_boot dnsmasq </dev/null
	wait_console '^dhcp-up0: bound to 10\.9\.0\.[0-9]+/24 router 10\.9\.0\.1 from 10\.9\.0\.1, lease infinite$' 20
	wait_console '^sandinit: interface up0: 10\.9\.0\.[0-9]+/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease infinite$'
	run in1 ip -o -4 addr show up0
	assert_output --regexp 'inet 10\.9\.0\.[0-9]+/24 .*valid_lft forever'
}

# T1 10 s, T2 20 s: the lease of 2 minutes is renewed and rebound soon.
T12=(--dhcp-option=58,10 --dhcp-option=59,20)

@test "interface dhcp: rebound at T2 by another server when its own is gone" {
	dhcp_boot dnsmasq "${T12[@]}" </dev/null
	wait_console '^sandinit: interface up0: 10\.9\.0\.(5[0-9]|60)/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease 120 s$' 20
	bound=$SECONDS
	addr=$(leased)
	wait_console "^dhcp-up0: bound to $addr/24 router 10\.9\.0\.1 from 10\.9\.0\.1, lease 120 s, renewal in 10 s$"
	# The server goes; another one comes up at 10.9.0.2 with its leases.
	dnsmasq_stop
	out ip addr del 10.9.0.1/24 dev out0
	out ip addr add 10.9.0.2/24 dev out0
	dnsmasq_start "${T12[@]}"
	# Renewing at T1 asks 10.9.0.1 (no answer); rebinding at T2 asks anyone.
	wait_console "^dhcp-up0: renewed $addr/24 router 10\.9\.0\.1 from 10\.9\.0\.2, lease 120 s" 60
	took=$((SECONDS - bound))
	[ "$took" -ge 17 ]
	[ "$took" -le 50 ]
	run grep -c "DHCPACK(out0) $addr" "$BATS_TEST_TMPDIR/dnsmasq.log"
	assert_output 1
	run in1 ip -o -4 addr show up0
	assert_output --regexp "inet $addr/24 .*valid_lft (1[01][0-9]|120)sec"
	# The next renewal goes to the new server (unicast, at T1).
	wait_console "^dhcp-up0: renewed $addr/24 router 10\.9\.0\.1 from 10\.9\.0\.2, lease 120 s" 60
	retry 30 bash -c "[ \$(grep -c 'DHCPACK(out0) $addr' '$BATS_TEST_TMPDIR/dnsmasq.log') -ge 2 ]"
}

@test "interface dhcp: the address and route go at the lease's end when the server is gone, and come back with a server" {
	dhcp_boot dnsmasq "${T12[@]}" </dev/null
	wait_console '^sandinit: interface up0: 10\.9\.0\.(5[0-9]|60)/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease 120 s$' 20
	bound=$SECONDS
	addr=$(leased)
	resolv=/proc/$(host_pid1)/root/run/sandinit/resolv.conf
	run cat "$resolv"
	assert_line 'nameserver 10.9.0.53'
	run in1 ip route show default
	assert_output --regexp '^default via 10\.9\.0\.1 dev up0 proto dhcp'
	dnsmasq_stop
	wait_console "^dhcp-up0: lease of $addr expired: address removed$" 150
	took=$((SECONDS - bound))
	[ "$took" -ge 110 ]
	[ "$took" -le 135 ]
	wait_console "^sandinit: interface up0: lease of $addr ended: address removed$"
	run in1 ip -o -4 addr show up0
	assert_success
	refute_output --partial "$addr"
	run in1 ip route show default
	assert_output ''
	run cat "$resolv"
	refute_output --partial nameserver
	# Tried and retried meanwhile: renewing (unicast), then rebinding.
	run grep -c "^dhcp-up0: lease of $addr expired" "$BATS_TEST_TMPDIR/console.log"
	assert_output 1
	# A server again: discovered again, the lease applied again.
	dnsmasq_start "${T12[@]}"
	retry 30 bash -c "[ \$(grep -Ec '^sandinit: interface up0: 10\.9\.0\.[0-9]+/24 via 10\.9\.0\.1, dns' '$BATS_TEST_TMPDIR/console.log') = 2 ]"
	run in1 ip -o -4 addr show up0
	assert_output --regexp "inet $(leased)/24 "
	run cat "$resolv"
	assert_line 'nameserver 10.9.0.53'
}

@test "interface dhcp: a NAK (dnsmasq restarted with another range, authoritative) restarts discovery" {
	dhcp_boot dnsmasq "${T12[@]}" </dev/null
	wait_console '^sandinit: interface up0: 10\.9\.0\.(5[0-9]|60)/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease 120 s$' 20
	old=$(leased)
	dnsmasq_stop
	RANGE=10.9.0.100,10.9.0.110 dnsmasq_start "${T12[@]}" --dhcp-authoritative
	# At T1 the renewal is refused: the old address goes, a new one comes.
	wait_console "^dhcp-up0: lease of $old refused by a NAK from 10\.9\.0\.1: address removed$" 30
	wait_console "^sandinit: interface up0: lease of $old ended: address removed$"
	wait_console '^sandinit: interface up0: 10\.9\.0\.1(0[0-9]|10)/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease 120 s$' 20
	new=$(leased)
	run grep -c "DHCPNAK(out0) $old" "$BATS_TEST_TMPDIR/dnsmasq.log"
	assert_output 1
	run in1 ip -o -4 addr show up0
	assert_output --partial "inet $new/24 "
	refute_output --partial "inet $old/"
}

@test "interface dhcp: a server that NAKs every request is asked again at a bounded rate" {
	dhcp_boot bad nak </dev/null
	# Back-off 1, 2, 4, 8 s between the restarts: 15 s for five rounds.
	run bad_span DISCOVER 5 60
	assert_success
	[ "$output" -ge 12000 ]
	[ "$output" -le 40000 ]
	wait_console '^dhcp-up0: refused by a NAK from 10\.9\.0\.1$'
	wait_console '^dhcp-up0: discovering again in 8 s$'
	run ictl status
	assert_line --regexp '^dhcp-up0 running '
}

@test "interface dhcp: a lease for 0 s is not taken, and asked again at a bounded rate" {
	dhcp_boot bad zero </dev/null
	run bad_span DISCOVER 5 60
	assert_success
	[ "$output" -ge 12000 ]
	[ "$output" -le 40000 ]
	wait_console '^dhcp-up0: unusable \(0 s from 10\.9\.0\.1\)$'
	run console
	refute_output --partial 'interface up0: 10.9.0.77'
	run in1 ip -o -4 addr show up0
	refute_output --partial 10.9.0.77
}

@test "interface dhcp: a server that NAKs every request without naming itself is asked again at a bounded rate" {
	# (QEMU's user-mode DHCP server sends such NAKs)
	dhcp_boot bad nak-noid </dev/null
	run bad_span DISCOVER 5 60
	assert_success
	[ "$output" -ge 12000 ]
	[ "$output" -le 40000 ]
	wait_console '^dhcp-up0: offer of 10\.9\.0\.77 from 10\.9\.0\.1$'
	wait_console '^dhcp-up0: refused by a NAK$'
	wait_console '^dhcp-up0: discovering again in 8 s$'
}

# (the lines of PID 1 about up0's leases)
lease_lines() { grep -c '^sandinit: interface up0: \(lease of\|10\.9\.0\.\)' "$BATS_TEST_TMPDIR/console.log"; }

@test "interface dhcp: a server that leases for 1 s, another address each time, is renewed every 10 s, and PID 1 logs 6 lines, then one a minute" {
	dhcp_boot bad flap </dev/null
	# A floor of 20 s (T1 10 s), said with what the server gave.
	wait_console '^dhcp-up0: bound to 10\.9\.0\.78/24 router none from 10\.9\.0\.1, lease 20 s \(1 s given\), renewal in 10 s$' 20
	run in1 ip -o -4 addr show up0
	assert_output --regexp 'inet 10\.9\.0\.78/24 .*valid_lft ([0-9]|1[0-9]|20)sec'
	# Requests 10 s apart: the first and four renewals in about 40 s.
	run bad_span REQUEST 5 60
	assert_success
	[ "$output" -ge 38000 ]
	# Every lease applied all the same, but not every one logged.
	retry 10 bash -c "nsenter --net=/proc/$(host_pid1)/ns/net ip -o -4 addr show up0 | grep -Eq 'inet 10\.9\.0\.8[2-4]/24 '"
	run lease_lines
	assert_output 6
	# A minute after the first line, one more, saying what it held back.
	wait_console '^sandinit: interface up0: [0-9]+ lease lines not shown$' 40
	run ictl status
	assert_line --regexp '^dhcp-up0 running '
}

@test "interface dhcp: a lease that overlaps a bridge is not applied" {
	dhcp_boot dnsmasq "${T12[@]}" <<-EOF
	bridge br0 10.9.0.129/25
	EOF
	wait_console '^sandinit: interface up0: lease of 10\.9\.0\.(5[0-9]|60)/24 overlaps bridge br0 \(10\.9\.0\.129/25\): not applied$' 20
	run in1 ip -o -4 addr show up0
	assert_success
	refute_output --partial 'inet 10.9.0.'
	run in1 ip route show default
	assert_output ''
	# Control: with the bridge elsewhere, the lease asked for again (the
	# helper restarted: renewals of an address not taken go unanswered,
	# the server's unicast reply finds no one there) is applied.
	sed -i 's|10\.9\.0\.129/25|10.19.0.1/24|' "$BATS_TEST_TMPDIR/sandinit.conf"
	ictl reload
	ictl restart dhcp-up0
	wait_console '^sandinit: interface up0: 10\.9\.0\.(5[0-9]|60)/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease 120 s$' 30
	run in1 ip -o -4 addr show up0
	assert_output --regexp 'inet 10\.9\.0\.(5[0-9]|60)/24 '
}

@test "interface dhcp: a lease wider than a /8 is not applied" {
	MASK=254.0.0.0 dhcp_boot dnsmasq </dev/null
	wait_console '^dhcp-up0: bound to 10\.9\.0\.(5[0-9]|60)/7 router 10\.9\.0\.1 from 10\.9\.0\.1' 20
	wait_console '^sandinit: interface up0: lease of 10\.9\.0\.(5[0-9]|60)/7: wider than /8: not applied$'
	run in1 ip -o -4 addr show up0
	assert_success
	refute_output --partial 'inet 10.'
	run in1 ip route show default
	assert_output ''
}

bare_running() { status_of bare | grep -q '^bare running '; }

@test "interface dhcp: a root DIR without /etc/resolv.conf sees PID 1's, its own files unchanged" {
	R=$(mktemp -d /tmp/sandinit-uplink.XXXXXX)
	chmod 755 "$R"
	mkdir "$R/bin"
	cp "$PROBE" "$R/bin/probe"
	dhcp_boot dnsmasq <<-EOF
	service bare
	  root $R
	  exec /bin/probe sleep 1000
	EOF
	wait_console '^sandinit: interface up0: 10\.9\.0\.(5[0-9]|60)/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease 120 s$' 30
	# a start after the lease gets the resolv.conf
	ictl restart bare
	retry 20 bare_running
	run ictl exec bare /bin/probe ls /etc
	assert_output 'ls: resolv.conf'
	pid=$(helper_pid probe)
	[ -n "$pid" ]
	run cat "/proc/$pid/root/etc/resolv.conf"
	assert_output --partial 'nameserver 10.9.0.53'
	run ls "$R"
	assert_output 'bin'
}

# A second outside (OUTSIDE2, out1: 10.8.0.1/24, its own dnsmasq: router
# 10.8.0.1) for up1.
out2() { nsenter --net="/proc/$OUTSIDE2/ns/net" "$@"; }
outside2_made() { [ "$(readlink /proc/$OUTSIDE2/ns/net)" != "$(readlink /proc/self/ns/net)" ]; }
outside2_start() {
	unshare --net sleep 1000 &
	OUTSIDE2=$!
	retry 30 outside2_made
	out2 ip link add up1 type veth peer name out1
	out2 ip addr add 10.8.0.1/24 dev out1
	out2 ip link set out1 up
	local log=$BATS_TEST_TMPDIR/dnsmasq2.log
	nsenter --net="/proc/$OUTSIDE2/ns/net" dnsmasq -k --conf-file=/dev/null --port=0 --interface=out1 --bind-interfaces \
		--dhcp-range=10.8.0.50,10.8.0.60,255.255.255.0,2m \
		--dhcp-option=3,10.8.0.1 --dhcp-option=6,10.8.0.53 \
		--dhcp-leasefile="$BATS_TEST_TMPDIR/leases2" --log-dhcp \
		--log-facility="$log" --no-ping --user=root --pid-file= &
	DNSMASQ2=$!
	retry 10 grep -qs 'DHCP, sockets bound' "$log"
}

# Each outside has 192.0.2.1 beyond its router, where a server says which
# outside it is and whom it sees.
far_server() {
	"$1" ip link set lo up
	"$1" ip addr add 192.0.2.1/32 dev lo
	# ($1: out or out2, shell functions: nsenter runs socat itself)
	nsenter --net="/proc/$2/ns/net" socat TCP-LISTEN:9000,reuseaddr,fork SYSTEM:"echo $1 peer=\$SOCAT_PEERADDR" </dev/null >/dev/null 2>&1 3>&- &
	FAR="${FAR:-} $!"
	retry 5 "$1" bash -c "exec 3<>/dev/tcp/192.0.2.1/9000"
}

@test "interface dhcp: two uplinks keep a default route each, the first preferred; one going leaves the other's; nat goes out of either" {
	f=$(conf <<-EOF
	interface up0 dhcp
	interface up1 dhcp
	bridge br0 10.77.0.1/24
	nat br0
	service cli
	  exec /usr/bin/busybox nc 192.0.2.1 9000
	  net br0
	  restart never
	EOF
	)
	outside_start
	uplink_make up0 10.9.0.1/24
	dnsmasq_start
	outside2_start
	host_start "$f"
	wait_console '^sandinit: ready: '
	# the second's lease first: the order of the leases does not matter
	out2 ip link set up1 netns "$(host_pid1)"
	wait_console '^sandinit: interface up1: 10\.8\.0\.(5[0-9]|60)/24 via 10\.8\.0\.1, dns 10\.8\.0\.53, lease 120 s$' 20
	uplink_move up0
	wait_console '^sandinit: interface up0: 10\.9\.0\.(5[0-9]|60)/24 via 10\.9\.0\.1, dns 10\.9\.0\.53, lease 120 s$' 20
	addr0=$(leased)
	run in1 ip route show default
	assert_line --regexp '^default via 10\.9\.0\.1 dev up0 proto dhcp .*metric 1000 ?$'
	assert_line --regexp '^default via 10\.8\.0\.1 dev up1 proto dhcp .*metric 1001 ?$'
	far_server out "$OUTSIDE"
	far_server out2 "$OUTSIDE2"
	# Out of the first, masqueraded to its lease's address.
	run ictl start cli
	assert_success
	wait_console '^cli: out'
	run console
	assert_line "cli: out peer=$addr0"
	# The first gone: the second's route stays, and nat goes out there.
	in1 ip link set up0 netns "$OUTSIDE"
	retry 10 bash -c "! nsenter --net=/proc/$(host_pid1)/ns/net ip route show default | grep -q up0"
	run in1 ip route show default
	assert_output --regexp '^default via 10\.8\.0\.1 dev up1 proto dhcp .*metric 1001 ?$'
	run ictl start cli
	assert_success
	wait_console '^cli: out2'
	run console
	assert_line --regexp '^cli: out2 peer=10\.8\.0\.(5[0-9]|60)$'
}

# PID 1 with static uplinks d0 (gateway 10.31.0.1) and d1 (10.32.0.1),
# their routes set; the config in $f.
two_gateways() {
	f=$(conf <<-EOF
	interface d0 10.31.0.2/24 10.31.0.1
	interface d1 10.32.0.2/24 10.32.0.1
	service idle
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	# (veths: the kernel has no dummy links; their peers up for a carrier)
	in1 ip link add d0 type veth peer name d0p
	in1 ip link add d1 type veth peer name d1p
	in1 ip link set d0p up
	in1 ip link set d1p up
	wait_console '^sandinit: interface d1: 10\.32\.0\.2/24 via 10\.32\.0\.1$'
	wait_console '^sandinit: interface d0: 10\.31\.0\.2/24 via 10\.31\.0\.1$'
}

@test "interface static: two gateways keep a route each by their lines' order, and a reload that swaps the lines swaps the metrics" {
	two_gateways
	run in1 ip route show default
	assert_line --regexp '^default via 10\.31\.0\.1 dev d0 proto static metric 1000 ?$'
	assert_line --regexp '^default via 10\.32\.0\.1 dev d1 proto static metric 1001 ?$'
	cat >"$f" <<-EOF
	interface d1 10.32.0.2/24 10.32.0.1
	interface d0 10.31.0.2/24 10.31.0.1
	service idle
	  exec /bin/sleep 1000
	EOF
	ictl reload
	run in1 ip route show default
	assert_line --regexp '^default via 10\.32\.0\.1 dev d1 proto static metric 1000 ?$'
	assert_line --regexp '^default via 10\.31\.0\.1 dev d0 proto static metric 1001 ?$'
	[ "${#lines[@]}" = 2 ]
}

# A route that cannot be added at its new metric stays at its old one: the
# line's going must take it from there.
@test "interface static: a gateway's route that a reload cannot move keeps its metric, and goes with its line" {
	two_gateways
	# d1's gateway off its link (another address left): its route stays,
	# and the kernel takes no new one via it
	in1 ip addr add 10.99.0.2/24 dev d1
	in1 ip addr del 10.32.0.2/24 dev d1
	# d0's line removed: d1 would move to metric 1000
	cat >"$f" <<-EOF
	interface d1 10.32.0.2/24 10.32.0.1
	service idle
	  exec /bin/sleep 1000
	EOF
	run -0 ictl reload
	run in1 ip route show default
	assert_line --regexp '^default via 10\.32\.0\.1 dev d1 proto static metric 1001 ?$'
	# d1's line removed: its route goes (no default route is left)
	cat >"$f" <<-EOF
	service idle
	  exec /bin/sleep 1000
	EOF
	run -0 ictl reload
	run -0 in1 ip route show default
	assert_output ''
}
