#!/usr/bin/env bats
# Host tier: PID 1's crash path (SPEC §4, issue 16 item 8). A fault in
# PID 1 prints one line, `sandinit: fatal signal N`, syncs and reboots;
# under unshare reboot(2) ends the PID namespace's init with SIGHUP, which
# unshare passes on (exit 129). The faults come from the test-only build
# (make out/crash/sandinit), whose `initctl test-crash HOW` faults in PID 1.

bats_require_minimum_version 1.5.0
load lib/host

CRASH=$ROOT/out/crash/sandinit

setup() {
	[ -x "$CRASH" ] || { echo "run 'make out/crash/sandinit' first" >&2; return 1; }
	SANDINIT=$CRASH
}

# HOW SIG: PID 1 faults with HOW and ends by reboot(2) after one line.
crash_with() {
	f=$(conf <<-'EOF'
	service a
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	run ictl test-crash "$1"
	wait_console "^sandinit: fatal signal $2\$"
	gone() { if kill -0 "$HOST_PID" 2>/dev/null; then return 1; fi; }
	retry 10 gone
	rc=0
	wait "$HOST_PID" || rc=$?
	HOST_PID=
	# SIGHUP: reboot(2) with RB_AUTOBOOT in a PID namespace
	assert_equal "$rc" 129
	run grep -c 'fatal signal' "$BATS_TEST_TMPDIR/console.log"
	assert_output 1
}

@test "SIGSEGV in PID 1: one line, then reboot" {
	crash_with segv 11
}

@test "SIGBUS in PID 1: one line, then reboot" {
	crash_with bus 7
}

@test "SIGILL in PID 1: one line, then reboot" {
	crash_with ill 4
}

@test "SIGFPE in PID 1: one line, then reboot" {
	crash_with fpe 8
}

@test "abort() in PID 1: one line, then reboot" {
	crash_with abort 6
}

@test "the release binary has no test-crash command; the test build has" {
	run grep -a -c test-crash "$ROOT/out/sandinit"
	assert_output 0
	run grep -a -c test-crash "$CRASH"
	refute_output 0
	# and the release client refuses it as unknown
	run "$ROOT/out/sandinit" ctl test-crash segv
	assert_equal "$status" 2
}
