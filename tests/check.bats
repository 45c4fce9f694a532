#!/usr/bin/env bats
# `sandinit --check FILE`: every problem of a config reported as
# FILE:LINE: message on stderr, exit 0 valid, 1 invalid, 2 usage.

bats_load_library bats-support
bats_load_library bats-assert

SANDINIT=${SANDINIT:-$BATS_TEST_DIRNAME/../out/sandinit}
FULL=$BATS_TEST_DIRNAME/../configs/full.conf

setup() {
	F=$BATS_TEST_TMPDIR/t.conf
}

# The check of $F fails with exactly one problem: LINE MESSAGE.
fails_with() {
	run "$SANDINIT" --check "$F"
	assert_equal "$status" 1
	assert_output "$F:$1: $2"
}

@test "configs/full.conf, with every directive, is valid" {
	run "$SANDINIT" --check "$FULL"
	assert_success
	assert_output ''
}

@test "an empty file and a comments-only file are valid" {
	: > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
	printf '# nothing\n\n   # here\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
}

@test "CRLF line ends, quotes and a last line without newline are fine" {
	printf 'service a\r\n  exec /bin/sh -c "echo \\"hi\\" # not a comment" # a comment\r\n  restart never' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
}

@test "unknown directive" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
frobnicate 3
EOF
	fails_with 3 "unknown directive 'frobnicate'"
}

@test "wrong argument count" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
restart always never
EOF
	fails_with 3 "'restart' takes one argument: always, on-failure or never"
}

@test "bad value" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
memory 12Q
EOF
	fails_with 3 "bad value for 'memory': '12Q' (use a number with K, M or G)"
}

@test "readonly: yes, no or overlay; anything else is a bad value" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
readonly overlay
service b
exec /bin/a
readonly no
EOF
	run "$SANDINIT" --check "$F"
	assert_success
	refute_output
	cat > "$F" <<'EOF'
service a
exec /bin/a
readonly overlayfs
EOF
	fails_with 3 "bad value for 'readonly': 'overlayfs' (use yes, no or overlay)"
}

@test "a limit that cannot be parsed" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
pids lots
EOF
	fails_with 3 "bad value for 'pids': 'lots' (use a number from 1 to 4194304)"
}

@test "global directive after the first service" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
bridge br0 10.0.0.1/24
EOF
	fails_with 3 "global directive 'bridge' after the first service"
}

@test "service directive before the first service" {
	cat > "$F" <<'EOF'
exec /bin/a
service a
exec /bin/a
EOF
	fails_with 1 "service directive 'exec' before the first 'service' line"
}

@test "directive given twice" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
restart never
restart always
EOF
	fails_with 4 "'restart' given twice (first at line 3)"
}

@test "bad service name" {
	cat > "$F" <<'EOF'
service My_Service
exec /bin/a
EOF
	fails_with 1 "bad value for 'service': 'My_Service' (use [a-z0-9][a-z0-9_-]{0,31})"
}

@test "duplicate service names the first line" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
service a
exec /bin/a
EOF
	fails_with 3 "duplicate service 'a' (first at line 1)"
}

@test "missing exec is reported at the service line" {
	cat > "$F" <<'EOF'
service a
restart never
EOF
	fails_with 1 "service 'a' has no 'exec'"
}

@test "exec needs an absolute path" {
	cat > "$F" <<'EOF'
service a
exec sh
EOF
	fails_with 2 "bad value for 'exec': 'sh' (use an absolute path)"
}

@test "after names an unknown service" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
after ghost
EOF
	fails_with 3 "'after' names unknown service 'ghost'"
}

@test "join names an unknown service" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
join ghost
EOF
	fails_with 3 "'join' names unknown service 'ghost'"
}

@test "join of itself" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
join a
EOF
	fails_with 3 "service 'a' cannot join itself"
}

@test "join with net" {
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/24
service a
exec /bin/a
service b
exec /bin/b
join a
net br0
EOF
	fails_with 6 "'join' with 'net': service 'b' shares the network of 'a'"
}

@test "join of a DHCP helper (dhcp-NAME) is an error; after it is fine" {
	cat > "$F" <<'EOF'
interface up0 dhcp
service a
exec /bin/a
join dhcp-up0
EOF
	fails_with 4 "'join' names 'dhcp-up0', the DHCP helper of 'interface up0 dhcp'"
	cat > "$F" <<'EOF'
interface up0 dhcp
service a
exec /bin/a
after dhcp-up0
EOF
	run "$SANDINIT" --check "$F"
	assert_success
}

@test "dependency cycle names its members, through after and join" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
after b
service b
exec /bin/b
after c
service c
exec /bin/c
join a
EOF
	fails_with 9 "dependency cycle: a -> b -> c -> a"
}

@test "net on a bridge that is not declared" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
net br0
EOF
	fails_with 3 "undeclared bridge 'br0'"
}

@test "address outside the bridge's subnet" {
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/24
service a
exec /bin/a
net br0 10.0.1.2/24
EOF
	fails_with 4 "address 10.0.1.2/24 does not match bridge 'br0' subnet 10.0.0.0/24"
}

@test "address of the bridge itself" {
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/24
service a
exec /bin/a
net br0 10.0.0.1
EOF
	fails_with 4 "address 10.0.0.1 is the address of bridge 'br0' itself"
}

@test "address used twice" {
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/24
service a
exec /bin/a
net br0 10.0.0.9
service b
exec /bin/b
net br0 10.0.0.9
EOF
	fails_with 7 "address 10.0.0.9 is already used by service 'a' (line 4)"
}

@test "a bridge too small for its automatic addresses: the first link left without one, what the bridge has and needs" {
	# /30: 2 hosts, one the bridge's own
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/30
service a
net br0
exec /bin/a
service b
net br0
exec /bin/b
EOF
	fails_with 6 "bridge 'br0' 10.0.0.0/30 is too small: 2 'net' links need an automatic address, it has 1; 'b' gets none"
	# the control: one fits
	head -n 4 "$F" > "$BATS_TEST_TMPDIR/one.conf"
	run "$SANDINIT" --check "$BATS_TEST_TMPDIR/one.conf"
	assert_success
	assert_output ''
	# /29: 6 hosts: the bridge's, a static one and 4 automatic ones fill
	# it; a pod member has its leader's address, none of its own; a link
	# to another bridge takes nothing here; two links to one bridge two
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/29
bridge br1 10.0.1.1/24
service a
net br0 10.0.0.6
exec /bin/a
service b
net br0
net br1
exec /bin/b
service c
net br0
exec /bin/c
service pod
join c
exec /bin/p
service d
net br0
net br0
exec /bin/d
EOF
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
	# one more is one too many, named at its line; br1 is not reported
	printf 'service e\nexec /bin/e\nnet br0\n' >> "$F"
	fails_with 22 "bridge 'br0' 10.0.0.0/29 is too small: 5 'net' links need an automatic address, it has 4; 'e' gets none"
}

@test "two services on the same tty" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
tty /dev/ttyS0
service b
exec /bin/b
tty /dev/ttyS0
EOF
	fails_with 6 "tty '/dev/ttyS0' is already used by service 'a' (line 3)"
}

@test "tty DEVICE graphics: a virtual terminal only; configs/kiosk.conf is valid" {
	printf 'service a\nexec /bin/a\ntty /dev/tty1 graphics\nservice b\nexec /bin/b\ntty /dev/tty63 graphics\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
	run "$SANDINIT" --check "$BATS_TEST_DIRNAME/../configs/kiosk.conf"
	assert_success
	assert_output ''
	printf 'service a\nexec /bin/a\ntty /dev/ttyS0 graphics\n' > "$F"
	fails_with 3 "bad value for 'tty': '/dev/ttyS0' (graphics needs a virtual terminal /dev/ttyN, N from 1 to 63)"
	printf 'service a\nexec /bin/a\ntty /dev/tty64 graphics\n' > "$F"
	fails_with 3 "bad value for 'tty': '/dev/tty64' (graphics needs a virtual terminal /dev/ttyN, N from 1 to 63)"
	printf 'service a\nexec /bin/a\ntty /dev/tty0 graphics\n' > "$F"
	fails_with 3 "bad value for 'tty': '/dev/tty0' (graphics needs a virtual terminal /dev/ttyN, N from 1 to 63)"
	printf 'service a\nexec /bin/a\ntty /dev/tty1 text\n' > "$F"
	fails_with 3 "bad value for 'tty': 'text' (DEVICE [graphics], e.g. /dev/ttyS0)"
	printf 'service a\nexec /bin/a\ntty /dev/tty1 graphics more\n' > "$F"
	fails_with 3 "'tty' takes one or two arguments: DEVICE [graphics], e.g. /dev/ttyS0"
}

@test "unterminated quote" {
	cat > "$F" <<'EOF'
service a
exec /bin/a "unfinished
EOF
	fails_with 2 "unterminated quote"
}

@test "uidmap never maps host root" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
uidmap 0 65536
EOF
	fails_with 3 "bad value for 'uidmap': '0' (use a number from 1 to 4294967294)"
}

@test "uidmap ranges that overlap another are an error naming both lines" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
uidmap 200000 1000
service b
exec /bin/b
uidmap 200999 10
EOF
	fails_with 6 "'uidmap' 200999..201008 overlaps the 'uidmap' range of service 'a' (line 3)"
	# one that overlaps an automatic range names that service's line
	cat > "$F" <<'EOF'
service a
exec /bin/a
service b
exec /bin/b
uidmap 1 4294967294
EOF
	fails_with 5 "'uidmap' 1..4294967294 overlaps the automatic range of service 'a' (line 1)"
	# adjacent ranges are fine
	cat > "$F" <<'EOF'
service a
exec /bin/a
uidmap 200000 1000
service b
exec /bin/b
uidmap 201000 10
EOF
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
}

@test "unknown capability and signal" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
caps chown cap_fly
stop-signal SIGNOPE
EOF
	run "$SANDINIT" --check "$F"
	assert_equal "$status" 1
	assert_line --index 0 "$F:3: bad value for 'caps': 'cap_fly' (a list of capabilities such as net_bind_service or CAP_CHOWN, or none)"
	assert_line --index 1 "$F:4: bad value for 'stop-signal': 'SIGNOPE' (use a signal name such as TERM or SIGINT, or a number)"
}

@test "env must be KEY=VALUE" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
env JUSTAKEY
EOF
	fails_with 3 "bad value for 'env': 'JUSTAKEY' (KEY=VALUE, KEY of letters, digits and '_')"
}

@test "every problem of a file is reported in one run, sorted by line" {
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/24
service a
after b
memory 1X
service b
exec /bin/b
after a
net br9
bogus
rescue /bin/sh
tty /dev/tty1
service c
exec /bin/c
tty /dev/tty1
EOF
	run "$SANDINIT" --check "$F"
	assert_equal "$status" 1
	assert_equal "${#lines[@]}" 7
	assert_line --index 0 "$F:2: service 'a' has no 'exec'"
	assert_line --index 1 "$F:4: bad value for 'memory': '1X' (use a number with K, M or G)"
	assert_line --index 2 "$F:7: dependency cycle: a -> b -> a"
	assert_line --index 3 "$F:8: undeclared bridge 'br9'"
	assert_line --index 4 "$F:9: unknown directive 'bogus'"
	assert_line --index 5 "$F:10: global directive 'rescue' after the first service"
	assert_line --index 6 "$F:14: tty '/dev/tty1' is already used by service 'b' (line 11)"
}

@test "a line of 4096 bytes is fine, 4097 is an error and the next line is still read" {
	{ printf 'service a\nexec /bin/a\nenv X='; head -c $((4096 - 6)) /dev/zero | tr '\0' x; printf '\n'; } > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	{ printf 'service a\nexec /bin/a\nenv X='; head -c $((4097 - 6)) /dev/zero | tr '\0' x; printf '\nbogus\n'; } > "$F"
	run "$SANDINIT" --check "$F"
	assert_equal "$status" 1
	assert_line --index 0 "$F:3: line longer than 4096 bytes"
	assert_line --index 1 "$F:4: unknown directive 'bogus'"
}

@test "a file over 1 MiB is an error, not a crash" {
	{ printf 'service a\nexec /bin/a\n'; head -c $((1024 * 1024)) /dev/zero | tr '\0' '#'; } > "$F"
	run "$SANDINIT" --check "$F"
	assert_equal "$status" 1
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^$F:1: file larger than "
}

@test "256 services are fine, the 257th is an error" {
	for i in $(seq 1 256); do printf 'service s%d\nexec /bin/x\n' "$i"; done > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	printf 'service s257\nexec /bin/x\n' >> "$F"
	run "$SANDINIT" --check "$F"
	assert_equal "$status" 1
	assert_output "$F:513: too many 'service' lines: the limit is 256"
}

@test "a NUL byte is an error, not a crash" {
	printf 'service a\nexec /bin/a\nenv A=\0b\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_equal "$status" 1
	assert_output "$F:3: a NUL byte in the line"
}

@test "a missing file: exit 1 with a message" {
	run "$SANDINIT" --check "$BATS_TEST_TMPDIR/nope.conf"
	assert_equal "$status" 1
	assert_output --partial "nope.conf"
	assert_output --partial "No such file"
}

@test "--check without a file is a usage error" {
	run "$SANDINIT" --check
	assert_equal "$status" 2
}

@test "publish without net" {
	cat > "$F" <<'EOF'
service a
exec /bin/a
publish 8080:80
EOF
	fails_with 3 "'publish' needs 'net': service 'a' has none"
}

@test "a host port and protocol published twice names both lines" {
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/24
service a
exec /bin/a
net br0
publish 8080:80
publish 53:53/udp
service b
exec /bin/b
net br0
publish 53:53
publish 10.0.0.1:8080:81
EOF
	fails_with 11 "host port 10.0.0.1:8080/tcp is already published by service 'a' (line 5)"
}

@test "publish: a port out of range, a bad protocol, a multicast address" {
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/24
service a
exec /bin/a
net br0
publish 8080:65536
publish 0:80
publish 80:80/sctp
publish 224.0.0.1:80:80
publish 8080
EOF
	run "$SANDINIT" --check "$F"
	assert_equal "$status" 1
	assert_line "$F:5: bad value for 'publish': '8080:65536' (ports are numbers from 1 to 65535)"
	assert_line "$F:6: bad value for 'publish': '0:80' (ports are numbers from 1 to 65535)"
	assert_line "$F:7: bad value for 'publish': '80:80/sctp' (the protocol is /tcp or /udp)"
	assert_line "$F:8: bad value for 'publish': '224.0.0.1:80:80' (ADDR cannot be a multicast or reserved address)"
	assert_line "$F:9: bad value for 'publish': '8080' ([ADDR:]HOSTPORT:PORT[/tcp|/udp], e.g. 8080:80)"
}

@test "publish: a loopback ADDR is the appliance's own" {
	cat > "$F" <<'EOF'
bridge br0 10.0.0.1/24
service a
exec /bin/a
net br0
publish 127.0.0.1:8080:80
publish 127.0.0.2:8080:80/udp
EOF
	run "$SANDINIT" --check "$F"
	assert_success
	refute_output --partial "bad value"
}

@test "nat naming an undeclared bridge, or given twice" {
	cat > "$F" <<'EOF'
nat br0
bridge br0 10.0.0.1/24
nat br9
nat br0
EOF
	run "$SANDINIT" --check "$F"
	assert_equal "$status" 1
	assert_output "$F:3: 'nat' names undeclared bridge 'br9'
$F:4: 'nat br0' given twice (first at line 1)"
}

@test "interface: a bad address, a gateway outside its subnet, a duplicate, dhcp with a gateway" {
	printf 'interface eth0 10.0.0.300/24\n' > "$F"
	fails_with 1 "bad value for 'interface': '10.0.0.300/24' (use dhcp, or an IPv4 address and a prefix, e.g. 192.168.1.10/24)"
	printf 'interface eth0 10.0.0.0/24\n' > "$F"
	fails_with 1 "bad value for 'interface': '10.0.0.0/24' (that is the network or broadcast address)"
	printf 'interface eth0 10.0.0.2/24 10.0.1.1\n' > "$F"
	fails_with 1 "gateway 10.0.1.1 of interface 'eth0' is not another address of its subnet 10.0.0.0/24"
	printf 'interface eth0 10.0.0.2/24 10.0.0.2\n' > "$F"
	fails_with 1 "gateway 10.0.0.2 of interface 'eth0' is not another address of its subnet 10.0.0.0/24"
	printf 'interface eth0 10.0.0.2/24 gw\n' > "$F"
	fails_with 1 "bad value for 'interface': 'gw' (use an IPv4 address, e.g. 192.168.1.1)"
	printf 'interface eth0 dhcp\ninterface eth0 10.0.0.2/24\n' > "$F"
	fails_with 2 "duplicate interface 'eth0' (first at line 1)"
	printf 'interface eth0 dhcp 10.0.0.1\n' > "$F"
	fails_with 1 "'interface eth0 dhcp' takes no gateway"
	printf 'interface eth0\n' > "$F"
	fails_with 1 "'interface' takes two or three arguments: NAME CIDR [GATEWAY], or NAME dhcp"
	# Valid: a gateway inside, dhcp, a /32 without a gateway.
	printf 'interface eth0 10.0.0.2/24 10.0.0.1\ninterface eth1 dhcp\ninterface lo 10.1.1.1/32\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
}

@test "interface dhcp needs the service name dhcp-NAME" {
	printf 'interface eth0 dhcp\nservice dhcp-eth0\n  exec /bin/true\n' > "$F"
	fails_with 1 "'interface eth0 dhcp' needs the service name 'dhcp-eth0', taken at line 2"
	# A service may come after the helper.
	printf 'interface eth0 dhcp\nservice web\n  after dhcp-eth0\n  exec /bin/true\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
}

@test "the service name kernel is reserved (initctl log kernel); sandinit and syslog are a service's" {
	printf 'service web\n  exec /bin/true\nservice kernel\n  exec /bin/true\n' > "$F"
	fails_with 3 "service name 'kernel' is reserved"
	# SPEC's NAME grammar: PID 1's own rings' names are a service's too
	printf 'service sandinit\n  exec /bin/true\nservice syslog\n  exec /bin/true\nservice kernels\n  exec /bin/true\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
}

@test "tmpfs: DST [SIZE] [MODE], the mode octal" {
	cat > "$F" <<'EOF2'
service a
exec /bin/a
tmpfs /run/sshd 1M 0700
tmpfs /srv 8M 1777
tmpfs /var/cache
EOF2
	run "$SANDINIT" --check "$F"
	assert_success
	cat > "$F" <<'EOF2'
service a
exec /bin/a
tmpfs /x 1M 0800
EOF2
	fails_with 3 "bad value for 'tmpfs': '0800' (use an octal mode such as 0755 or 1777)"
	cat > "$F" <<'EOF2'
service a
exec /bin/a
tmpfs /x 1M 17777
EOF2
	fails_with 3 "bad value for 'tmpfs': '17777' (use an octal mode such as 0755 or 1777)"
	cat > "$F" <<'EOF2'
service a
exec /bin/a
tmpfs /x 1M 0755 extra
EOF2
	fails_with 3 "'tmpfs' takes one to three arguments: DST [SIZE] [MODE]"
}

@test "interface: not a bridge, not on a bridge's subnet, its gateway not the network address" {
	printf 'bridge br0 10.88.0.1/24\ninterface eth0 10.88.0.2/24\n' > "$F"
	fails_with 2 "interface 'eth0' subnet 10.88.0.0/24 overlaps bridge 'br0' (line 1)"
	printf 'interface eth0 10.0.0.2/8\nbridge br0 10.88.0.1/24\n' > "$F"
	fails_with 1 "interface 'eth0' subnet 10.0.0.0/8 overlaps bridge 'br0' (line 2)"
	printf 'bridge br0 10.88.0.1/24\ninterface br0 dhcp\n' > "$F"
	fails_with 2 "interface 'br0' is also a bridge (line 1)"
	printf 'interface eth0 10.0.0.2/24 10.0.0.0\n' > "$F"
	fails_with 1 "gateway 10.0.0.0 of interface 'eth0' is the network or broadcast address of its subnet 10.0.0.0/24"
	printf 'interface eth0 10.0.0.2/24 10.0.0.255\n' > "$F"
	fails_with 1 "gateway 10.0.0.255 of interface 'eth0' is the network or broadcast address of its subnet 10.0.0.0/24"
	# the positive control: another subnet, a dhcp uplink beside a bridge
	printf 'bridge br0 10.88.0.1/24\ninterface eth0 10.89.0.2/24 10.89.0.1\ninterface eth1 dhcp\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
}

@test "bridge: a name no bridge can have (lo, all, default, too long, '/', '.', blanks, an uplink's)" {
	hint="use up to 15 letters, digits, '_', '.' and '-', not all or default"
	printf 'bridge lo 10.88.0.1/24\n' > "$F"
	fails_with 1 "bad value for 'bridge': 'lo' (the loopback device is never a bridge)"
	printf 'bridge all 10.88.0.1/24\n' > "$F"
	fails_with 1 "bad value for 'bridge': 'all' ($hint)"
	printf 'bridge default 10.88.0.1/24\n' > "$F"
	fails_with 1 "bad value for 'bridge': 'default' ($hint)"
	printf 'interface all dhcp\n' > "$F"
	fails_with 1 "bad value for 'interface': 'all' ($hint)"
	printf 'bridge abcdefghijklmnop 10.88.0.1/24\n' > "$F"
	fails_with 1 "bad value for 'bridge': 'abcdefghijklmnop' ($hint)"
	for bad in br/0 . .. 'br 0' "$(printf 'br\t0')"; do
		printf 'bridge "%s" 10.88.0.1/24\n' "$bad" > "$F"
		run "$SANDINIT" --check "$F"
		assert_equal "$status" 1
		assert_output --partial "$F:1: bad value for 'bridge': "
	done
	printf 'interface eth0 dhcp\nbridge eth0 10.88.0.1/24\n' > "$F"
	fails_with 1 "interface 'eth0' is also a bridge (line 2)"
	printf 'nat lo\n' > "$F"
	fails_with 1 "'nat' names undeclared bridge 'lo'"
	# the positive control: 15 characters of every kind allowed, lo an uplink
	printf 'bridge br-0.x_abcdefgh 10.88.0.1/24\nnat br-0.x_abcdefgh\ninterface lo 10.1.1.1/32\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
}

@test "a sandbox directive needs the mount namespace 'namespaces' leaves out" {
	printf 'service a\n  exec /bin/a\n  namespaces user pid net\n  bind /etc /x\n' > "$F"
	fails_with 4 "'bind' needs a mount namespace, which 'namespaces' leaves out"
	printf 'service a\n  exec /bin/a\n  namespaces none\n  readonly overlay\n' > "$F"
	fails_with 4 "'readonly' needs a mount namespace, which 'namespaces' leaves out"
	printf 'service a\n  exec /bin/a\n  namespaces none\n  readonly yes\n' > "$F"
	fails_with 4 "'readonly' needs a mount namespace, which 'namespaces' leaves out"
	printf 'service a\n  exec /bin/a\n  namespaces pid\n  tmpfs /x 1M\n' > "$F"
	fails_with 4 "'tmpfs' needs a mount namespace, which 'namespaces' leaves out"
	printf 'service a\n  exec /bin/a\n  root /srv\n  namespaces none\n' > "$F"
	fails_with 3 "'root' needs a mount namespace, which 'namespaces' leaves out"
	printf 'service a\n  exec /bin/a\n  namespaces none\n  proc pid-only\n' > "$F"
	fails_with 4 "'proc' needs a mount namespace, which 'namespaces' leaves out"
	# the positive controls: the defaults (written or not), and with a mount namespace
	printf 'service a\n  exec /bin/a\n  namespaces none\n  readonly no\n  syslog yes\n  device /dev/fuse\nservice b\n  exec /bin/b\n  namespaces none\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
	printf 'service a\n  exec /bin/a\n  namespaces user pid mount\n  bind /etc /x\n  readonly overlay\n  tmpfs /y 0700\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
}

@test "tmpfs: a lone value starting with 0 is a MODE" {
	printf 'service a\n  exec /bin/a\n  tmpfs /x 0800\n' > "$F"
	fails_with 3 "bad value for 'tmpfs': '0800' (use an octal mode such as 0755 or 1777)"
	printf 'service a\n  exec /bin/a\n  tmpfs /x 0700\n  tmpfs /y 700\n' > "$F"
	run "$SANDINIT" --check "$F"
	assert_success
	assert_output ''
}
