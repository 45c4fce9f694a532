#!/usr/bin/env bats
# Host tier: initctl and the control socket (SPEC §5), readiness, critical
# services and the log ring (issue 5).

bats_require_minimum_version 1.5.0
load lib/host

RAWSOCK=$ROOT/out/rawsock

sleeper() {
	conf <<-'EOF'
	service web
	  exec /bin/sleep 1000
	service db
	  exec /bin/sleep 1000
	EOF
}

@test "status, stop, start, restart" {
	host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	run status_of web
	assert_success
	assert_output --regexp '^web running [0-9]+ 0 - -$'
	pid=$(echo "$output" | cut -d' ' -f3)
	run ictl stop web
	assert_success
	run status_of web
	assert_output 'web stopped - 0 - -'
	run ictl start web
	assert_success
	run status_of web
	assert_output --regexp '^web running [0-9]+ 1 - -$'
	run ictl restart web
	assert_success
	run status_of web
	assert_output --regexp '^web running [0-9]+ 2 - -$'
	[ "$(echo "$output" | cut -d' ' -f3)" != "$pid" ]
	run status_of db
	assert_output --regexp '^db running [0-9]+ 0 - -$'
}

@test "usage errors exit 2, unknown services exit 1" {
	host_start "$(sleeper)"
	run ictl frobnicate
	assert_equal "$status" 2
	run ictl start
	assert_equal "$status" 2
	run ictl status nosuch
	assert_equal "$status" 1
	assert_output --partial "no service 'nosuch'"
	run ictl log nosuch
	assert_equal "$status" 1
}

@test "exec fails closed when PID 1 may not enter the sandbox (no CAP_SYS_PTRACE)" {
	# The reaper is not dumpable: PID 1 cannot open its /proc/PID/ns then
	# (the first it opens is its pid namespace).
	# The command must not run in PID 1's namespaces instead.
	SANDINIT=$(without_cap sys_ptrace) host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	run -127 ictl exec web /bin/hostname
	assert_output --partial "initctl: unable to open web's pid namespace: Permission denied"
	refute_line --regexp '^[^i]'
}

# The host pids of PID 1's child that is a fork of it (comm sandinit, not
# the reaper) and of that child's own child; fails while there is none.
exec_pids() {
	local p1 c g
	p1=$(host_pid1)
	for c in $(cat "/proc/$p1/task/$p1/children"); do
		if [ "$(cat "/proc/$c/comm")" = sandinit ]; then
			g=$(cat "/proc/$c/task/$c/children")
			if [ -n "$g" ]; then
				echo "$c $g"
				return 0
			fi
		fi
	done
	return 1
}

@test "exec: its middle process, a fork of PID 1 that holds its memory, is not dumpable" {
	# PID 1, its fork, and the reader below: root with the same
	# capabilities, none with CAP_SYS_PTRACE; then only the dumpable flag
	# decides whether the reader passes ptrace_may_access (as for
	# /proc/PID/mem), shown on /proc/PID/exe, read under that check.
	f=$(conf <<-'EOF'
	service h
	  namespaces none
	  exec /bin/sleep 1000
	EOF
	)
	SANDINIT=$(without_cap sys_ptrace) host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	ictl exec h /bin/sleep 1000 >/dev/null 2>&1 3>&- &
	retry 10 exec_pids
	read -r mid cmd < <(exec_pids)
	nocap="setpriv --bounding-set -sys_ptrace --inh-caps -sys_ptrace"
	# the control: the command, dumpable again after its execve
	run $nocap readlink -v "/proc/$cmd/exe"
	assert_output --regexp '/sleep$'
	run $nocap readlink -v "/proc/$mid/exe"
	assert_failure
	assert_output --partial 'Permission denied'
}

@test "exec runs a command inside the service's sandbox" {
	host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	run ictl exec web /bin/hostname
	assert_success
	assert_output web
	run ictl exec web /bin/cat /proc/self/uid_map
	assert_success
	assert_output --regexp '^ +0 +[1-9][0-9]{5,} +65536$'
	# its pid namespace: the reaper, the service, and ours
	run ictl exec web /bin/ls /proc
	assert_success
	pids=$(grep '^[0-9]' <<<"$output" | sort -n | tr '\n' ' ')
	echo "pids: $pids"
	# the reaper, the service, and the command itself: nothing else
	[[ "$pids" =~ ^1\ 2\ [0-9]+\ $ ]]
	run ictl exec db /bin/hostname
	assert_output db
	run ictl exec web /bin/sh -c 'exit 7'
	assert_equal "$status" 7
	run ictl exec web /bin/sh -c 'read x; echo "got $x"' <<<"hello"
	assert_output 'got hello'
	run -127 ictl exec web /nonexistent
	assert_equal "$status" 127
}

# Is a process whose command line is "$*" running under our PID 1 (seen
# from the host: its parents up to PID 1)?
under_pid1() {
	local p1 p q
	p1=$(host_pid1)
	for p in $(pgrep -x -f "$*"); do
		q=$p
		while [ -n "$q" ] && [ "$q" -gt 1 ]; do
			if [ "$q" = "$p1" ]; then return 0; fi
			q=$(awk '{ print $4 }' "/proc/$q/stat" 2>/dev/null)
		done
	done
	return 1
}
not_under_pid1() { if under_pid1 "$@"; then return 1; fi; }

exec_conf() {
	conf <<-'EOF'
	service web
	  stop-timeout 1
	  exec /bin/sleep 1000
	service db
	  exec /bin/sleep 1000
	EOF
}

@test "exec: a non-tty initctl killed by timeout(1)'s TERM, by HUP or by KILL leaves no command behind" {
	host_start "$(exec_conf)"
	wait_console '^sandinit: ready: 2 services'
	web=$(status_of web | cut -d' ' -f3)
	db=$(status_of db | cut -d' ' -f3)
	# TERM, passed on to the command: it ends, and initctl with it
	timeout 2 env SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl exec web /bin/sleep 71 </dev/null 3>&- &
	t=$!
	retry 10 under_pid1 /bin/sleep 71
	st=0; wait "$t" || st=$?
	assert_equal "$st" 124
	retry 5 not_under_pid1 /bin/sleep 71
	timeout -s HUP 2 env SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl exec web /bin/sleep 72 </dev/null 3>&- &
	t=$!
	retry 10 under_pid1 /bin/sleep 72
	st=0; wait "$t" || st=$?
	assert_equal "$st" 124
	retry 5 not_under_pid1 /bin/sleep 72
	# KILL: initctl's connection closes, the command is hung up (HUP)
	SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl exec web /bin/sleep 73 </dev/null 3>&- &
	t=$!
	retry 10 under_pid1 /bin/sleep 73
	kill -KILL "$t"
	retry 5 not_under_pid1 /bin/sleep 73
	# one that ignores HUP, and what it started, are killed a stop-timeout later
	SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl exec web \
		/bin/sh -c 'trap "" HUP; /bin/sleep 75 & exec /bin/sleep 74' </dev/null 3>&- &
	t=$!
	retry 10 under_pid1 /bin/sleep 74
	retry 10 under_pid1 /bin/sleep 75
	kill -KILL "$t"
	retry 10 not_under_pid1 /bin/sleep 74
	retry 5 not_under_pid1 /bin/sleep 75
	# the controls: the services themselves untouched, a plain exec's status
	run status_of web
	assert_output --regexp "^web running $web 0 "
	run status_of db
	assert_output --regexp "^db running $db 0 "
	run -3 ictl exec web /bin/sh -c 'exit 3'
}

@test "exec: INT to a non-tty initctl reaches the command, whose status initctl exits with" {
	host_start "$(exec_conf)"
	wait_console '^sandinit: ready: 2 services'
	# (a background job of a script ignores INT: not initctl here)
	SANDINIT_SOCKET="$SOCK" env --default-signal=INT "$SANDINIT" ctl exec web \
		/bin/sh -c 'trap "echo got-int; exit 5" INT; /bin/sleep 76 & wait' \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	t=$!
	retry 10 under_pid1 /bin/sleep 76
	kill -INT "$t"
	st=0; wait "$t" || st=$?
	assert_equal "$st" 5
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output got-int
}

# initctl's socket holds a reply (the exit frame) it has not read.
reply_queued() { ss -xpn | awk -v p="pid=$1," 'index($0, p) && $3 > 0 { f = 1 } END { exit !f }'; }

@test "exec: a signal to a non-tty initctl after PID 1 closed the connection: initctl still exits with the command's status" {
	host_start "$(exec_conf)"
	wait_console '^sandinit: ready: 2 services'
	# The command ends when the test writes it a line (its stdin is a fifo
	# the test holds open): no window of its lifetime for a poll to miss.
	mkfifo "$BATS_TEST_TMPDIR/in"
	exec 4<>"$BATS_TEST_TMPDIR/in"
	for sig in 0 TERM; do
		SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl exec web /bin/sh -c 'read x; exit 3' \
			<"$BATS_TEST_TMPDIR/in" 3>&- 4>&- &
		t=$!
		retry 10 under_pid1 '/bin/sh -c read x; exit 3'
		kill -STOP "$t"
		echo >&4
		retry 10 not_under_pid1 '/bin/sh -c read x; exit 3'
		retry 10 reply_queued "$t"
		# TERM, with PID 1's end closed (0, none: the control)
		kill -"$sig" "$t"
		kill -CONT "$t"
		st=0; wait "$t" || st=$?
		assert_equal "$st" 3
	done
	exec 4>&-
}

@test "exec: a long command line (1022 words, 128 KiB) is carried whole; a longer one is refused with exit 1 saying the limit" {
	host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	run -0 ictl exec web /bin/echo $(seq 1 1021)
	assert_equal "$(wc -w <<<"$output")" 1021
	assert_line --regexp ' 1021$'
	long=$(head -c 120000 /dev/zero | tr '\0' x)
	run -0 ictl exec web /bin/sh -c 'printf %s "$1" | wc -c' sh "$long"
	assert_output 120000
	run -1 ictl exec web /bin/echo $(seq 1 1022)
	assert_output 'initctl: at most 1024 words in a request (1025 given)'
	run -1 ictl exec web /bin/echo "$long" "${long:0:20000}"
	assert_output 'initctl: at most 131072 bytes in a request (140021 given)'
	run status_of web
	assert_output --regexp '^web running '
}

@test "exec: a CMD found but not executable exits 126, one not found 127, each saying which and why" {
	host_start "$(conf <<-'EOF'
	service web
	  exec /bin/sleep 1000
	service noexec
	  restart never
	  exec /etc/passwd
	EOF
	)"
	wait_console '^sandinit: ready: 2 services'
	run -126 ictl exec web /etc/passwd
	assert_output 'initctl: unable to exec /etc/passwd: Permission denied'
	run -127 ictl exec web /nonexistent
	assert_output 'initctl: unable to exec /nonexistent: No such file or directory'
	# the control: an executable one runs
	run -0 ictl exec web /bin/true
	# a service's own exec failure names its program too
	wait_console '^sandinit: noexec: unable to exec /etc/passwd: Permission denied$'
}

@test "exec: a PATH entry that is a file or a loop is passed over, as sh(1) does: not found is 127" {
	ln -s loop "$BATS_TEST_TMPDIR/loop"
	host_start "$(conf <<-EOF
	service web
	  env PATH=/etc/passwd:$BATS_TEST_TMPDIR/loop:/bin:/usr/bin
	  namespaces none
	  exec /bin/sleep 1000
	EOF
	)"
	wait_console '^sandinit: ready: 1 services?'
	run -127 ictl exec web sandinit-nosuch
	assert_output 'initctl: unable to exec sandinit-nosuch: No such file or directory'
	# the control: one found further on runs
	run -0 ictl exec web true
}

@test "exec: a raw client's request, over 512 bytes more and its end at once: the end is read, the connection closed" {
	host_start "$(exec_conf)"
	wait_console '^sandinit: ready: 2 services'
	printf 'exec\0web\0/bin/sleep\0001001\0' >"$BATS_TEST_TMPDIR/words"
	len=$(stat -c %s "$BATS_TEST_TMPDIR/words")
	# (10 bytes: the control)
	for n in 10 5000; do
		printf "\\x$(printf %02x "$len")\\x00\\x00\\x00" >"$BATS_TEST_TMPDIR/req"
		cat "$BATS_TEST_TMPDIR/words" >>"$BATS_TEST_TMPDIR/req"
		head -c "$n" /dev/zero >>"$BATS_TEST_TMPDIR/req"
		# the command is hung up as the connection closes
		run -0 timeout 5 "$RAWSOCK" "$SOCK" --fds --half <"$BATS_TEST_TMPDIR/req"
	done
	retry 5 not_under_pid1 /bin/sleep 1001
}

@test "a service that names itself sandinit-reaper does not confuse status or exec" {
	# The comm is the service's to set: status must find the service by
	# what PID 1 holds, not by the name of a process.
	host_start "$(conf <<-'EOF'
	service web
	  exec /bin/sh -c "printf sandinit-reaper >/proc/self/comm; /bin/sleep 1000 & wait"
	service bare
	  namespaces none
	  exec /bin/sh -c "printf sandinit-reaper >/proc/self/comm; /bin/sleep 1001 & wait"
	service side
	  join web
	  exec /bin/sh -c "printf sandinit-reaper >/proc/self/comm; /bin/sleep 1002 & wait"
	EOF
	)"
	wait_console '^sandinit: ready: 3 services'
	# the fake is in place: web's pid 2 calls itself the reaper, its child sleeps
	retry 10 bash -c "[ \"\$(SANDINIT_SOCKET=$SOCK $SANDINIT ctl exec web /bin/cat /proc/2/comm)\" = sandinit-reaper ]"
	run ictl exec web /bin/hostname
	assert_success
	assert_output web
	for svc in web bare side; do
		run status_of "$svc"
		assert_success
		pid=$(echo "$output" | cut -d' ' -f3)
		# PID 1's /proc: the pid is the shell that faked the name
		run nsenter -t "$(host_pid1)" -m cat "/proc/$pid/comm"
		assert_output sandinit-reaper
		run nsenter -t "$(host_pid1)" -m cat "/proc/$pid/cmdline"
		assert_output --partial 'printf sandinit-reaper'
	done
	# web's and its pod member's: the service in its sandbox, pid 2 below
	# the reaper
	for svc in web side; do
		pid=$(status_of "$svc" | cut -d' ' -f3)
		run nsenter -t "$(host_pid1)" -m awk '/^NSpid:/ { print $NF }' "/proc/$pid/status"
		assert_output 2
	done
}

@test "initctl --socket PATH, before the command, over SANDINIT_SOCKET" {
	host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	ln -s "$SANDINIT" "$BATS_TEST_TMPDIR/initctl"
	# the control: the environment alone names a socket that is not there
	run -1 env SANDINIT_SOCKET=/nonexistent.sock "$BATS_TEST_TMPDIR/initctl" status
	run env SANDINIT_SOCKET=/nonexistent.sock "$BATS_TEST_TMPDIR/initctl" --socket "$SOCK" status web
	assert_success
	assert_line --regexp '^state: running$'
	run env -u SANDINIT_SOCKET "$SANDINIT" ctl --socket="$SOCK" stop web
	assert_success
	run status_of web
	assert_output 'web stopped - 0 - -'
	# a --socket without a path is a usage error
	run -2 "$BATS_TEST_TMPDIR/initctl" --socket
}

@test "status NAME: key: value lines; status: six columns" {
	host_start "$(conf <<-'EOF'
	service web
	  exec /bin/sleep 1000
	service three
	  exec /bin/sh -c "exit 3"
	  restart never
	service slow
	  ready fd 3
	  exec /bin/sleep 1000
	service late
	  after slow
	  exec /bin/sleep 1000
	service bare
	  namespaces none
	  user 1000:1000
	  exec /bin/sleep 1000
	service pod
	  join web
	  namespaces user pid mount
	  exec /bin/sleep 1000
	EOF
	)"
	# (no ready line: slow never says it is ready)
	all_up() { [ "$(ictl status | grep -Ec ' (running|failed) ')" = 5 ]; }
	retry 10 all_up
	run ictl status
	assert_success
	assert_line --regexp '^web running [0-9]+ 0 - -$'
	assert_line 'three failed - 0 - -'
	assert_line 'late waiting - 0 - -'
	run ictl status web
	assert_success
	assert_line --index 0 'state: running'
	assert_line --index 1 --regexp '^pid: [0-9]+$'
	assert_line --index 2 --regexp '^since: [0-9]+$'
	assert_line --index 3 'restarts: 0'
	assert_line --index 4 'last-exit: -'
	assert_line --index 5 'addresses: -'
	assert_line --index 6 'published: -'
	assert_line --index 7 --regexp '^memory: '
	assert_line --index 8 --regexp '^pids: '
	assert_line --index 9 --regexp '^cpu: [0-9]+\.[0-9]{6}$'
	assert_line --index 10 --regexp '^cgroup: /sys/fs/cgroup/sandinit[-0-9]*/web$'
	assert_line --index 11 'namespaces: user pid mount net uts ipc cgroup'
	assert_line --index 12 --regexp '^uids: [0-9]{6,}-[0-9]+$'
	assert_line --index 13 'waiting-for: -'
	assert_equal "${#lines[@]}" 14
	# the figures are its cgroup's: the pid is in cgroup.procs, the cpu
	# time is cpu.stat's (a sleeping service uses no more meanwhile)
	pid=$(grep '^pid: ' <<<"$output" | cut -d' ' -f2)
	cg=$(grep '^cgroup: ' <<<"$output" | cut -d' ' -f2)
	cpu=$(grep '^cpu: ' <<<"$output" | cut -d' ' -f2)
	run nsenter -t "$(host_pid1)" -m -p cat "$cg/cgroup.procs"
	assert_line "$pid"
	usec=$(nsenter -t "$(host_pid1)" -m awk '$1 == "usage_usec" { print $2 }' "$cg/cpu.stat")
	assert_equal "$cpu" "$(printf '%d.%06d' $((usec / 1000000)) $((usec % 1000000)))"
	# the uid range is the one in its user namespace's map
	first=$(ictl status web | sed -n 's/^uids: \([0-9]*\)-\([0-9]*\)$/\1 \2/p')
	run ictl exec web /bin/cat /proc/self/uid_map
	assert_output --regexp "^ +0 +${first% *} +$(( ${first#* } - ${first% *} + 1 ))$"
	# a pod member shows its pod's range
	run ictl status pod
	assert_line "uids: ${first/ /-}"
	assert_line 'namespaces: user pid mount'
	run ictl status three
	assert_line 'state: failed'
	assert_line 'pid: -'
	assert_line 'last-exit: status 3'
	assert_line 'memory: -'
	assert_line 'cgroup: -'
	run ictl status late
	assert_line 'state: waiting'
	assert_line 'waiting-for: slow'
	run ictl status bare
	assert_line 'namespaces: none'
	assert_line 'uids: 1000-1000'
	# a stop ends it by its stop signal
	run ictl stop web
	assert_success
	run ictl status web
	assert_line 'state: stopped'
	assert_line 'last-exit: signal TERM'
	assert_line --regexp '^since: [01]$'
}

@test "exit status 130 and a death by SIGINT are told apart, through a sandbox's reaper (a pod's too) and without" {
	host_start "$(conf <<-'EOF'
	service code
	  restart never
	  exec /bin/sh -c "exit 130"
	service intr
	  restart never
	  exec /bin/sh -c "kill -INT $$; sleep 100"
	service hcode
	  namespaces none
	  restart never
	  exec /bin/sh -c "exit 130"
	service hintr
	  namespaces none
	  restart never
	  exec /bin/sh -c "kill -INT $$; sleep 100"
	service pod
	  exec /bin/sleep 1000
	service pcode
	  join pod
	  restart never
	  exec /bin/sh -c "exit 130"
	service pintr
	  join pod
	  restart never
	  exec /bin/sh -c "kill -INT $$; sleep 100"
	EOF
	)"
	wait_console '^sandinit: ready: 7 services'
	all_failed() { [ "$(ictl status | grep -c ' failed ')" = 6 ]; }
	retry 10 all_failed
	run ictl status code
	assert_line 'last-exit: status 130'
	run ictl status intr
	assert_line 'last-exit: signal INT'
	run ictl status hcode
	assert_line 'last-exit: status 130'
	run ictl status hintr
	assert_line 'last-exit: signal INT'
	run console
	assert_line 'sandinit: code: exited with status 130'
	assert_line 'sandinit: intr: killed by signal INT'
	assert_line 'sandinit: hcode: exited with status 130'
	assert_line 'sandinit: hintr: killed by signal INT'
	# a pod member: its own reaper under the pod's
	run ictl status pcode
	assert_line 'last-exit: status 130'
	run ictl status pintr
	assert_line 'last-exit: signal INT'
	refute_line 'sandinit: intr: exited with status 130'
}

@test "start gives up after stop-timeout plus 30 s, saying what it waits on" {
	host_start "$(conf <<-'EOF'
	service db
	  ready fd 3
	  exec /bin/sleep 1000
	service web
	  after db
	  stop-timeout 1
	  exec /bin/sleep 1000
	service other
	  stop-timeout 1
	  exec /bin/sleep 1000
	EOF
	)"
	retry 10 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -q '^web waiting '"
	# the control: a start with nothing to wait on answers at once
	run ictl stop other
	assert_success
	run ictl start other
	assert_success
	# db never says it is ready: web's start waits 1 + 30 s, then exit 1
	s0=$(date +%s%N)
	run -1 ictl start web
	ms=$(( ($(date +%s%N) - s0) / 1000000 ))
	echo "gave up after $ms ms"
	assert_output 'initctl: gave up: web is waiting for db'
	assert [ "$ms" -ge 31000 ]
	assert [ "$ms" -le 40000 ]
	# PID 1 still answers, web still waits
	run status_of web
	assert_output 'web waiting - 0 - -'
}

# through_script CMD: run CMD under script(1), on a pty as an operator's
# terminal, its output in $BATS_TEST_TMPDIR/out; what CMD reads comes from the
# fifo $BATS_TEST_TMPDIR/in (kept open on fd 7).
through_script() {
	SANDINIT_SOCKET=$SOCK timeout 60 script -qfec "$1" /dev/null \
		<"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>&1
}
seen() { grep -q -- "$1" "$BATS_TEST_TMPDIR/out"; }

@test "exec with a terminal: a pty of the sandbox's, ^C and the window size reach the command" {
	host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	mkfifo "$BATS_TEST_TMPDIR/in"
	exec 7<>"$BATS_TEST_TMPDIR/in"
	# the command's terminal is a pty of the sandbox's own devpts, not
	# initctl's (another device, another devpts), sized as initctl's
	through_script "stty cols 91 rows 33; stat -Lc 'outer: %d %t:%T' /proc/self/fd/0; $SANDINIT ctl exec web /bin/sh -c 'stty size; echo \"link: \$(readlink /proc/self/fd/0)\"; stat -Lc \"inner: %d %t:%T\" /proc/self/fd/0; stat -fc \"fs: %T\" /dev/pts; ls /proc/self/fd | tr \"\\n\" \" \"; echo; exit 5'; echo rc=\$?"
	run tr -d '\r' <"$BATS_TEST_TMPDIR/out"
	assert_line 'rc=5'
	assert_line '33 91'
	assert_line --regexp '^link: /dev/pts/[0-9]+$'
	assert_line 'fs: devpts'
	outer=$(grep '^outer: ' <<<"$output" | cut -d' ' -f2)
	inner=$(grep '^inner: ' <<<"$output" | cut -d' ' -f2)
	[ -n "$outer" ]
	[ -n "$inner" ]
	assert [ "$outer" != "$inner" ]
	# 0, 1, 2 and ls's own: nothing of initctl's
	assert_line --regexp '^0 1 2 3 $'

	# ^C (sent as a byte through the outer pty) is the command's SIGINT
	: >"$BATS_TEST_TMPDIR/out"	# (the feeder must not see the last run's)
	( retry 20 seen ready; printf '\003' >&7 ) &
	feeder=$!
	through_script "$SANDINIT ctl exec web /bin/sh -c 'trap \"echo got-INT; exit 7\" INT; echo ready; while :; do sleep 0.1; done'; echo rc=\$?"
	wait "$feeder"
	run tr -d '\r' <"$BATS_TEST_TMPDIR/out"
	assert_line --regexp 'got-INT$'
	assert_line 'rc=7'

	# a new window size follows (SIGWINCH to initctl, then to the command)
	: >"$BATS_TEST_TMPDIR/out"
	( retry 20 seen ready
	  stty -F "$(sed -n 's/^outer-tty: \(.*\)\r$/\1/p' "$BATS_TEST_TMPDIR/out")" rows 40 cols 100
	  retry 20 seen '40 100'
	  printf '\003' >&7 ) &
	feeder=$!
	through_script "echo outer-tty: \$(tty); $SANDINIT ctl exec web /bin/sh -c 'trap \"stty size\" WINCH; trap \"exit 3\" INT; stty size; echo ready; while :; do sleep 0.1; done'; echo rc=\$?"
	wait "$feeder"
	run tr -d '\r' <"$BATS_TEST_TMPDIR/out"
	assert_line '0 0'
	assert_line '40 100'
	assert_line --regexp '(^|\^C)rc=3$'
	exec 7>&-
}

@test "exec with stdin not a terminal: the terminal on stdout and stderr stays initctl's, the output arrives" {
	host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	mkfifo "$BATS_TEST_TMPDIR/in"
	exec 7<>"$BATS_TEST_TMPDIR/in"
	# stdin /dev/null, stdout and stderr script(1)'s pty: the command gets
	# pipes for those two (and its stdin as it is), and what it writes to
	# either still reaches the terminal
	through_script "stat -Lc 'outer: %F %t:%T' /proc/self/fd/1; $SANDINIT ctl exec web /bin/sh -c 'for i in 0 1 2; do echo \"fd\$i: \$(stat -Lc \"%F %t:%T\" /proc/\$\$/fd/\$i)\"; done; echo to-stderr >&2; echo last; exit 4' </dev/null; echo rc=\$?"
	exec 7>&-
	run tr -d '\r' <"$BATS_TEST_TMPDIR/out"
	# the control: initctl's stdout was a terminal
	assert_line --regexp '^outer: character special file [0-9a-f]+:[0-9a-f]+$'
	outer=$(sed -n 's/^outer: character special file //p' <<<"$output")
	assert_line 'fd0: character special file 1:3'
	assert_line 'fd1: fifo 0:0'
	assert_line 'fd2: fifo 0:0'
	refute_line --regexp "^fd[0-2]: .* $outer\$"
	assert_line 'to-stderr'
	assert_line 'last'
	assert_line 'rc=4'
}

@test "exec without a terminal: initctl's own stdin, stdout and stderr" {
	host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	run ictl exec web /bin/sh -c 'readlink /proc/self/fd/0 /proc/self/fd/1; test -t 0 || echo no-tty' </dev/null
	assert_success
	assert_line --index 0 --regexp '^(/dev/null|pipe:)'
	assert_line --index 1 --regexp '^pipe:'
	assert_line 'no-tty'
}

@test "reload: adds, removes, restarts changed, leaves the rest alone" {
	f=$(conf <<-'EOF'
	service keep
	  exec /bin/sleep 1000
	service change
	  exec /bin/sleep 1000
	service drop
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 3 services'
	keep=$(status_of keep | cut -d' ' -f3)
	change=$(status_of change | cut -d' ' -f3)
	cat >"$f" <<-'EOF'
	service keep
	  exec /bin/sleep 1000
	service change
	  exec /bin/sleep 2000
	service add
	  exec /bin/sleep 1000
	EOF
	run ictl reload
	assert_success
	retry 10 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -q '^add running '"
	retry 10 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -q '^change running '"
	run ictl status
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 3
	assert_line --regexp "^keep running $keep 0 - -$"
	refute_line --partial drop
	new=$(status_of change | cut -d' ' -f3)
	[ "$new" != "$change" ]
	run status_of drop
	assert_equal "$status" 1
	# an invalid config is reported and the running one kept
	echo 'service broken-' >"$f"
	run ictl reload
	assert_failure
	assert_output --partial "$f:1:"
	run status_of keep
	assert_output --regexp "^keep running $keep 0 - -$"
}

@test "start while a service is being restarted waits for its next run: after a restart's stop, through a crash's backoff" {
	host_start "$(conf <<-'EOF'
	service crashy
	  exec /bin/sh -c "echo up; /bin/sleep 1; exit 1"
	service stubborn
	  stop-timeout 2
	  exec /bin/sh -c "trap 'echo got TERM' TERM; while :; do /bin/sleep 1000 & wait; done"
	EOF
	)"
	wait_console '^sandinit: ready: 2 services'
	# the control: a start of a running service answers at once
	run -0 ictl start stubborn
	old=$(status_of stubborn | cut -d' ' -f3)
	# a restart is stopping it (it ignores TERM: killed after 2 s)
	ictl restart stubborn 3>&- &
	rpid=$!
	wait_console '^stubborn: got TERM$'
	run -0 ictl start stubborn
	# answered once its next run is running, not while the old one ended
	run status_of stubborn
	assert_output --regexp '^stubborn running [0-9]+ 1 - -$'
	refute_output --regexp "^stubborn running $old "
	wait "$rpid"
	refute_line --partial 'stubborn: killed by signal' <<<"$(console)"
	# a crash's restart: start while it backs off answers once it runs
	for i in 1 2 3; do
		retry 20 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -q '^crashy backoff '"
		run -0 ictl start crashy
		run ictl status crashy
		assert_line --regexp '^state: (running|exited|backoff)$'
		refute_line 'state: waiting'
	done
}

@test "start of a service that fails at once answers 1 with its last-exit; its dependent says once that it will not start" {
	f=$(conf <<-'EOF'
	service fail1
	  restart never
	  exec /bin/sh -c "echo failing >&2; exit 3"
	service crash
	  exec /bin/sh -c "exit 4"
	service dep
	  after fail1
	  exec /bin/sleep 1000
	service web
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 4 services'
	wait_console '^sandinit: dep: not started: fail1, which it comes after, has failed$'
	run -1 ictl start fail1
	assert_output 'initctl: fail1 failed to start (last-exit: status 3)'
	# one that will be tried again (restart on-failure) says so
	run -1 ictl start crash
	assert_output 'initctl: crash backs off before its next try: it failed to start (last-exit: status 4)'
	run -1 ictl start dep
	assert_output --partial 'dep waits for fail1, which has given up'
	run status_of dep
	assert_output 'dep waiting - 0 - -'
	run grep -c 'dep: not started' "$BATS_TEST_TMPDIR/console.log"
	assert_output 1
	# the controls: a start of a service that stays up answers 0, once
	run -0 ictl stop web
	run -0 ictl start web
	run status_of web
	assert_output --regexp '^web running [0-9]+ 1 - -$'
}

@test "start of a service whose dependency gave up answers 1 instead of waiting" {
	f=$(conf <<-'EOF'
	service broken
	  restart never
	  exec /bin/false
	service child
	  after broken
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 2 services'
	run timeout 10 env SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl start child
	assert_equal "$status" 1
	assert_output --partial 'child waits for broken, which has given up'
}

@test "a reload that changes a stopping service back leaves it running on the current config" {
	f=$(conf <<-'EOF'
	service slow
	  exec /bin/sh -c "trap 'sleep 1; exit 0' TERM; while :; do sleep 0.1; done"
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	cp "$f" "$BATS_TEST_TMPDIR/a.conf"
	sed -i 's/sleep 0.1/sleep 0.2/' "$f"
	run ictl reload
	assert_success
	# back to the first while the change's stop (1 s) is under way
	cp "$BATS_TEST_TMPDIR/a.conf" "$f"
	run ictl reload
	assert_success
	# the change's stop ends, and it starts again, once
	restarted() { status_of slow | grep -Eq '^slow running [0-9]+ 1 - -$'; }
	retry 10 restarted
	run grep -c '^sandinit: reload: slow changed: restarting it$' "$BATS_TEST_TMPDIR/console.log"
	assert_output 1
	# PID 1 answers, and a third reload frees what the first two left
	run ictl reload
	assert_success
	run status_of slow
	assert_output --regexp '^slow running [0-9]+ 1 - -$'
}

@test "a client that stops reading its reply loses it, and its slot, after the timeout" {
	f=$(conf <<-'EOF'
	log-size 2M
	service talk
	  exec /bin/sh -c "head -c 1000000 /dev/zero | tr '\\0' x; echo; exec sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	pid1=$(host_pid1)
	# the whole megabyte is in the ring first (a short reply would end
	# before the test could see the client hold its slot)
	full() { [ "$(ictl log talk | wc -c)" -gt 1000000 ]; }
	retry 20 full
	nsock() { ls -l /proc/"$pid1"/fd | grep -c 'socket:'; }
	base=$(nsock)
	# a log request (1 MB of reply) whose reply nobody reads until the
	# test says so; then it reads what it can and prints how much it got
	python3 -c '
import os, socket, struct, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
req = b"log\0talk\0"; s.sendall(struct.pack("=I", len(req)) + req)
t = time.time()
open(sys.argv[3], "w").write("%d\n" % int(t * 1000))
while not os.path.exists(sys.argv[2]) and time.time() - t < 30: time.sleep(0.05)
n = 0
while True:
    b = s.recv(65536)
    if not b: break
    n += len(b)
print(n)' "$SOCK" "$BATS_TEST_TMPDIR/read" "$BATS_TEST_TMPDIR/sent" >"$BATS_TEST_TMPDIR/got" &
	stalled=$!
	more() { [ "$(nsock)" -gt "$base" ]; }
	retry 10 more
	# PID 1 lets it go 5 s after the last progress (the socket's buffers
	# fill at once): not before, and not long after; timed from the
	# client's request (the last progress comes after it), so that a
	# slow poll here cannot make the slot look freed early
	sent() { [ -s "$BATS_TEST_TMPDIR/sent" ]; }
	retry 10 sent
	back() { [ "$(nsock)" -eq "$base" ]; }
	retry 15 back
	ms=$(( $(date +%s%N) / 1000000 - $(cat "$BATS_TEST_TMPDIR/sent") ))
	echo "slot freed after $ms ms"
	[ "$ms" -ge 4500 ] || fail "the client lost its slot after $ms ms, before the timeout"
	[ "$ms" -le 8000 ] || fail "the client kept its slot $ms ms"
	# its reply was cut: it gets what was in flight, then EOF
	touch "$BATS_TEST_TMPDIR/read"
	wait "$stalled"
	got=$(cat "$BATS_TEST_TMPDIR/got")
	echo "the client got $got bytes"
	[ "$got" -gt 0 ] || fail "the client got nothing"
	[ "$got" -lt 1000000 ] || fail "the client got its whole reply ($got bytes)"
	# an initctl that reads gets it whole: the reply was cut, not short
	ictl log talk >"$BATS_TEST_TMPDIR/log"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/log")" -gt 1000000 ]
	run status_of talk
	assert_success
}

@test "a non-root client is refused" {
	# a socket it can reach, so that PID 1's own check is what refuses it
	SOCK_PATH=$(mktemp -d /tmp/sandinit-ctl.XXXXXX)/ctl.sock
	chmod 755 "$(dirname "$SOCK_PATH")"
	host_start "$(sleeper)"
	chmod 666 "$SOCK"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl status
	assert_equal "$status" 1
	assert_output --partial 'permission denied'
	run status_of web
	assert_success
	# (the socket is how host_stop powers it off)
	host_stop
	rm -rf "$(dirname "$SOCK_PATH")"
}

@test "garbage, truncated, oversized and half-open requests leave PID 1 answering" {
	host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	# garbage: a length that does not match its NUL-separated words
	run bash -c "printf '\x05\x00\x00\x00statusXXXX' | $RAWSOCK $SOCK --half"
	assert_output --partial 'malformed'
	# a length over the limit
	run bash -c "printf '\xff\xff\xff\x7f' | $RAWSOCK $SOCK --half"
	assert_output --partial 'too large'
	# truncated: says 100 bytes, sends 3, then closes
	run bash -c "printf '\x64\x00\x00\x00abc' | $RAWSOCK $SOCK --half"
	# no NUL at all, random bytes
	head -c 3000 /dev/urandom >"$BATS_TEST_TMPDIR/junk"
	run bash -c "$RAWSOCK $SOCK --half <'$BATS_TEST_TMPDIR/junk'"
	# half-open connections hold a slot only until they time out
	pids=()
	for i in $(seq 1 20); do
		printf '\x10\x00\x00\x00st' | "$RAWSOCK" "$SOCK" --hold 3000 >/dev/null &
		pids+=($!)
	done
	run status_of web
	assert_success
	assert_output --regexp '^web running'
	wait "${pids[@]}"
	run status_of db
	assert_success
}

@test "ready fd: a service that is ready after 1 s holds back its dependents" {
	f=$(conf <<-'EOF'
	service slow
	  ready fd 3
	  exec /bin/sh -c "cut -d' ' -f1 /proc/uptime; sleep 1; echo ready >&3; exec sleep 1000"
	service user
	  after slow
	  exec /bin/sh -c "cut -d' ' -f1 /proc/uptime; exec sleep 1000"
	EOF
	)
	host_start "$f"
	wait_console '^user: [0-9.]+$'
	wait_console '^sandinit: ready: 2 services'
	t0=$(console | sed -n 's/^slow: \([0-9.]*\)$/\1/p')
	t1=$(console | sed -n 's/^user: \([0-9.]*\)$/\1/p')
	echo "slow at $t0, user at $t1"
	[ "$(echo "$t1 - $t0 >= 0.95" | bc)" = 1 ]
	# and no longer than that: the dependent starts as soon as the line comes
	[ "$(echo "$t1 - $t0 <= 3" | bc)" = 1 ]
	run status_of slow
	assert_output --regexp '^slow ready [0-9]+ 0 - -$'
}

@test "a critical service that fails 5 times in a row starts the rescue program" {
	cat >"$BATS_TEST_TMPDIR/rescue" <<-'EOF'
	#!/bin/sh
	echo RESCUE FOR CRITICAL
	exec sleep 1000
	EOF
	chmod +x "$BATS_TEST_TMPDIR/rescue"
	f=$(conf <<-EOF
	rescue $BATS_TEST_TMPDIR/rescue
	service vital
	  critical yes
	  exec /bin/false
	service other
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console 'RESCUE FOR CRITICAL' 20
	assert_equal "$(console | grep -c 'sandinit: vital: exited with status 1')" 5
	run status_of vital
	assert_output 'vital failed - 4 - -'
	run status_of other
	assert_output --regexp '^other running'
}

@test "10 MB through a 64K ring leaves exactly its last 64K" {
	f=$(conf <<-'EOF'
	service chatty
	  restart never
	  exec /bin/sh -c "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 10000000"
	EOF
	)
	host_start "$f"
	retry 60 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -q '^chatty exited'"
	want=$(yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 10000000 | tail -c 65536 | sha256sum)
	ictl log chatty >"$BATS_TEST_TMPDIR/log"
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/log")" 65536
	assert_equal "$(sha256sum <"$BATS_TEST_TMPDIR/log")" "$want"
}

@test "SIGHUP reloads like initctl reload" {
	f=$(conf <<-'EOF'
	service one
	  exec /bin/sleep 1000
	EOF
	)
	host_start "$f"
	wait_console '^sandinit: ready: 1 services'
	printf 'service one\n  exec /bin/sleep 1000\nservice two\n  exec /bin/sleep 1000\n' >"$f"
	kill -HUP "$(host_pid1)"
	retry 10 bash -c "SANDINIT_SOCKET=$SOCK $SANDINIT ctl status | grep -q '^two running'"
}

# A stop that reaches a sandbox while it is still being set up (its first
# process is init of a new pid namespace: a TERM it does not block then is
# dropped by the kernel) is acted on once it can be, not after stop-timeout.
@test "a stop sent while a service is still starting stops it at once, not at its stop-timeout" {
	host_start "$(conf <<-'EOF'
	bridge br0 10.98.0.1/24
	service ok
	  net br0
	  stop-timeout 30
	  exec /bin/sleep 100000
	EOF
	)"
	wait_console '^sandinit: ready: 1 service'
	# start it without waiting, then stop it as soon as PID 1 has begun the
	# start (a raw client: initctl's own start-up takes longer than the
	# sandbox's set-up); prints how long each stop took, in ms
	python3 -c '
import socket, struct, sys, time
def send(*args):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(60)
    body = b"".join(a.encode() + b"\0" for a in args)
    s.sendall(struct.pack("=I", len(body)) + body)
    return s
def reply(s):
    out = b""
    while True:
        b = s.recv(65536)
        if not b: return out
        out += b
def state():
    r = reply(send("status")); text = b""
    while len(r) >= 5:
        n = struct.unpack("=I", r[1:5])[0]; text += r[5:5 + n] if r[:1] == b"1" else b""; r = r[5 + n:]
    return [l.split()[1] for l in text.decode().splitlines() if l.split()[:1] == ["ok"]][0]
for i in range(int(sys.argv[2])):
    reply(send("stop", "ok"))
    a = send("start", "ok")
    t = time.time()
    while state() == "stopped" and time.time() - t < 10: pass
    t = time.time()
    reply(send("stop", "ok"))
    ms = int((time.time() - t) * 1000)
    print(ms, state(), flush=True)
    a.close()
    if ms > 5000: break
' "$SOCK" 8 >"$BATS_TEST_TMPDIR/stops"
	cat "$BATS_TEST_TMPDIR/stops"
	run wc -l <"$BATS_TEST_TMPDIR/stops"
	assert_output 8
	# each stop done (both bounds: the service seen stopped, and soon)
	run grep -vc ' stopped$' "$BATS_TEST_TMPDIR/stops"
	assert_output 0
	run awk '$1 < 0 || $1 > 5000' "$BATS_TEST_TMPDIR/stops"
	assert_output ''
	run console
	refute_output --partial 'did not stop'
	# the control: the service does start and run when left alone
	run ictl start ok
	assert_success
	run status_of ok
	assert_output --regexp '^ok running [0-9]+ '
}

@test "long-running clients take at most 96 of the 128 slots: status still answers, the others are refused" {
	host_start "$(sleeper)"
	wait_console '^sandinit: ready: 2 services'
	# (a duration no other test's sleep has: the host sees them by it)
	n=$((900000000 + RANDOM * 32768 + RANDOM))
	# more execs that last than there are slots
	pids=()
	for i in $(seq 130); do
		SANDINIT_SOCKET=$SOCK "$SANDINIT" ctl exec web /bin/sleep "$n" \
			</dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/e$i" 3>&- &
		pids+=($!)
	done
	running() { pgrep -xf "/bin/sleep $n" | wc -l; }
	enough() { [ "$(running)" -ge 96 ]; }
	retry 60 enough
	# the operator still gets an answer (before: status waited in the
	# listen backlog behind them, for as long as they ran)
	s0=$(date +%s%N)
	run timeout 20 env SANDINIT_SOCKET="$SOCK" "$SANDINIT" ctl status
	ms=$(( ($(date +%s%N) - s0) / 1000000 ))
	echo "status answered in $ms ms"
	assert_success
	assert_line --regexp '^web running [0-9]+ 0 - -$'
	assert [ "$ms" -ge 0 ]
	assert [ "$ms" -le 10000 ]
	# 96 run their command (the positive control), the 34 others were told
	refused() { grep -lx 'initctl: busy: 96 long-running clients at most' "$BATS_TEST_TMPDIR"/e* | wc -l; }
	all_told() { [ "$(refused)" -eq 34 ]; }
	retry 30 all_told
	run running
	assert_output 96
	# a start that would wait is refused too, and not done
	run ictl stop db
	assert_failure 1
	assert_output --partial 'initctl: busy: 96 long-running clients'
	run status_of db
	assert_output --regexp '^db running [0-9]+ 0 - -$'
	kill "${pids[@]}" 2>/dev/null || :
	wait "${pids[@]}" 2>/dev/null || :
}
