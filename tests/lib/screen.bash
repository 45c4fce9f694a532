# tests/lib/screen.bash: the kiosk's screen in QEMU tests (load lib/qemu
# first). The guest boots with QEMU_DISPLAY=none (board/BOARD/qemu: a
# display, keyboard and tablet, no window) and QEMU_EXTRA="-monitor
# unix:$BATS_TEST_TMPDIR/mon.sock,server,nowait": QEMU's monitor takes
# screendumps and sends keys.

# The demo's colours (configs/kiosk-demo.c): its background; the block of
# key 30 (`a`).
BG=2060a0
KEY_A=8000ff

screen() { python3 "$QEMU_REPO/tests/lib/screen.py" "$@"; }
# mon COMMAND: COMMAND to QEMU's monitor; its answer on stdout
mon() { screen mon "$BATS_TEST_TMPDIR/mon.sock" "$1"; }
# dump NAME: a screendump as $BATS_TEST_TMPDIR/NAME.ppm
dump() { mon "screendump $BATS_TEST_TMPDIR/$1.ppm" >/dev/null; }

# wait_screen TIMEOUT TEST...: screendump as now.ppm until TEST (a command)
# holds; fail with the last dump's figures after TIMEOUT seconds.
wait_screen() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		dump now
		if "$@"; then return 0; fi
		if [ "$SECONDS" -ge "$end" ]; then
			echo "screen: $* not true within the bound; background share $(screen share "$BATS_TEST_TMPDIR/now.ppm" $BG)" >&2
			return 1
		fi
		sleep 0.5
	done
}
# bg_at_least N: at least N per mille of now.ppm is the demo's background
bg_at_least() { [ "$(screen share "$BATS_TEST_TMPDIR/now.ppm" $BG)" -ge "$1" ]; }
# key_a_shown: now.ppm shows the block of key 30 (`a`)
key_a_shown() { [ "$(screen share "$BATS_TEST_TMPDIR/now.ppm" $KEY_A)" -gt 0 ]; }
# same_as NAME: now.ppm is NAME.ppm, pixel for pixel
same_as() { [ "$(screen differ "$BATS_TEST_TMPDIR/now.ppm" "$BATS_TEST_TMPDIR/$1.ppm")" -eq 0 ]; }
