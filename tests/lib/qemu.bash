# tests/lib/qemu.bash: boot the built image in QEMU from bats tests.
#
#   load lib/qemu          (from a file in tests/; sets ROOT, the repository,
#                          and teardown: qemu_kill; a file with a teardown
#                          of its own defines it after this and calls qemu_kill)
#   @test "boots" {
#       qemu_boot "$BATS_TEST_DIRNAME/data/x.conf"
#       qemu_wait 'sandinit: ready: [0-9]+ services' 60
#       qemu_type 'initctl poweroff\n'
#       qemu_wait_exit 30
#   }
#
# It boots BOARD's build: out/vmlinuz with out/initramfs.cpio.gz (make
# image; out/BOARD/ for a board other than the default) followed by a
# second gzip'd cpio built per test: the kernel unpacks concatenated
# archives in order and later files replace earlier ones. One guest at a
# time per test (state is kept in QEMU_* globals).
#
# Variables a test may set before qemu_boot:
#   QEMU_EXTRA    more QEMU arguments (word split), e.g.
#                 "-drive file=$BATS_TEST_TMPDIR/d.img,if=virtio,format=raw"
#   QEMU_APPEND   more kernel command line, e.g. "sandinit.config=/etc/x.conf"
#   QEMU_MEM      guest memory (256M here), QEMU_SMP CPUs (2)
#   QEMU_PORTS    HOSTPORT:GUESTPORT forwards (none here: pick free ports),
#   QEMU_RESTRICT on here, QEMU_GUESTFWD: see board/BOARD/qemu
#   QEMU_ACCEL    tcg (default) or kvm; see board/BOARD/qemu
#   QEMU_DISPLAY  the board's screen, keyboard and tablet (exported:
#                 none for a screen without a window; see board/BOARD/qemu)
#   QEMU_DIR      where the initrd, fifo and log go ($BATS_TEST_TMPDIR)
#   QEMU_TIMEOUT  default timeout in seconds for the waits (60)
#   BOARD         the board: board/BOARD/qemu boots the guest (qemu-x86_64,
#                 the default board; make check passes its BOARD)
#   KERNEL        debian (default) or tailored: the image of
#                 `make KERNEL=tailored` (tests/qemu_tailored.bats); the
#                 board's QEMU line follows it too (x86_64's CPU model)
#   SANDINIT_OUT  the build's output directory (qemu_board_out)
#   SANDINIT_CACHE  its download cache ($SANDINIT_OUT/cache), for the kernel's
#                 modules
# Set by qemu_boot: QEMU_LOG (the serial console, raw, with \r), QEMU_PID,
# QEMU_IN_FD (the write end of the console's input fifo).

QEMU_REPO=${QEMU_REPO:-$(realpath "$(dirname "${BASH_SOURCE[0]}")/../..")}
ROOT=${ROOT:-$QEMU_REPO}
# Unconditional: bats predefines an empty teardown, and a file that wants its
# own defines it after `load lib/qemu` (and calls qemu_kill in it).
teardown() { qemu_kill; }

# The Makefile's DEFAULT_BOARD: its outputs are in out/, another's in out/BOARD/.
QEMU_DEFAULT_BOARD=qemu-x86_64

# qemu_board_out: the output directory of BOARD's build; with
# KERNEL=tailored, its tailored image's (OUT/tailored: make KERNEL=tailored).
qemu_board_out() {
	local b=${BOARD:-$QEMU_DEFAULT_BOARD} o=$QEMU_REPO/out
	[ "$b" = "$QEMU_DEFAULT_BOARD" ] || o=$o/$b
	[ "${KERNEL:-debian}" != tailored ] || o=$o/tailored
	echo "$o"
}

# board_var NAME: the value of NAME in BOARD's board.mk (`NAME := value`).
board_var() {
	sed -n "s/^$1 *:= *//p" "$QEMU_REPO/board/${BOARD:-$QEMU_DEFAULT_BOARD}/board.mk"
}

# free_port: a TCP port nothing listens on at the host's 127.0.0.1 (for
# QEMU_PORTS and QEMU_GUESTFWD).
free_port() {
	local p i
	for i in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# qemu_tail MESSAGE: MESSAGE and the console's last 40 lines, on stderr.
qemu_tail() {
	echo "$1; console tail:" >&2
	qemu_log | tail -n 40 >&2
}

# qemu_boot CONF [DIR]: start the guest in the background and return at once.
# The extra archive holds /etc/sandinit.conf = CONF, the kernel modules
# CONF's `modules` and `device` lines need (with their depends, as the
# image builder copies them) and, if DIR is given, DIR's tree copied on top (e.g.
# DIR/etc/other.conf, DIR/bin/tool).
# The console goes to $QEMU_LOG; its input comes from a fifo (qemu_type).
qemu_boot() {
	local conf=$1 dir=${2:-} out stage qdir
	out=${SANDINIT_OUT:-$(qemu_board_out)}
	qdir=${QEMU_DIR:-${BATS_TEST_TMPDIR:-$(mktemp -d)}}
	[ -f "$conf" ] || { echo "qemu_boot: no config $conf" >&2; return 1; }
	if [ ! -f "$out/initramfs.cpio.gz" ] || [ ! -f "$out/vmlinuz" ]; then
		echo "qemu_boot: run 'make${KERNEL:+ KERNEL=$KERNEL} image' first (no $out/initramfs.cpio.gz or vmlinuz)" >&2
		return 1
	fi
	mkdir -p "$qdir"
	stage=$qdir/extra-root
	rm -rf "$stage" "$qdir/console.in"
	mkdir -p "$stage/etc"
	cp "$conf" "$stage/etc/sandinit.conf"
	# The base image holds the modules of the config it was built with:
	# add the ones CONF's `modules` lines name and those that make its
	# `device` nodes, with their depends, and their modules.devname, for
	# this boot (as the image builder does).
	local kdir=${SANDINIT_CACHE:-$out/cache}/kernel
	"$QEMU_REPO/tools/kmods.sh" "$kdir/modules" "$stage/lib/modules/$(cat "$kdir/release")" \
		--config "$conf" >/dev/null || return 1
	[ -z "$dir" ] || cp -a "$dir/." "$stage/"
	(cd "$stage" || exit 1; find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 -n > "$qdir/extra.cpio.gz" || return 1
	cat "$out/initramfs.cpio.gz" "$qdir/extra.cpio.gz" > "$qdir/initrd.img" || return 1

	QEMU_LOG=$qdir/console.log
	: > "$QEMU_LOG"
	mkfifo "$qdir/console.in"
	# Read-write open of a fifo does not block; holding the write end keeps
	# QEMU from seeing EOF.
	exec {QEMU_IN_FD}<>"$qdir/console.in"
	# fd 3 is bats' own: a child holding it makes bats wait for the child.
	# shellcheck disable=SC2086
	# The uplink: no host port forwarded unless the test names a free one,
	# and restricted: no packet of the guest leaves for the real network.
	QEMU_PORTS=${QEMU_PORTS:-} QEMU_RESTRICT=${QEMU_RESTRICT:-on} QEMU_GUESTFWD=${QEMU_GUESTFWD:-} \
	QEMU_MEM=${QEMU_MEM:-256M} QEMU_SMP=${QEMU_SMP:-2} QEMU_APPEND=${QEMU_APPEND:-} \
		"$QEMU_REPO/board/${BOARD:-$QEMU_DEFAULT_BOARD}/qemu" "$out/vmlinuz" "$qdir/initrd.img" \
		${QEMU_EXTRA:-} <"$qdir/console.in" >"$QEMU_LOG" 2>&1 3>&- {QEMU_IN_FD}>&- &
	QEMU_PID=$!
	# make check looks for survivors among these once the suite is done.
	[ -z "${QEMU_PIDFILE:-}" ] || echo "$QEMU_PID" >>"$QEMU_PIDFILE"
}

# qemu_type TEXT: type TEXT on the console; printf %b escapes (\n, \r, \t,
# \003 for Ctrl-C...) are interpreted.
qemu_type() {
	printf '%b' "$1" >&"$QEMU_IN_FD"
}

# qemu_log: the console so far, without the serial line's \r and the
# firmware's terminal escapes (which would garble bats' output).
qemu_log() {
	sed -E 's/\r//g; s/\x1b(\[[0-9;?]*[A-Za-z]|[@-Z\\^_`a-z])//g' "$QEMU_LOG"
}

# qemu_wait PATTERN [TIMEOUT_S]: poll the console every 0.2 s until a line
# matches the extended regex PATTERN (\r removed first). On timeout, or if
# QEMU exits first, print the log's tail and fail.
qemu_wait() {
	local pat=$1 t=${2:-${QEMU_TIMEOUT:-60}} end
	end=$((SECONDS + t))
	while :; do
		if qemu_log | grep -qE -- "$pat"; then return 0; fi
		if ! kill -0 "$QEMU_PID" 2>/dev/null; then
			if qemu_log | grep -qE -- "$pat"; then return 0; fi
			qemu_tail "qemu_wait: QEMU exited before /$pat/ appeared"
			return 1
		fi
		if [ "$SECONDS" -ge "$end" ]; then
			qemu_tail "qemu_wait: no /$pat/ within ${t}s"
			return 1
		fi
		sleep 0.2
	done
}

# qemu_wait_exit [TIMEOUT_S]: wait until QEMU exits (the guest powered off,
# rebooted or halted: -no-reboot ends QEMU on reboot); returns QEMU's exit
# status. On timeout print the console's tail and fail (QEMU keeps running:
# qemu_kill in teardown).
qemu_wait_exit() {
	local t=${1:-${QEMU_TIMEOUT:-60}} end rc=0
	end=$((SECONDS + t))
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			qemu_tail "qemu_wait_exit: QEMU still running after ${t}s"
			return 1
		fi
		sleep 0.2
	done
	wait "$QEMU_PID" 2>/dev/null || rc=$?
	QEMU_PID=
	{ exec {QEMU_IN_FD}>&-; } 2>/dev/null || true
	return "$rc"
}

# qemu_kill: stop QEMU if it still runs and close the console fifo; safe to
# call twice or without a boot (use it in teardown).
qemu_kill() {
	if [ -n "${QEMU_PID:-}" ]; then
		kill "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true
		QEMU_PID=
	fi
	if [ -n "${QEMU_IN_FD:-}" ]; then
		{ exec {QEMU_IN_FD}>&-; } 2>/dev/null || true
		QEMU_IN_FD=
	fi
}
