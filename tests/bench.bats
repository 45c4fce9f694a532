#!/usr/bin/env bats
# The bench's same-work floor (tests/bench/floor_full.c, SPEC §8
# spawn.floor_full.nN): its sandbox must be the one sandinit makes, or the
# ratio between the two measures something else.
bats_require_minimum_version 1.5.0

load lib/host

FLOOR_FULL=${FLOOR_FULL:-$ROOT/out/bench/floor_full}
SHAPE=$ROOT/tests/bench/shape.sh

# The payload under unshare PID: its child (PID 1 of the namespace), that
# one's child (the sandbox's reaper), that one's child.
payload_of() {
	local p=$1 i
	for i in 1 2 3; do
		p=$(awk '{ print $1 }' "/proc/$p/task/$p/children")
		[ -n "$p" ] || return 1
	done
	echo "$p"
}

floor_gone() { if kill -0 "$FLOOR_PID" 2>/dev/null; then return 1; fi; }

# The payload killed, floor_full reaps it and removes its cgroups; killed
# itself only if it does not end.
floor_stop() {
	local p
	[ -n "${FLOOR_PID:-}" ] || return 0
	if p=$(payload_of "$FLOOR_PID"); then
		kill -KILL "$p"
	fi
	retry 10 floor_gone || kill -KILL "$FLOOR_PID"
	wait "$FLOOR_PID" 2>/dev/null || :
	FLOOR_PID=
}

teardown() {
	floor_stop
	host_stop
	[ -z "${CONF_DIR:-}" ] || rm -rf "$CONF_DIR"
}

@test "floor_full: its sandbox is sandinit's default networked one" {
	local c s f
	# The config outside /tmp, as an appliance's (and the bench's): both
	# hide it as an empty read-only file, and the shapes hold it.
	CONF_DIR=$(mktemp -d "$ROOT/out/bench-conf.XXXXXX")
	c=$CONF_DIR/sandinit.conf
	cat >"$c" <<-EOF
	bridge br0 10.88.0.1/16
	service s1
	  exec /bin/sleep 1000
	  restart never
	  net br0
	EOF
	host_start "$c"
	wait_console '^sandinit: ready: 1 services'
	FLOOR_FULL_HIDE=$c unshare --pid --fork --kill-child --mount-proc --mount --uts --ipc --net \
		"$FLOOR_FULL" 1 /bin/sleep 1000 >"$BATS_TEST_TMPDIR/floor.out" 2>&1 </dev/null &
	FLOOR_PID=$!
	# It prints its figure once every service has exec'd.
	retry 10 test -s "$BATS_TEST_TMPDIR/floor.out"
	run cat "$BATS_TEST_TMPDIR/floor.out"
	assert_output --regexp '^[0-9]+\.[0-9]{3}$'
	s=$(payload_of "$HOST_PID")
	f=$(payload_of "$FLOOR_PID")
	run cat "/proc/$s/comm" "/proc/$f/comm"
	assert_output $'sleep\nsleep'
	"$SHAPE" "$s" >"$BATS_TEST_TMPDIR/sandinit.shape"
	"$SHAPE" "$f" >"$BATS_TEST_TMPDIR/floor.shape"
	# The shape says something: the filter, the caps, the mounts, the link.
	run cat "$BATS_TEST_TMPDIR/floor.shape"
	assert_line $'Seccomp:\t2'
	assert_line $'NoNewPrivs:\t1'
	assert_line $'CapBnd:\t00000000a80425fb'
	assert_line 'ns net own'
	assert_line 'mount /proc rw,nosuid,nodev,noexec,relatime proc rw'
	assert_line 'mount /dev/log rw,nosuid,nodev,noexec,relatime tmpfs rw,size=65536k,uid=BASE,gid=BASE'
	assert_line 'addr eth0 inet 10.88.0.2/16 brd 10.88.255.255'
	assert_line 'route default via 10.88.0.1 dev eth0 '
	assert_line 'fds 0 1 2 '
	assert_line 'umount /proc/sys from inside: refused'
	assert_line 'umount /tmp from inside: refused'
	assert_line --regexp "^mount $c ro,"
	# (the order of mountinfo follows how the namespace was copied, and the
	# payload's pid in PID 1's namespace how many processes came first:
	# neither is the sandbox's shape)
	# The hidden config's tmpfs: sandinit's staging one, floor_full's
	# /dev/shm (it lives in its template, with no staging tmpfs left).
	sed -i "s|^\(mount $c ro,[^ ]* tmpfs rw\),.*|\1,SOURCE|" "$BATS_TEST_TMPDIR/sandinit.shape" "$BATS_TEST_TMPDIR/floor.shape"
	sed -i 's/^\(NS[a-z]*id:\tHOST\t\)[0-9]*/\1N/' "$BATS_TEST_TMPDIR/sandinit.shape" "$BATS_TEST_TMPDIR/floor.shape"
	sort -o "$BATS_TEST_TMPDIR/sandinit.shape" "$BATS_TEST_TMPDIR/sandinit.shape"
	sort -o "$BATS_TEST_TMPDIR/floor.shape" "$BATS_TEST_TMPDIR/floor.shape"
	run diff "$BATS_TEST_TMPDIR/sandinit.shape" "$BATS_TEST_TMPDIR/floor.shape"
	assert_success
}

@test "floor_full: N sandboxes, one figure, each payload's failure counted" {
	run unshare --pid --fork --mount-proc --mount --uts --ipc --net "$FLOOR_FULL" 3
	assert_success
	assert_output --regexp '^[0-9]+\.[0-9]{3}$'
	run unshare --pid --fork --mount-proc --mount --uts --ipc --net "$FLOOR_FULL" 3 /bin/false
	assert_failure
	assert_output --partial 'floor_full: 3 of 3 sandboxes failed'
}
