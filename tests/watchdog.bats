#!/usr/bin/env bats
# `watchdog DEVICE SECONDS` (issue 5). Host tier: PID 1 pets a fake device
# (a regular file bound at /dev/shm/watchdog in its mount namespace, so every
# byte it writes lands in a file the test reads) every SECONDS/2 and writes
# the magic 'V' last on a clean shutdown. QEMU tier: a real i6300esb that
# powers the machine off unless it is petted.

bats_require_minimum_version 1.5.0
load lib/host
load lib/qemu

# host_start with a fake watchdog device: the file $BATS_TEST_TMPDIR/wd.
wd_start() {
	local conf=$1
	SOCK=$BATS_TEST_TMPDIR/ctl.sock
	: >"$BATS_TEST_TMPDIR/wd"
	unshare --pid --fork --kill-child --mount --uts --ipc --net \
		sh -c 'mount -t tmpfs wd /dev/shm && : >/dev/shm/watchdog &&
			mount --bind "$0" /dev/shm/watchdog && exec "$@"' "$BATS_TEST_TMPDIR/wd" \
		"$SANDINIT" --config "$conf" --socket "$SOCK" \
		>"$BATS_TEST_TMPDIR/console.log" 2>&1 </dev/null &
	HOST_PID=$!
	retry 10 test -S "$SOCK" || { console >&2; return 1; }
}

wd_bytes() { stat -c %s "$BATS_TEST_TMPDIR/wd"; }
wd_bytes_ge() { [ "$(wd_bytes)" -ge "$1" ]; }

teardown() {
	qemu_kill
	host_stop
}

# wd_pets N: the gaps in ms between the next N + 1 pets (bytes written to the
# fake device), one a line, by polling its size every 20 ms; fails if they do
# not come within 3 s each.
wd_pets() {
	local want=$1 last size now t_last=
	last=$(wd_bytes)
	local end=$((SECONDS + 3 * (want + 1)))
	while [ "$want" -gt 0 ]; do
		if [ "$SECONDS" -ge "$end" ]; then echo "wd_pets: no pet in time" >&2; return 1; fi
		size=$(wd_bytes)
		if [ "$size" -ne "$last" ]; then
			now=$(($(date +%s%N) / 1000000))
			if [ "$size" -ne $((last + 1)) ]; then echo "wd_pets: $((size - last)) bytes at once" >&2; return 1; fi
			if [ -n "$t_last" ]; then echo $((now - t_last)); want=$((want - 1)); fi
			t_last=$now last=$size
		fi
		sleep 0.02
	done
}

@test "watchdog: petted every SECONDS/2 from the loop, magic 'V' last on poweroff" {
	local c
	c=$(conf <<-'EOF'
	watchdog /dev/shm/watchdog 2
	service idle
	  namespaces none
	  exec /bin/sleep 1000
	EOF
	)
	wd_start "$c"
	wait_console 'sandinit: ready: 1 services'
	# at open, then once a second (SECONDS/2): each gap about 1000 ms, never
	# near SECONDS (2000 ms, when a real device would fire), nor much early
	run wd_pets 4
	assert_success
	echo "gaps between pets (ms):" $output
	assert_equal "${#lines[@]}" 4
	for g in "${lines[@]}"; do
		[ "$g" -ge 800 ] || fail "a pet only $g ms after the last: not every SECONDS/2"
		[ "$g" -le 1500 ] || fail "a pet $g ms after the last: not every SECONDS/2"
	done
	run cat "$BATS_TEST_TMPDIR/wd"
	assert_output --regexp '^\.{5,}$'
	ictl poweroff
	retry 15 bash -c "! kill -0 $HOST_PID 2>/dev/null"
	run cat "$BATS_TEST_TMPDIR/wd"
	assert_output --regexp '^\.{5,}V$'
	run console
	assert_line 'sandinit: poweroff'
	refute_output --partial 'unable'
}

@test "watchdog: a device that cannot be opened is logged and boot goes on" {
	local c
	c=$(conf <<-'EOF'
	watchdog /dev/no-such-watchdog 10
	service idle
	  namespaces none
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$c"
	wait_console 'sandinit: unable to open the watchdog /dev/no-such-watchdog: No such file'
	wait_console 'sandinit: ready: 1 services'
	run status_of idle
	assert_success
}

@test "watchdog: a reload that adds it opens it; one that removes it closes it with 'V'" {
	local c
	c=$(conf <<-'EOF'
	service idle
	  namespaces none
	  exec /bin/sleep 1000
	EOF
	)
	wd_start "$c"
	wait_console '^sandinit: ready: 1 services'
	assert_equal "$(wd_bytes)" 0
	sed -i '1i watchdog /dev/shm/watchdog 2' "$c"
	run ictl reload
	assert_success
	# petted every second from now on
	retry 5 wd_bytes_ge 3
	run tail -c 1 "$BATS_TEST_TMPDIR/wd"
	assert_output '.'
	sed -i '/^watchdog/d' "$c"
	run ictl reload
	assert_success
	last_is_v() { [ "$(tail -c 1 "$BATS_TEST_TMPDIR/wd")" = V ]; }
	retry 5 last_is_v
	# and no pet after it (the period was 1 s)
	n=$(wd_bytes)
	run ! retry 3 wd_bytes_ge $((n + 1))
	# the service was left alone
	run status_of idle
	assert_output --regexp '^idle running [0-9]+ 0 '
}

@test "qemu: an i6300esb with a 2 s timeout stays quiet while PID 1 pets it, and fires when nobody does" {
	cat >"$BATS_TEST_TMPDIR/wd.conf" <<-'EOF'
	modules i6300esb
	watchdog /dev/watchdog0 2
	service show
	  namespaces none
	  restart never
	  exec /bin/sh -c "cat /sys/class/watchdog/watchdog0/state /sys/class/watchdog/watchdog0/timeout; sleep 8; echo still-alive"
	EOF
	# Unpetted, the board would power off after the timeout (two stages).
	QEMU_EXTRA="-device i6300esb -action watchdog=poweroff"
	qemu_boot "$BATS_TEST_TMPDIR/wd.conf"
	qemu_wait 'sandinit: ready: 1 services' 180
	qemu_wait '^show: active' 30
	qemu_wait '^show: 2$' 10
	qemu_wait '^show: still-alive' 30
	run qemu_log
	refute_output --partial 'unable to open the watchdog'
	qemu_kill
	# The control: the same device given 2 s by toybox's watchdog, which is
	# then killed (no magic close), powers the board off: the quiet above
	# is PID 1's petting, not a dud device.
	cat >"$BATS_TEST_TMPDIR/armed.conf" <<-'EOF'
	modules i6300esb
	service arm
	  namespaces none
	  restart never
	  exec /bin/sh -c "watchdog -F -T 2 -t 1 /dev/watchdog0 & sleep 2; killall -9 watchdog; echo armed; sleep 100"
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/armed.conf"
	qemu_wait '^arm: armed' 60
	qemu_wait_exit 30
}
