#!/usr/bin/env bats
# QEMU tier: the kiosk (issue 13 items 3 and 4) in one boot of
# configs/kiosk.conf with the board's display (QEMU_DISPLAY=none: no window,
# QEMU's monitor on a unix socket): the demo's picture in QEMU's screendump,
# a key sent by the monitor in its log and on the screen, a crash restarted
# and redrawn, its sandbox opening the devices granted and nothing else, its
# VT switched to and in graphics mode while it runs, in text mode after it
# stops or crashes. What is kernel-specific (the display's modules) is in
# configs/kiosk.conf and board/BOARD/qemu, not here.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/qemu
load lib/screen

# con CMD: run CMD in the console shell; its output (the lines between two
# markers, without the services' and the kernel's lines the console shows
# meanwhile) in $BATS_TEST_TMPDIR/out.
N=0
con() {
	N=$((N + 1))
	qemu_type "echo B-$N; $1; echo E-$N\n"
	qemu_wait "^E-$N\$" 90 || return 1
	qemu_log | sed -n "/^B-$N\$/,/^E-$N\$/p" | sed '1d;$d' |
		grep -vE '^((sandinit|kiosk|vt2|console): |\[ *[0-9]+\.[0-9]+\] )' > "$BATS_TEST_TMPDIR/out" || true
}
out() { cat "$BATS_TEST_TMPDIR/out"; }

# restarted OLD NEW: the status in out says running, with pid NEW, not OLD.
restarted() {
	out | grep -qx 'state: running' || return 1
	[ "$2" != - ] || return 1
	[ "$2" != "$1" ]
}

@test "qemu kiosk: the demo on the screen, a key in its log and picture, restarted and redrawn, only its devices, VT and KD modes" {
	# configs/kiosk.conf, plus a disk (a host node it must not open) and a
	# second graphics service on tty2 that is not restarted (the crash
	# case), started after the kiosk so that tty1 stays in front.
	conf=$BATS_TEST_TMPDIR/kiosk.conf
	{
		echo "modules virtio_blk"
		cat "$ROOT/configs/kiosk.conf"
		printf '%s\n' 'service vt2' '  after kiosk' '  tty /dev/tty2 graphics' \
			'  restart never' '  exec /bin/probe sleep 100000'
	} > "$conf"
	truncate -s 1M "$BATS_TEST_TMPDIR/disk.img"
	QEMU_DISPLAY=none
	export QEMU_DISPLAY
	QEMU_EXTRA="-monitor unix:$BATS_TEST_TMPDIR/mon.sock,server,nowait
		-drive file=$BATS_TEST_TMPDIR/disk.img,if=virtio,format=raw"
	qemu_boot "$conf"
	qemu_wait 'sandinit: ready: 3 services' 180
	qemu_wait 'kiosk: kiosk-demo: [0-9]+x[0-9]+, (16|24|32) bpp, [1-9][0-9]* input devices' 60

	# Its picture: the background over (nearly) the whole screen (its
	# title bar is 1/16 of it).
	wait_screen 60 bg_at_least 900
	cp "$BATS_TEST_TMPDIR/now.ppm" "$BATS_TEST_TMPDIR/start.ppm"

	# Its VT in front and in graphics mode; tty2's too, not in front.
	con 'cat /sys/class/tty/tty0/active; probe kdmode /dev/tty1; probe kdmode /dev/tty2'
	run out
	assert_line --index 0 tty1
	assert_line --index 1 'kdmode: graphics'
	assert_line --index 2 'kdmode: graphics'

	# A key from QEMU's keyboard: in its log, and its block on the screen.
	mon 'sendkey a'
	qemu_wait 'kiosk: kiosk-demo: key 30 a$' 60
	con 'initctl log kiosk'
	run out
	assert_line --regexp 'key 30 a$'
	wait_screen 60 key_a_shown
	run screen differ "$BATS_TEST_TMPDIR/start.ppm" "$BATS_TEST_TMPDIR/now.ppm"
	[ "$output" -gt 1000 ]
	cp "$BATS_TEST_TMPDIR/now.ppm" "$BATS_TEST_TMPDIR/key.ppm"
	# the README's picture
	[ -z "${KIOSK_SCREENSHOT:-}" ] || screen png "$BATS_TEST_TMPDIR/key.ppm" "$KIOSK_SCREENSHOT"

	# What its sandbox opens: the nodes granted (fb0 read-write, the
	# event nodes read-only) and no other, though the host has them.
	con 'probe try-open /dev/vda r; probe try-open /dev/mem r; probe try-open /dev/input/mice r; probe try-open /dev/tty2 r'
	run out
	assert_output "$(printf 'ok\nok\nok\nok')"
	con 'for t in "/dev/fb0 rw" "/dev/input/event0 r" "/dev/input/event0 rw" "/dev/vda r" "/dev/mem r" "/dev/input/mice r" "/dev/tty2 r" "/dev/tty1 r"; do echo "$t: $(initctl exec kiosk probe try-open $t)"; done; initctl exec kiosk probe ls /dev/input; initctl exec kiosk probe ls /dev'
	run out
	assert_line '/dev/fb0 rw: ok'
	assert_line '/dev/input/event0 r: ok'
	assert_line '/dev/input/event0 rw: denied: EACCES'
	assert_line '/dev/vda r: denied: ENOENT'
	assert_line '/dev/mem r: denied: ENOENT'
	assert_line '/dev/input/mice r: denied: ENOENT'
	assert_line '/dev/tty2 r: denied: ENOENT'
	# its own terminal is there by its name (ttyname(3)), not openable
	assert_line '/dev/tty1 r: denied: EACCES'
	assert_line --regexp '^ls: event0( event[0-9]+)*$'
	# and nothing else under /dev but the default sandbox's nodes
	assert_line 'ls: fb0 fd full input log null ptmx pts random shm stderr stdin stdout tty tty1 urandom zero'

	# Killed: restarted (a new pid), the picture drawn anew.
	con 'initctl status kiosk'
	pid0=$(out | sed -n 's/^pid: //p')
	[ -n "$pid0" ]
	con 'kill -9 $(pidof kiosk-demo)'
	qemu_wait 'sandinit: kiosk: (killed by signal KILL|exited with status 137)' 60
	end=$((SECONDS + 60))
	while :; do
		con 'initctl status kiosk'
		pid1=$(out | sed -n 's/^pid: //p')
		if restarted "$pid0" "$pid1"; then break; fi
		[ "$SECONDS" -lt "$end" ] || fail "kiosk not running again with a new pid: $(out)"
	done
	run out
	assert_line 'restarts: 1'
	wait_screen 60 same_as start
	run screen differ "$BATS_TEST_TMPDIR/now.ppm" "$BATS_TEST_TMPDIR/key.ppm"
	[ "$output" -gt 1000 ]

	# A crash of a service that is not restarted: its VT in text mode.
	con 'probe kdmode /dev/tty2; kill -9 $(initctl status vt2 | sed -n "s/^pid: //p"); until initctl status vt2 | grep -qx "state: failed"; do sleep 0.1; done; probe kdmode /dev/tty2'
	run out
	assert_line --index 0 'kdmode: graphics'
	assert_line --index 1 'kdmode: text'

	# Stopped: text mode; then a VT switch away works (none does while a
	# VT in graphics mode is in front), and its start brings tty1 back.
	con 'initctl stop kiosk; probe kdmode /dev/tty1; chvt 2; cat /sys/class/tty/tty0/active'
	run out
	assert_line --index 0 'kdmode: text'
	assert_line --index 1 tty2
	con 'initctl start kiosk; n=0; until [ "$(cat /sys/class/tty/tty0/active)" = tty1 ] || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done; cat /sys/class/tty/tty0/active; probe kdmode /dev/tty1'
	run out
	assert_line --index 0 tty1
	assert_line --index 1 'kdmode: graphics'
	wait_screen 60 same_as start

	run qemu_log
	refute_output --partial 'unable to'
	qemu_type 'initctl poweroff\n'
	qemu_wait_exit 60
}
