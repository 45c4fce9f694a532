#!/usr/bin/env bats
# Host tier: Debian's own daemons, unmodified, in default sandboxes (issue 16):
# each drops privileges, needs a mount point the read-only root lacks or a
# private directory of its own, as real daemons do; each is reached from the
# bridge side as a client would.

bats_require_minimum_version 1.5.0

load lib/host

P=${PROBE:-$ROOT/out/probe}

# A directory every uid can traverse, for files bound into sandboxes.
pubdir() {
	PUB=$(mktemp -d /tmp/sandinit-daemons.XXXXXX)
	chmod 755 "$PUB"
}

# CMD... in PID 1's network namespace, where the bridges are.
on_bridge() { nsenter --net="/proc/$(host_pid1)/ns/net" "$@"; }

teardown() {
	host_stop
	if [ -n "${PUB:-}" ]; then
		rm -rf "$PUB"
	fi
}

@test "dnsmasq drops its groups and answers a DNS query from the bridge" {
	command -v dnsmasq
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service dns
	  net br0 10.77.0.2
	  exec /usr/sbin/dnsmasq -k --no-resolv --no-hosts --pid-file= --log-facility=- --address=/probe.lan/10.9.8.7
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	retry 20 bash -c "nsenter --net=/proc/$(host_pid1)/ns/net busybox nslookup -type=a probe.lan 10.77.0.2 >/dev/null"
	run on_bridge busybox nslookup -type=a probe.lan 10.77.0.2
	assert_success
	assert_output --partial 10.9.8.7
	# it is still the same process, which dropped to nobody:dip (no
	# supplementary groups) with setgroups(2) inside its sandbox
	run status_of dns
	assert_output --regexp '^dns running [0-9]+ 0 '
	run ictl exec dns /bin/grep -E '^(Uid|Gid|Groups):' /proc/2/status
	assert_line --regexp '^Uid:[[:space:]]+65534[[:space:]]'
	assert_line --regexp '^Gid:[[:space:]]+30[[:space:]]'
	assert_line --regexp '^Groups:[[:space:]]*$'
	run console
	refute_output --partial 'failed to change'
}

@test "mosquitto drops its groups and relays a message between bridge clients" {
	command -v mosquitto
	pubdir
	printf 'listener 1883 0.0.0.0\nallow_anonymous true\nlog_dest stderr\npersistence false\n' >"$PUB/mosquitto.conf"
	chmod 644 "$PUB/mosquitto.conf"
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service mqtt
	  net br0 10.77.0.2
	  bind $PUB /mnt
	  exec /usr/sbin/mosquitto -c /mnt/mosquitto.conf
	EOF
	)
	host_start "$f"
	wait_console '^mqtt: .*[Oo]pening ipv4 listen socket on port 1883'
	on_bridge timeout 20 mosquitto_sub -h 10.77.0.2 -t sandinit/test -C 1 -W 15 >"$BATS_TEST_TMPDIR/sub.out" &
	sub=$!
	# the subscription is in place once the broker says so
	wait_console '^mqtt: .*New client connected .* as auto-'
	on_bridge mosquitto_pub -h 10.77.0.2 -t sandinit/test -m "hello from the bridge"
	wait "$sub"
	run cat "$BATS_TEST_TMPDIR/sub.out"
	assert_output 'hello from the bridge'
	run status_of mqtt
	assert_output --regexp '^mqtt running [0-9]+ 0 '
	run console
	refute_output --partial 'Error setting groups'
}
