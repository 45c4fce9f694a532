# Host tier: run the real sandinit as PID 1 in a fresh PID namespace and
# drive it with initctl, as an operator would. Every wait is a bounded poll.
#
#   host_start CONF      start sandinit with CONF; waits for its socket
#   ictl ARGS...         initctl against it
#   status_of NAME       NAME's line of `initctl status` (fails if none)
#   same_netns A B       services A and B share a network namespace
#   console              the console so far (its stdout and stderr)
#   wait_console RE [S]  poll the console for an extended regex (default 10 s)
#   retry S CMD...       run CMD every 0.1 s until it succeeds, at most S s
#   host_stop            poweroff, wait for PID 1 to end; if it won't, kill
#                        it and fail (teardown: the test that made it fails)
# Load with: load lib/host

bats_load_library bats-support
bats_load_library bats-assert

ROOT=$(realpath "$BATS_TEST_DIRNAME/..")
SANDINIT=${SANDINIT:-$ROOT/out/sandinit}

# The probe where every sandbox sees it: a sandbox's /tmp is a tmpfs of its
# own, so a checkout under /tmp (as CI's may be) is hidden inside. /var/tmp
# is on the host's root, which every default sandbox sees read-only. Keyed
# by content, so concurrent runs of different trees do not collide.
probe_home() {
	local sum
	sum=$(sha256sum "$ROOT/out/probe" | cut -c1-16)
	PROBE_HOME=/var/tmp/sandinit-probe-$sum
	if [ ! -x "$PROBE_HOME/probe" ]; then
		mkdir -p "$PROBE_HOME"
		cp "$ROOT/out/probe" "$PROBE_HOME/probe.new"
		mv "$PROBE_HOME/probe.new" "$PROBE_HOME/probe"
	fi
	chmod 755 "$PROBE_HOME" "$PROBE_HOME/probe"
}
probe_home
PROBE=${PROBE:-$PROBE_HOME/probe}

retry() {
	local secs=$1; shift
	local end=$((SECONDS + secs))
	while :; do
		if "$@"; then return 0; fi
		if [ "$SECONDS" -ge "$end" ]; then return 1; fi
		sleep 0.1
	done
}

console() { cat "$BATS_TEST_TMPDIR/console.log" 2>/dev/null; }

wait_console() {
	local re=$1 secs=${2:-10}
	if ! retry "$secs" grep -Eq -- "$re" "$BATS_TEST_TMPDIR/console.log"; then
		echo "timed out after ${secs}s waiting for /$re/ on the console:" >&2
		tail -n 40 "$BATS_TEST_TMPDIR/console.log" >&2
		return 1
	fi
}

ictl() { SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl "$@"; }

# Services A and B are in the same network namespace.
same_netns() {
	local a b
	a=$(ictl exec "$1" /bin/readlink /proc/self/ns/net)
	b=$(ictl exec "$2" /bin/readlink /proc/self/ns/net)
	assert_regex "$a" '^net:\[[0-9]+\]$'
	assert_equal "$a" "$b"
}

status_of() { ictl status | awk -v n="$1" '$1 == n { print; f = 1 } END { exit !f }'; }

host_start() {
	local conf=$1
	SOCK=${SOCK_PATH:-$BATS_TEST_TMPDIR/ctl.sock}
	rm -f "$SOCK"
	# --kill-child: if unshare is killed, so is our PID 1 and its namespace.
	unshare --pid --fork --kill-child --mount --uts --ipc --net \
		"$SANDINIT" --config "$conf" --socket "$SOCK" \
		>"$BATS_TEST_TMPDIR/console.log" 2>&1 </dev/null &
	HOST_PID=$!
	if ! retry 10 test -S "$SOCK"; then
		echo "sandinit did not open its socket:" >&2
		console >&2
		return 1
	fi
}

# without_cap CAP: a wrapper that runs out/sandinit without CAP (setpriv
# drops it from the bounding set, so PID 1, root, never has it); prints its
# path, for SANDINIT=... host_start.
without_cap() {
	local w=$BATS_TEST_TMPDIR/sandinit-no-$1
	printf '#!/bin/sh\nexec setpriv --bounding-set -%s "%s" "$@"\n' "$1" "$ROOT/out/sandinit" >"$w"
	chmod +x "$w"
	echo "$w"
}

# PID 1 of the namespace as the host sees it (the child of unshare).
host_pid1() { cat "/proc/$HOST_PID/task/$HOST_PID/children" 2>/dev/null | awk '{print $1}'; }

host_alive() {
	if [ -z "${HOST_PID:-}" ]; then return 1; fi
	kill -0 "$HOST_PID" 2>/dev/null
}

host_gone() { if kill -0 "$HOST_PID" 2>/dev/null; then return 1; fi; }

# A PID 1 that does not end within 30 s of poweroff fails the test that
# made it (killed, so the next test starts clean).
host_stop() {
	host_alive || return 0
	# (its answer does not matter, PID 1 may be stopping already: its end
	# does; nor may it hang the teardown when PID 1 takes no request)
	timeout 10 env SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl poweroff >/dev/null 2>&1 || :
	if ! retry 30 host_gone; then
		echo "host_stop: PID 1 still runs 30 s after poweroff; killed. Console tail:" >&2
		console | tail -n 20 >&2
		kill -KILL "$HOST_PID"
		wait "$HOST_PID" 2>/dev/null || :
		HOST_PID=
		return 1
	fi
	# (its status is the signal that ended the namespace)
	wait "$HOST_PID" 2>/dev/null || :
	HOST_PID=
}

# Write a config from stdin into the test's directory; prints its path.
conf() {
	local f="$BATS_TEST_TMPDIR/${1:-sandinit}.conf"
	cat >"$f"
	echo "$f"
}

teardown() {
	host_stop
}
