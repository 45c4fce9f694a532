#!/usr/bin/env bats
# Host tier: uplink interfaces (SPEC §3 `interface`, §10). A veth stands in
# for the uplink: made in a network namespace of the test's own ("the
# outside") and moved into PID 1's after PID 1 started, so it appears later;
# Debian's dnsmasq serves DHCP on the outside end.

bats_require_minimum_version 1.5.0
load lib/host

# OUTSIDE: a process holding the outside namespace.
outside_start() {
	unshare --net sleep 1000 &
	OUTSIDE=$!
	retry 30 test "$(readlink /proc/$OUTSIDE/ns/net)" != "$(readlink /proc/self/ns/net)"
}

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

# dnsmasq as the outside's DHCP server: 10.9.0.50-60, router 10.9.0.1,
# DNS 10.9.0.53, a lease of 2 minutes (dnsmasq's shortest).
dnsmasq_start() {
	out dnsmasq -k --conf-file=/dev/null --port=0 --interface=out0 --bind-interfaces \
		--dhcp-range=10.9.0.50,10.9.0.60,255.255.255.0,2m \
		--dhcp-option=3,10.9.0.1 --dhcp-option=6,10.9.0.53 \
		--dhcp-leasefile="$BATS_TEST_TMPDIR/leases" --log-dhcp \
		--log-facility="$BATS_TEST_TMPDIR/dnsmasq.log" --no-ping --user=root --pid-file= &
	DNSMASQ=$!
	retry 10 grep -qs 'DHCP, sockets bound' "$BATS_TEST_TMPDIR/dnsmasq.log"
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
	[ -z "${OUTSIDE:-}" ] || kill "$OUTSIDE" 2>/dev/null || true
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
	# The helper: its own sandbox but PID 1's network, CAP_NET_RAW and
	# CAP_NET_BIND_SERVICE only, no_new_privs, seccomp, not root.
	run ictl status
	assert_line --regexp '^dhcp-up0 running [0-9]+ 0 -( |$)'
	helper=$(helper_pid dhcp-up0)
	[ -n "$helper" ]
	run cat "/proc/$helper/status"
	assert_line --regexp '^CapEff:	0000000000002400$'
	assert_line --regexp '^CapBnd:	0000000000002400$'
	assert_line --regexp '^NoNewPrivs:	1$'
	assert_line --regexp '^Seccomp:	2$'
	assert_line --regexp '^Uid:	65534	'
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
