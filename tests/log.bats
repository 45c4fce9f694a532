#!/usr/bin/env bats
# Host tier: the rings and `initctl log` (SPEC §5): lines with time, stream
# and severity; -f -t -n -p and the merged view; replies streamed from the
# ring (issue 12 item 2, issue 16 item 11).

bats_require_minimum_version 1.5.0
load lib/host

# PID 1 with service big's 8M ring full: the last 8M of 20 MB of 37-byte lines.
full_ring() {
	host_start "$(conf <<-'EOF'
	log-size 8M
	service big
	  restart never
	  exec /bin/sh -c "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 20000000"
	EOF
	)"
	retry 60 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl status | grep -q '^big exited '"
}

hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

@test "log -t, -p and -n: each line keeps its time and its stream's severity; -p takes logger(1)'s levels" {
	host_start "$(conf <<-'EOF'
	service web
	  restart never
	  exec /bin/sh -c "echo out1; sleep 0.05; echo err1 >&2; sleep 0.05; echo out2; sleep 0.05; echo err2 >&2"
	EOF
	)"
	retry 10 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl status | grep -q '^web exited '"
	# Plain: the lines as written (positive control for the filters below).
	run ictl log web
	assert_success
	assert_line out1
	assert_line err1
	assert_line out2
	assert_line err2
	# stderr is err, stdout info
	run ictl log -p err web
	assert_success
	assert_output "$(printf 'err1\nerr2')"
	run ictl log -p info web
	assert_equal "${#lines[@]}" 4
	run ictl log -p warning web
	assert_output "$(printf 'err1\nerr2')"
	run ictl log -p crit web
	assert_success
	assert_output ''
	run ictl log -n 1 web
	assert_output err2
	run ictl log -n 3 -p info web
	assert_output "$(printf 'err1\nout2\nerr2')"
	# options may also follow the name
	run ictl log web -n 3 -p info
	assert_success
	assert_output "$(printf 'err1\nout2\nerr2')"
	run ictl log web web
	assert_equal "$status" 2
	# as getopt(3) takes them: attached values, grouped flags, "--"
	run ictl log -n1 web
	assert_output err2
	run ictl log -perr -n1 web
	assert_output err2
	run ictl log -tn 1 web
	assert_output --regexp '^\[ *[0-9]+\.[0-9]{6}\] err2$'
	run ictl log -n 1 -- web
	assert_output err2
	run ictl log -n
	assert_equal "$status" 2
	run ictl log -x web
	assert_equal "$status" 2
	run ictl log -- -n 1 web
	assert_equal "$status" 2
	run ictl log -t web
	assert_line --index 0 --regexp '^\[ *[0-9]+\.[0-9]{6}\] out1$'
	assert_line --index 3 --regexp '^\[ *[0-9]+\.[0-9]{6}\] err2$'
	# The time is CLOCK_BOOTTIME: the host's uptime here.
	t=$(echo "${lines[0]}" | sed 's/^\[ *\([0-9]*\)\..*/\1/')
	up=$(cut -d. -f1 /proc/uptime)
	[ "$t" -le "$up" ]
	[ "$t" -ge $((up - 60)) ]
	# -p as logger(1) takes it: the deprecated names, numbers, any case
	for l in error warn 3 4 ERR Warning; do
		run -0 ictl log -p "$l" web
		assert_output "$(printf 'err1\nerr2')"
	done
	for l in panic 0 2; do
		run -0 ictl log -p "$l" web
		assert_output ''
	done
	run -0 ictl log -p 7 web
	assert_equal "${#lines[@]}" 4
	for l in loud 8 -1 user.err ''; do
		run -2 ictl log -p "$l" web
		assert_output "initctl: log: unknown level '$l' (emerg to debug, or 0-7)"
	done
	run ictl log -n x web
	assert_equal "$status" 2
	run ictl log nosuch
	assert_equal "$status" 1
	assert_output --partial "no service 'nosuch'"
}

@test "a line longer than 1024 bytes: whole in a plain log, cut on the console" {
	host_start "$(conf <<-'EOF'
	service long
	  restart never
	  exec /usr/bin/awk "BEGIN { s = sprintf(\"%3000s\", \"\"); gsub(/ /, \"x\", s); print s; print \"short\" }"
	EOF
	)"
	retry 10 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl status | grep -q '^long exited '"
	ictl log long >"$BATS_TEST_TMPDIR/plain"
	{ head -c 3000 /dev/zero | tr '\0' x; echo; echo short; } >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/want"
	# -t shows each console piece as a line of its own
	run ictl log -t long
	assert_equal "${#lines[@]}" 4
	wait_console '^long: short$'
	run grep -c '^long: x' "$BATS_TEST_TMPDIR/console.log"
	assert_output 3
}

@test "log -f: the dump then every new line, none lost or twice, until interrupted" {
	host_start "$(conf <<-'EOF'
	service tick
	  exec /bin/sh -c "i=0; while :; do echo line$i; i=$((i+1)); sleep 0.01; done"
	EOF
	)"
	retry 10 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl log tick | grep -q line20"
	SANDINIT_SOCKET=$SOCK "$SANDINIT" ctl log -f tick >"$BATS_TEST_TMPDIR/f" &
	fpid=$!
	# the lines there when -f began: a reply of its own, taken right after
	retry 10 test -s "$BATS_TEST_TMPDIR/f"
	at_start=$(ictl log -n 1 tick | sed 's/line//')
	retry 20 bash -c "grep -q '^line$((at_start + 100))\$' '$BATS_TEST_TMPDIR/f'"
	kill "$fpid"
	wait "$fpid" || true
	n=$(wc -l <"$BATS_TEST_TMPDIR/f")
	last=$(tail -n 1 "$BATS_TEST_TMPDIR/f" | sed 's/line//')
	echo "followed $n lines, line0 .. line$last; at -f's start: line$at_start"
	# line0 .. lineN, each once, in order: nothing lost, nothing twice
	seq 0 "$last" | sed 's/^/line/' | diff - "$BATS_TEST_TMPDIR/f"
	[ "$last" -ge $((at_start + 100)) ]
	# the follower's slot is free again: PID 1 still answers
	run status_of tick
	assert_success
}

@test "log -f: a reader too slow for the ring is told where lines were lost, and the lines after go on in order" {
	host_start "$(conf <<-'EOF'
	log-size 4K
	service burst
	  exec /bin/sh -c "echo first; while [ ! -e /tmp/go ]; do /bin/sleep 0.1; done; seq 1 200000; echo last; exec /bin/sleep 1000"
	EOF
	)"
	retry 10 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl log burst | grep -q first"
	SANDINIT_SOCKET=$SOCK "$SANDINIT" ctl log -f burst >"$BATS_TEST_TMPDIR/f" 2>&1 3>&- &
	fpid=$!
	retry 10 grep -q '^first$' "$BATS_TEST_TMPDIR/f"
	# the reader pauses while the service writes far more than the ring
	# (4 KiB) and the sockets between hold
	kill -STOP "$fpid"
	ictl exec burst /bin/touch /tmp/go
	wait_console '^burst: last$' 60
	kill -CONT "$fpid"
	retry 20 grep -q '^last$' "$BATS_TEST_TMPDIR/f"
	kill "$fpid"
	wait "$fpid" || true
	run grep -E '^initctl: log: burst: [0-9]+ bytes of lines lost here$' "$BATS_TEST_TMPDIR/f"
	assert_success
	# every number once, in order; a jump only right after a marker (a
	# pause while the ring wraps may leave more than one gap)
	run awk '
		/lines lost here/ { gap = 1; next }
		/^(first|last)$/ { next }
		{ if (prev && $1 != prev + 1 && !gap) { print "silent jump " prev " -> " $1; bad = 1 }
		  if ($1 <= prev) { print "out of order " prev " -> " $1; bad = 1 }
		  prev = $1; gap = 0 }
		END { print "up to " prev; exit bad }' "$BATS_TEST_TMPDIR/f"
	assert_success
	assert_output 'up to 200000'
	run tail -n 1 "$BATS_TEST_TMPDIR/f"
	assert_output last
}

@test "128 log -f followers: at most 96 at once, the oldest end with a message, status still answers" {
	go=$BATS_TEST_TMPDIR/go
	host_start "$(conf <<-EOF
	service talk
	  namespaces none
	  exec /bin/sh -c "echo first; while [ ! -e $go ]; do sleep 0.1; done; echo second; exec sleep 1000"
	EOF
	)"
	wait_console '^talk: first$'
	# one at a time, each connected (it has the ring's line) before the next
	pids=()
	for i in $(seq 128); do
		SANDINIT_SOCKET=$SOCK "$SANDINIT" ctl log -f talk >"$BATS_TEST_TMPDIR/f$i" 2>"$BATS_TEST_TMPDIR/e$i" 3>&- &
		pids+=($!)
		retry 10 grep -q '^first$' "$BATS_TEST_TMPDIR/f$i"
	done
	# the operator still gets an answer (before: every slot a follower's,
	# status waited in the listen backlog)
	run timeout 10 env SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl status
	assert_success
	assert_line --regexp '^talk running [0-9]+ 0 - -$'
	# the 32 oldest were ended, and told why
	for i in $(seq 32); do
		rc=0
		wait "${pids[i - 1]}" || rc=$?
		assert_equal "$rc" 1
		assert_equal "$(cat "$BATS_TEST_TMPDIR/e$i")" 'initctl: log: a newer follower took this one'"'"'s place'
	done
	# the 96 newest still follow: each gets the next line (positive control)
	touch "$go"
	for i in $(seq 33 128); do
		retry 10 grep -q '^second$' "$BATS_TEST_TMPDIR/f$i"
		kill -0 "${pids[i - 1]}"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/e$i")" ''
	done
	kill "${pids[@]:32}"
	wait "${pids[@]:32}" || :
}

@test "control characters a service writes show as \xNN on the console and in the merged log, as written in log NAME" {
	host_start "$(conf <<-'EOF'
	service esc
	  restart never
	  exec /usr/bin/printf "a\\033[31mred\\033]0;pwned\\007\\033c\\tz \\303\\251 \\302\\233 \\233 \\177 end\\n"
	service slog
	  restart never
	  exec /bin/bash -c "logger -t app $'x\\e[2Jy\\x7f'"
	EOF
	)"
	wait_console '^esc: '
	wait_console '^slog: '
	want=$'esc: a\\x1b[31mred\\x1b]0;pwned\\x07\\x1bc\tz \xc3\xa9 \\xc2\\x9b \\x9b \\x7f end'
	run grep -Fxc "$want" "$BATS_TEST_TMPDIR/console.log"
	assert_output 1
	# a syslog line: its parser makes C0 controls blanks, DEL shows
	run grep -Fxc 'slog: app: x [2Jy\x7f' "$BATS_TEST_TMPDIR/console.log"
	assert_output 1
	# nothing raw reached the console: no ESC, BEL, DEL or lone C1 byte
	run grep -c $'[\x07\x1b\x7f]' "$BATS_TEST_TMPDIR/console.log"
	assert_output 0
	# the merged view renders them the same
	run ictl log
	assert_line "$want"
	# a service's own log gives back the bytes as written
	ictl log esc >"$BATS_TEST_TMPDIR/plain"
	printf 'a\033[31mred\033]0;pwned\007\033c\tz \303\251 \302\233 \233 \177 end\n' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/want"
}

@test "log without NAME: every ring and PID 1's own lines merged in time order" {
	host_start "$(conf <<-'EOF'
	service a
	  restart never
	  exec /bin/sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do echo a$i; sleep 0.05; done"
	service b
	  restart never
	  exec /bin/sh -c "sleep 0.02; for i in 1 2 3 4 5 6 7 8 9 10; do echo b$i >&2; sleep 0.05; done"
	EOF
	)"
	retry 10 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl status | grep -c exited | grep -qx 2"
	run ictl log
	assert_success
	assert_line --partial 'sandinit: ready: 2 services'
	assert_line 'a: a1'
	assert_line 'b: b10'
	run ictl log -t
	assert_success
	# times never go back, and the two services interleave
	printf '%s\n' "${lines[@]}" | sed 's/^\[ *\([0-9.]*\)\].*/\1/' >"$BATS_TEST_TMPDIR/t"
	sort -n -c "$BATS_TEST_TMPDIR/t"
	printf '%s\n' "${lines[@]}" | sed -nE 's/^\[[ 0-9.]*\] ([ab]): .*/\1/p' | uniq | wc -l >"$BATS_TEST_TMPDIR/runs"
	[ "$(cat "$BATS_TEST_TMPDIR/runs")" -ge 10 ]
	run ictl log -p err
	assert_success
	assert_line 'b: b1'
	refute_line 'a: a1'
	refute_line --partial 'sandinit: ready'
}

@test "log -p on PID 1's own lines: a failure is err, a kill a warning, the ready line info" {
	host_start "$(conf <<-'EOF'
	service broken
	  restart never
	  bind /nonexistent-bind-source /mnt
	  exec /bin/true
	service sigd
	  restart never
	  exec /bin/sh -c "kill -TERM $$"
	EOF
	)"
	wait_console '^sandinit: ready: '
	wait_console '^sandinit: broken: unable to '
	wait_console '^sandinit: sigd: killed by signal'
	run ictl log -p err sandinit
	assert_line --regexp '^broken: unable to '
	refute_line --partial 'killed by signal'
	refute_line --partial 'ready: '
	run ictl log -p warning sandinit
	assert_line --regexp '^broken: unable to '
	assert_line --regexp '^sigd: killed by signal'
	refute_line --partial 'ready: '
	run ictl log -p info sandinit
	assert_line --partial 'ready: '
}

@test "log -p over 100000 lines that do not match: the one that does, read in capped parts" {
	host_start "$(conf <<-'EOF'
	log-size 8M
	service many
	  restart never
	  exec /bin/sh -c "seq 100000; echo the-error >&2"
	EOF
	)"
	retry 60 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl status | grep -q '^many exited '"
	# positive control: every line is there
	run ictl log many
	assert_equal "${#lines[@]}" 100001
	# a reply whose reads of 4096 lines give nothing 24 times running
	run timeout 60 env SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl log -p err many
	assert_success
	assert_output the-error
}

@test "100 parallel log readers of a full 8M ring: each gets it whole, PID 1 grows < 2 MiB" {
	full_ring
	pid1=$(host_pid1)
	ictl log big >"$BATS_TEST_TMPDIR/ref"
	want=$(yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 20000000 | tail -c 8388608 | sha256sum)
	assert_equal "$(sha256sum <"$BATS_TEST_TMPDIR/ref")" "$want"
	base=$(rss_kb "$pid1")
	echo 5 >"/proc/$pid1/clear_refs"	# VmHWM from here
	# Readers that take their time: all 100 replies are under way at once.
	pids=()
	for i in $(seq 100); do
		(SANDINIT_SOCKET=$SOCK "$SANDINIT" ctl log big | { sleep 2; cat; } >"$BATS_TEST_TMPDIR/r$i") &
		pids+=($!)
	done
	wait "${pids[@]}"
	peak=$(hwm_kb "$pid1")
	echo "PID 1 RSS $base kB before, peak $peak kB with 100 readers"
	for i in $(seq 100); do
		cmp "$BATS_TEST_TMPDIR/ref" "$BATS_TEST_TMPDIR/r$i"
	done
	[ "$peak" -lt $((base + 2048)) ]
}

@test "log -n 10 of a full 8M ring reads back from its end: PID 1's cost is the 10 lines', not the ring's" {
	full_ring
	pid1=$(host_pid1)
	# PID 1's time on a CPU (ns), whatever else the machine runs
	cpu() { awk '{ print $1 }' "/proc/$pid1/schedstat"; }
	# the control: -p emerg matches none of the 226,000 lines, so every
	# one is looked at
	t0=$(cpu)
	run ictl log -p emerg big
	t1=$(cpu)
	assert_success
	assert_output ''
	scan=$(((t1 - t0) / 1000))
	# each -n 10 on its own (the median: PID 1 also reads the host's
	# kernel messages meanwhile), and a status for scale
	for i in $(seq 11); do
		t0=$(cpu)
		ictl log -n 10 big >"$BATS_TEST_TMPDIR/n$i"
		t1=$(cpu)
		echo $(((t1 - t0) / 1000))
	done >"$BATS_TEST_TMPDIR/costs"
	last=$(sort -n "$BATS_TEST_TMPDIR/costs" | sed -n 6p)
	t0=$(cpu)
	ictl status >/dev/null
	t1=$(cpu)
	echo "PID 1 on a CPU: $scan µs for a scan of the whole ring, $last µs a log -n 10 (median), $(((t1 - t0) / 1000)) µs a status"
	want=$(yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 20000000 | tail -n 10)
	for i in $(seq 11); do
		run cat "$BATS_TEST_TMPDIR/n$i"
		assert_output "$want"
	done
	# merged (the host's kernel lines may come last): 10 lines
	run ictl log -n 10
	assert_success
	assert_equal "${#lines[@]}" 10
	# the measure sees a scan of the ring (at least 5 ms), and -n 10 costs
	# a tenth of that at most (before: twice a scan, once to count, once
	# to pass over the lines before the last 10)
	[ "$scan" -ge 5000 ]
	[ "$last" -le $((scan / 10)) ]
}

@test "the kernel's messages: in the ring named kernel, not printed again by PID 1" {
	host_start "$(conf <<-'EOF'
	service idle
	  exec /bin/sleep 1000
	EOF
	)"
	wait_console '^sandinit: ready: 1 services'
	mark="sandinit-kmsg-test-$$-$RANDOM"
	echo "<2>$mark" >/dev/kmsg
	retry 10 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl log kernel | grep -qx '$mark'"
	run ictl log -p crit kernel
	assert_line "$mark"
	run ictl log -p emerg kernel
	refute_output --partial "$mark"
	run ictl log
	assert_line "kernel: $mark"
	run console
	refute_output --partial "$mark"
}

# The kernel's records as a direct read of /dev/kmsg gives them, shaped as
# `log -t` shows them (`[%5d.%06d] TEXT`), those of level $1 and worse.
kmsg_direct() {
	dd if=/dev/kmsg iflag=nonblock bs=8192 2>/dev/null | awk -v max="$1" '/^ / { next }
		{ i = index($0, ";"); split(substr($0, 1, i - 1), f, ",")
		  if (f[1] % 8 <= max) printf "[%5d.%06d] %s\n", int(f[3] / 1000000), f[3] % 1000000, substr($0, i + 1) }'
}

# `log -t ARGS... kernel` into view, then a direct read of as many lines (the
# last) into direct: the same? (a record the host's kernel logs in between
# makes them differ: the caller retries)
same_as_kmsg() { # MAXLEVEL ARGS...
	local max=$1
	shift
	ictl log -t "$@" kernel >"$BATS_TEST_TMPDIR/view" || return 1
	kmsg_direct "$max" >"$BATS_TEST_TMPDIR/all"
	tail -n "$(wc -l <"$BATS_TEST_TMPDIR/view")" "$BATS_TEST_TMPDIR/all" >"$BATS_TEST_TMPDIR/direct"
	cmp -s "$BATS_TEST_TMPDIR/view" "$BATS_TEST_TMPDIR/direct"
}

@test "log kernel: the kernel's own records, as a direct read of /dev/kmsg gives them: all it keeps, -t, -n, -p" {
	host_start "$(conf <<-'EOF'
	service idle
	  exec /bin/sleep 1000
	EOF
	)"
	wait_console '^sandinit: ready: 1 services'
	mark="sandinit-kmsg-test-$$-$RANDOM"
	for i in 1 2 3 4 5; do echo "<4>$mark $i" >/dev/kmsg; done
	echo "<6>$mark info" >/dev/kmsg
	# all the kernel keeps (before: the last 64 KiB PID 1 had copied),
	# each line with the record's time
	retry 20 same_as_kmsg 7
	run cat "$BATS_TEST_TMPDIR/all"
	assert_output "$(cat "$BATS_TEST_TMPDIR/view")"
	assert_line --regexp "^\[ *[0-9]+\.[0-9]{6}\] $mark 5\$"
	retry 20 same_as_kmsg 7 -n 50
	run cat "$BATS_TEST_TMPDIR/view"
	assert_equal "${#lines[@]}" 50
	# -p by the record's level: the warnings, not the info line
	retry 20 same_as_kmsg 4 -n 3 -p warning
	run cat "$BATS_TEST_TMPDIR/view"
	assert_equal "${#lines[@]}" 3
	refute_line --partial "] $mark info"
	retry 20 same_as_kmsg 4 -p warning
	run cat "$BATS_TEST_TMPDIR/view"
	assert_line --partial "] $mark 5"
	refute_line --partial "] $mark info"
	# the plain view: the records' text alone (the host's kernel may log
	# more meanwhile: the mark is not asked to be among the last 6)
	plain_same() {
		ictl log -n 6 kernel >"$BATS_TEST_TMPDIR/view" || return 1
		kmsg_direct 7 | tail -n 6 | sed -E 's/^\[ *[0-9]+\.[0-9]{6}\] //' >"$BATS_TEST_TMPDIR/direct"
		cmp -s "$BATS_TEST_TMPDIR/view" "$BATS_TEST_TMPDIR/direct"
	}
	retry 20 plain_same
	run cat "$BATS_TEST_TMPDIR/view"
	assert_equal "${#lines[@]}" 6
	refute_line --regexp '^\['
}

@test "log -f kernel and log -f: records written to /dev/kmsg while following, each once, in order" {
	host_start "$(conf <<-'EOF'
	service idle
	  exec /bin/sleep 1000
	EOF
	)"
	wait_console '^sandinit: ready: 1 services'
	mark="sandinit-kmsg-follow-$$-$RANDOM"
	echo "<4>$mark before" >/dev/kmsg
	SANDINIT_SOCKET=$SOCK "$SANDINIT" ctl log -f kernel >"$BATS_TEST_TMPDIR/f" &
	fpid=$!
	SANDINIT_SOCKET=$SOCK "$SANDINIT" ctl log -f -n 0 kernel >"$BATS_TEST_TMPDIR/g" &
	gpid=$!
	SANDINIT_SOCKET=$SOCK "$SANDINIT" ctl log -f -n 0 >"$BATS_TEST_TMPDIR/m" &
	mpid=$!
	# the dump of -f has the line from before
	retry 10 grep -qx "$mark before" "$BATS_TEST_TMPDIR/f"
	# all three follow once a line written now reaches each
	sync_line() {
		echo "<4>$mark sync" >/dev/kmsg
		if ! grep -q "$mark sync" "$BATS_TEST_TMPDIR/g"; then return 1; fi
		grep -q "$mark sync" "$BATS_TEST_TMPDIR/m"
	}
	retry 10 sync_line
	for i in $(seq 40); do echo "<4>$mark $i" >/dev/kmsg; done
	retry 10 grep -qx "$mark 40" "$BATS_TEST_TMPDIR/f"
	retry 10 grep -qx "$mark 40" "$BATS_TEST_TMPDIR/g"
	retry 10 grep -qx "kernel: $mark 40" "$BATS_TEST_TMPDIR/m"
	kill "$fpid" "$gpid" "$mpid"
	wait "$fpid" "$gpid" "$mpid" || :
	seq 40 | sed "s/^/$mark /" >"$BATS_TEST_TMPDIR/want"
	grep -E "^$mark [0-9]+\$" "$BATS_TEST_TMPDIR/f" | diff "$BATS_TEST_TMPDIR/want" -
	grep -E "^$mark [0-9]+\$" "$BATS_TEST_TMPDIR/g" | diff "$BATS_TEST_TMPDIR/want" -
	grep -E "^kernel: $mark [0-9]+\$" "$BATS_TEST_TMPDIR/m" | sed 's/^kernel: //' |
		diff "$BATS_TEST_TMPDIR/want" -
	# -n 0: nothing from before it began
	run grep -c "$mark before" "$BATS_TEST_TMPDIR/g" "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/f"
	assert_output "$(printf '%s:0\n%s:0\n%s:1' "$BATS_TEST_TMPDIR/g" "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/f")"
}

@test "log kernel: /dev/kmsg open in PID 1 only while a request reads it; no fd left after 200 requests and an interrupted -f" {
	host_start "$(conf <<-'EOF'
	service idle
	  exec /bin/sleep 1000
	EOF
	)"
	wait_console '^sandinit: ready: 1 services'
	pid1=$(host_pid1)
	fds() { find "/proc/$pid1/fd" -mindepth 1 | wc -l; }
	kmsg_fds() { find "/proc/$pid1/fd" -mindepth 1 -lname '*/kmsg' | wc -l; }
	base=$(fds)
	# no reader of its own (no log-file), no copy kept
	assert_equal "$(kmsg_fds)" 0
	for i in $(seq 50); do
		ictl log kernel >/dev/null
		ictl log -n 3 -p err kernel >/dev/null
		ictl log -n 5 >/dev/null
		ictl log -t -p warning >/dev/null
	done
	assert_equal "$(fds)" "$base"
	# a follower's reader, seen (the positive control of the count), then
	# the client interrupted
	SANDINIT_SOCKET=$SOCK "$SANDINIT" ctl log -f kernel >"$BATS_TEST_TMPDIR/f" &
	fpid=$!
	retry 10 test -s "$BATS_TEST_TMPDIR/f"
	assert_equal "$(kmsg_fds)" 1
	kill "$fpid"
	wait "$fpid" || :
	kmsg_gone() {
		if [ "$(kmsg_fds)" != 0 ]; then return 1; fi
		[ "$(fds)" = "$base" ]
	}
	retry 10 kmsg_gone
	run status_of idle
	assert_success
}

@test "log-file: every console line with its time, rotated at SIZE, all there after poweroff" {
	f=$BATS_TEST_TMPDIR/sandinit.log
	host_start "$(conf <<-EOF
	log-file $f 4K
	service count
	  restart never
	  exec /bin/sh -c "i=1; while [ \$i -le 150 ]; do echo line\$i; i=\$((i+1)); done"
	EOF
	)"
	wait_console '^count: line150$'
	host_stop
	# the writer had rotated: the older lines in .1
	[ -s "$f.1" ]
	[ "$(stat -c %s "$f.1")" -le 4096 ]
	cat "$f.1" "$f" >"$BATS_TEST_TMPDIR/all"
	grep -E '^\[ *[0-9]+\.[0-9]{6}\] count: line[0-9]+$' "$BATS_TEST_TMPDIR/all" | sed 's/.*count: //' >"$BATS_TEST_TMPDIR/got"
	seq 150 | sed 's/^/line/' | diff - "$BATS_TEST_TMPDIR/got"
	# PID 1's own lines too, with their time
	grep -Eq '^\[ *[0-9]+\.[0-9]{6}\] sandinit: ready: 1 services' "$BATS_TEST_TMPDIR/all"
	# the last, as on the console (which prints it after the unmount)
	run console
	assert_line 'sandinit: poweroff'
	run tail -n 1 "$f"
	assert_output --regexp '^\[ *[0-9]+\.[0-9]{6}\] sandinit: poweroff$'
}

@test "log-file: the kernel's console lines go into it, /dev/kmsg read only while there is one, each line once across a reload" {
	f=$BATS_TEST_TMPDIR/k.log
	printf 'log-file %s\nservice idle\n  exec /bin/sleep 1000\n' "$f" >"$BATS_TEST_TMPDIR/on.conf"
	printf 'service idle\n  exec /bin/sleep 1000\n' >"$BATS_TEST_TMPDIR/off.conf"
	cp "$BATS_TEST_TMPDIR/on.conf" "$BATS_TEST_TMPDIR/sandinit.conf"
	host_start "$BATS_TEST_TMPDIR/sandinit.conf"
	wait_console '^sandinit: ready: 1 services'
	pid1=$(host_pid1)
	kmsg_fds() { find "/proc/$pid1/fd" -mindepth 1 -lname '*/kmsg' | wc -l; }
	mark="sandinit-kmsg-file-$$-$RANDOM"
	# err: under the console's level (kernel.printk's first figure)
	[ "$(cut -f1 /proc/sys/kernel/printk)" -gt 3 ]
	echo "<3>$mark 1" >/dev/kmsg
	retry 10 grep -qE "^\[ *[0-9]+\.[0-9]{6}\] kernel: $mark 1\$" "$f"
	assert_equal "$(kmsg_fds)" 1
	# no log-file: no reader
	cp "$BATS_TEST_TMPDIR/off.conf" "$BATS_TEST_TMPDIR/sandinit.conf"
	ictl reload
	retry 10 test "$(kmsg_fds)" = 0
	echo "<3>$mark 2" >/dev/kmsg
	# the file again: from there on, not the kernel's buffer again
	cp "$BATS_TEST_TMPDIR/on.conf" "$BATS_TEST_TMPDIR/sandinit.conf"
	ictl reload
	retry 10 test "$(kmsg_fds)" = 1
	echo "<3>$mark 3" >/dev/kmsg
	retry 10 grep -q "kernel: $mark 3\$" "$f"
	host_stop
	run grep -c "kernel: $mark 1\$" "$f"
	assert_output 1
	run grep -c "kernel: $mark 3\$" "$f"
	assert_output 1
	run grep -c "kernel: $mark 2\$" "$f"
	assert_output 0
}

@test "log-file: a file an earlier boot left counts toward SIZE" {
	f=$BATS_TEST_TMPDIR/sandinit.log
	{ for i in $(seq 40); do printf '%099d\n' 0; done; printf '%089d\n' 0; } >"$f"
	host_start "$(conf <<-EOF
	log-file $f 4K
	service count
	  restart never
	  exec /bin/sh -c "i=1; while [ \$i -le 60 ]; do echo line\$i; i=\$((i+1)); done"
	EOF
	)"
	wait_console '^count: line60$'
	host_stop
	# rotated once, neither part past 4K
	[ -s "$f.1" ]
	[ "$(stat -c %s "$f.1")" -le 4096 ]
	[ "$(stat -c %s "$f")" -le 4096 ]
	cat "$f.1" "$f" | grep -E '^\[ *[0-9]+\.[0-9]{6}\] count: line[0-9]+$' | sed 's/.*count: //' >"$BATS_TEST_TMPDIR/got"
	seq 60 | sed 's/^/line/' | diff - "$BATS_TEST_TMPDIR/got"
}

@test "log-file on a missing directory: PID 1 goes on, lines counted, the count logged once writable" {
	d=$BATS_TEST_TMPDIR/disk
	host_start "$(conf <<-EOF
	log-file $d/sandinit.log
	service tick
	  exec /bin/sh -c "i=1; while :; do echo tick\$i; i=\$((i+1)); sleep 0.1; done"
	EOF
	)"
	wait_console '^sandinit: log-file: .*/disk/sandinit.log: No such file or directory$'
	wait_console '^tick20$|^tick: tick20$'
	run ictl status tick
	assert_success
	mkdir "$d"
	retry 10 grep -q 'sandinit: log-file: [0-9]* lines dropped' "$d/sandinit.log"
	wait_console '^sandinit: log-file: [0-9]+ lines dropped$'
	retry 10 grep -q 'tick: tick' "$d/sandinit.log"
	n=$(grep -o 'log-file: [0-9]* lines dropped' "$d/sandinit.log" | head -1 | grep -o '[0-9]*')
	echo "dropped $n lines while the directory was missing"
	[ "$n" -ge 20 ]
	# what the writer said is PID 1's own: in its ring too
	run ictl log sandinit
	assert_line --regexp '^log-file: unable to write .*/disk/sandinit.log: No such file or directory$'
	assert_line --regexp '^log-file: [0-9]+ lines dropped$'
}

# The old file's writer blocks (a FIFO without a reader: open waits, as
# on a hung disk): PID 1 goes on at once, and the old writer finishes in
# its own time, or is killed after 5 s (LOGFILE_STOP_MS).
fifo_log() {
	conf <<-EOF
	log-file $1
	service tick
	  exec /bin/sh -c "i=1; while :; do echo tick\$i; i=\$((i+1)); sleep 0.1; done"
	EOF
}

# Start with the FIFO old.log; the config on disk then names new.log.
fifo_start() {
	d=$BATS_TEST_TMPDIR
	mkfifo "$d/old.log"
	host_start "$(fifo_log "$d/old.log")"
	wait_console '^tick: tick3$'
	fifo_log "$d/new.log" >/dev/null
}

@test "log-file: a reload away from a file whose writer is blocked returns at once; the old file still gets its lines" {
	fifo_start
	t0=$(date +%s%N)
	run ictl reload
	assert_success
	t1=$(date +%s%N)
	echo "reload took $(((t1 - t0) / 1000000)) ms"
	# a blocked writer held it 5.2 s (its 5 s kill timeout): room for load
	[ $((t1 - t0)) -lt 4500000000 ]
	run status_of tick
	assert_success
	# the new file is written
	retry 10 grep -q 'tick: tick' "$d/new.log"
	# the old writer is still there (blocked): a reader gets what it had,
	# up to the reload, and its end
	timeout 10 cat "$d/old.log" >"$d/got"
	run grep -E '^\[ *[0-9]+\.[0-9]{6}\] sandinit: ready: 1 services' "$d/got"
	assert_success
	run grep -c 'tick: tick' "$d/got"
	[ "$output" -ge 3 ]
	run console
	refute_output --partial 'the writer did not finish'
}

@test "log-file: a writer that never finishes after a reload is killed after 5 s, PID 1 answering meanwhile" {
	fifo_start
	start=$SECONDS
	run ictl reload
	assert_success
	run status_of tick
	assert_success
	wait_console '^sandinit: log-file: the writer did not finish in 5 s: killed$' 20
	took=$((SECONDS - start))
	echo "killed after ${took} s"
	[ "$took" -ge 4 ]
	[ "$took" -le 15 ]
	retry 10 grep -q 'sandinit: log-file: the writer did not finish' "$d/new.log"
}

@test "a terminal console that fills: lines are dropped whole, none cut or run together, a cut one ends once it drains" {
	go=$BATS_TEST_TMPDIR/go
	out=$BATS_TEST_TMPDIR/tty.out
	SOCK=$BATS_TEST_TMPDIR/ctl.sock
	f=$(conf <<-EOF
	service count
	  namespaces none
	  restart never
	  exec /bin/sh -c "while [ ! -e $go ]; do sleep 0.05; done; seq -f 'numbered line %g' 1 20000; echo counted"
	EOF
	)
	# PID 1's console is a terminal (script(1)'s pty); script, its only
	# reader, is stopped while count writes: the terminal fills.
	script -qfec "unshare --pid --fork --kill-child --mount --uts --ipc --net $SANDINIT --config $f --socket $SOCK" "$out" </dev/null >/dev/null 2>&1 &
	spid=$!
	retry 10 test -S "$SOCK"
	kill -STOP "$spid"
	touch "$go"
	# all of it reached the ring (the console is no bottleneck of PID 1's)
	retry 60 bash -c "SANDINIT_SOCKET='$SOCK' '$SANDINIT' ctl log count | tail -n 1 | grep -qx counted"
	kill -CONT "$spid"
	# the rest of the line the full terminal took part of comes once it
	# drains, though no other line follows (count is done, PID 1 quiet)
	ends_whole() { [ "$(tail -c 1 "$out" | od -An -tx1 | tr -d ' ')" = 0a ]; }
	retry 10 ends_whole
	ictl poweroff
	retry 30 bash -c "! kill -0 $spid 2>/dev/null"
	tr -d '\r' <"$out" | grep -a 'count' >"$BATS_TEST_TMPDIR/count" || :
	# the terminal did fill (some lines were dropped) and took many
	n=$(grep -c '^count: numbered line' "$BATS_TEST_TMPDIR/count")
	echo "$n of 20000 lines on the terminal"
	[ "$n" -ge 100 ]
	[ "$n" -lt 20000 ]
	# and every line on it is whole
	run grep -avE '^count: (numbered line [0-9]+|counted)$' "$BATS_TEST_TMPDIR/count"
	assert_output ''
}

# `initctl log -n N` merged over R rings reads back and forth through a heap
# of the rings: its cost is the lines times log R, not times R (a scan of
# every ring per line), and PID 1 answers within a bound meanwhile.
@test "log -n over 200 full rings: about linear in the lines, not lines x rings" {
	f=$BATS_TEST_TMPDIR/sandinit.conf
	for i in $(seq 200); do
		printf 'service s%d\n  namespaces none\n  restart never\n  exec /bin/sh -c "yes x | head -n 8000"\n' "$i"
	done >"$f"
	host_start "$f"
	wait_console '^sandinit: ready: 200 services' 120
	exited() { [ "$(ictl status | grep -c ' exited ')" = 200 ]; }
	retry 120 exited
	# the control: the rings are full of lines
	run ictl log -n 2 s7
	assert_output "$(printf 'x\nx')"
	run ictl log s200
	[ "${#lines[@]}" -ge 4000 ]
	# none is emerg: both directions go through every line of every ring.
	# PID 1's CPU time (utime + stime, in ticks), not the wall clock: other
	# work on the machine does not count.
	cpu() { awk '{ print $14 + $15 }' "/proc/$(host_pid1)/stat"; }
	c0=$(cpu)
	run ictl log -n 1 -p emerg
	c1=$(cpu)
	assert_success
	# (the host's kernel ring may hold emerg lines of its own: "RDSEED32 is
	# broken" at boot on some AMD CPUs; none is a service's or PID 1's)
	refute_output --regexp $'(^|\n)(s[0-9]+|sandinit): '
	hz=$(getconf CLK_TCK)
	echo "log -n 1 -p emerg over $(ictl log | wc -l) lines: $(((c1 - c0) * 1000 / hz)) ms of PID 1's CPU"
	[ $(((c1 - c0) * 1000 / hz)) -lt 1000 ]
}
