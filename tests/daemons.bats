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

# The SSH identification line (RFC 4253 4.2) of the server at $1 port 22,
# as a client on the bridge reads it first: ssh-keyscan prints it as a
# comment (`# HOST:22 SSH-2.0-...`) before the keys it was offered.
keyscan() { on_bridge ssh-keyscan -T 10 -t ed25519 "$1" 2>&1; }

# Wait (30 s at most) until the server at $1 offers a host key.
ssh_up() {
	if ! retry 30 bash -c "nsenter --net=/proc/$(host_pid1)/ns/net ssh-keyscan -T 5 -t ed25519 $1 2>&1 | grep -q '^$1 ssh-ed25519 '"; then
		console >&2
		return 1
	fi
}

@test "dropbear makes its host keys in tmpfs /etc/dropbear, which the host lacks, and answers from the bridge" {
	command -v dropbear
	# the mount point is made for the sandbox alone: the host has none
	# before (or the test proves nothing) and none after
	[ ! -e /etc/dropbear ]
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service ssh
	  net br0 10.77.0.2
	  tmpfs /etc/dropbear
	  exec /usr/sbin/dropbear -R -F -E -p 22
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	ssh_up 10.77.0.2
	run keyscan 10.77.0.2
	assert_line --regexp '^# 10\.77\.0\.2:22 SSH-2\.0-dropbear'
	assert_line --regexp '^10\.77\.0\.2 ssh-ed25519 '
	# -R wrote the key it offered into its own tmpfs, 0755 as SPEC says
	run ictl exec ssh /bin/stat -c '%n %a %u' /etc/dropbear /etc/dropbear/dropbear_ed25519_host_key
	assert_line '/etc/dropbear 755 0'
	assert_line --regexp '^/etc/dropbear/dropbear_ed25519_host_key 600 0$'
	# the rest of /etc is the root's, read-only as before
	run ictl exec ssh /bin/cat /etc/hostname
	assert_output "$(cat /etc/hostname)"
	run ictl exec ssh "$P" try-write /etc/sandinit-probe
	assert_output --regexp '^denied: E(ROFS|ACCES|PERM)$'
	run status_of ssh
	assert_output --regexp '^ssh running [0-9]+ 0 '
	run console
	refute_output --partial 'unable to'
	host_stop
	run test -e /etc/dropbear
	assert_failure
}

@test "dropbear takes a key login as root with authorized_keys bound into /root/.ssh, under the host's 0700 /root" {
	command -v dropbear
	pubdir
	ssh-keygen -q -t ed25519 -N '' -C sandinit-test -f "$PUB/id"
	# the key file is the service's root's (uidmap): dropbear wants
	# authorized_keys owned by the user or root
	cp "$PUB/id.pub" "$PUB/authorized_keys"
	chown 300000:300000 "$PUB/authorized_keys"
	chmod 644 "$PUB/authorized_keys"
	run stat -c '%a %u' /root
	assert_output '700 0'
	keys_before=$(ls -d /root/.ssh/authorized_keys 2>&1 || :)
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service ssh
	  net br0 10.77.0.2
	  uidmap 300000 65536
	  tmpfs /etc/dropbear
	  bind $PUB/authorized_keys /root/.ssh/authorized_keys
	  exec /usr/sbin/dropbear -R -F -E -s -p 22
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	ssh_up 10.77.0.2
	run on_bridge ssh -i "$PUB/id" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 root@10.77.0.2 \
		'id -u; cat /proc/self/uid_map; cat /root/.ssh/authorized_keys'
	assert_success
	assert_line '0'
	assert_line --regexp '^ +0 +300000 +65536$'
	assert_line "$(cat "$PUB/id.pub")"
	# control: a key it was not given is refused (-s: no passwords)
	ssh-keygen -q -t ed25519 -N '' -f "$PUB/other"
	run on_bridge ssh -i "$PUB/other" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 root@10.77.0.2 true
	assert_failure
	assert_output --partial 'Permission denied'
	run console
	refute_output --partial 'unable to'
	host_stop
	run ls -d /root/.ssh/authorized_keys
	assert_output "$keys_before"
}

@test "sshd runs with tmpfs /run/sshd and a host key made in /tmp, and serves connection after connection" {
	command -v sshd
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service sshd
	  net br0 10.77.0.2
	  tmpfs /run/sshd
	  exec /bin/sh -c "ssh-keygen -q -t ed25519 -N '' -f /tmp/hostkey && exec /usr/sbin/sshd -D -e -h /tmp/hostkey"
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	ssh_up 10.77.0.2
	key=$(ictl exec sshd /bin/cat /tmp/hostkey.pub | cut -d' ' -f1,2)
	[ -n "$key" ]
	pid=$(status_of sshd | awk '{print $3}')
	# each connection is a privilege-separated child of the same sshd
	# (chrooted into /run/sshd as user sshd), offering the key from /tmp
	for i in 1 2 3 4 5; do
		run keyscan 10.77.0.2
		assert_line --regexp '^# 10\.77\.0\.2:22 SSH-2\.0-OpenSSH_'
		assert_line "10.77.0.2 $key"
	done
	run status_of sshd
	assert_output --regexp "^sshd running $pid 0 "
	run ictl exec sshd /bin/stat -c '%n %a %u' /run/sshd
	assert_output '/run/sshd 755 0'
	run console
	refute_output --partial 'must be owned by root'
	refute_output --partial 'unable to'
}

@test "redis-server serves SET and GET from the bridge and logs through its /dev/log" {
	command -v redis-server
	f=$(conf <<-EOF
	bridge br0 10.77.0.1/24
	service db
	  net br0 10.77.0.2
	  exec /usr/bin/redis-server --bind 0.0.0.0 --port 6379 --protected-mode no --save "" --appendonly no --dir /tmp --syslog-enabled yes --syslog-ident redis --syslog-facility local0
	EOF
	)
	host_start "$f"
	retry 30 bash -c "nsenter --net=/proc/$(host_pid1)/ns/net redis-cli -h 10.77.0.2 ping | grep -q PONG"
	run on_bridge redis-cli -h 10.77.0.2 set appliance sandinit
	assert_output OK
	run on_bridge redis-cli -h 10.77.0.2 get appliance
	assert_output sandinit
	# what it sent to syslog(3) is in its ring, as the daemon's own lines
	retry 20 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl log db | grep -q '^redis\[[0-9]*\]: .*Ready to accept connections'"
	run status_of db
	assert_output --regexp '^db running [0-9]+ 0 10\.77\.0\.2 -$'
}
