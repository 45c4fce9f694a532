#!/usr/bin/env bats
# Man pages (issue 5): sandinit(8), sandinit.conf(5) and initctl(8) render
# without warnings and document what the code has: every directive of the
# parser's table, every initctl command, every state, option and signal.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	ROOT=$(realpath "$BATS_TEST_DIRNAME/..")
	PAGES="$ROOT/init/sandinit.8 $ROOT/init/sandinit.conf.5 $ROOT/init/initctl.8"
}

# The page's text as troff source, \- made plain '-'.
src() { sed 's/\\-/-/g' "$1"; }

@test "man: each page renders with man -l and groff -ww without a warning" {
	local p
	for p in $PAGES; do
		[ -f "$p" ] || fail "no $p"
		run groff -man -ww -z "$p"
		assert_success
		assert_output ''
		run bash -c "MANWIDTH=80 man -l '$p' 2>&1 >/dev/null"
		assert_success
		assert_output ''
		run bash -c "MANWIDTH=80 man -l '$p' 2>/dev/null | wc -l"
		[ "$output" -gt 40 ] || fail "$p renders to only $output lines"
	done
}

@test "man: sandinit.conf(5) has every directive of init/conf_directive.c" {
	local d missing=
	for d in $(sed -n 's/^\t[DV]("\([a-z-]*\)", \(GLOBAL\|SERVICE\|ANY\).*/\1/p' \
		"$ROOT/init/conf_directive.c" | sort -u); do
		src "$ROOT/init/sandinit.conf.5" | grep -Eq "^\.B[IR]? \"?$d( |\"|$)" ||
			missing="$missing $d"
	done
	[ -z "$missing" ] || fail "sandinit.conf.5 lacks:$missing"
	# the table was read at all
	run grep -c '^	[DV]("' "$ROOT/init/conf_directive.c"
	[ "$output" -ge 30 ]
}

@test "man: initctl(8) has every command of init/ctl.c's table and every state" {
	local cmds c missing=
	cmds=$(grep -o '{ "[a-z]*", [0-9]' "$ROOT/init/ctl.c" | sed 's/{ "\([a-z]*\)".*/\1/')
	[ "$(echo "$cmds" | wc -l)" -ge 10 ] || fail "ctl.c's table of commands not found"
	for c in $cmds; do
		src "$ROOT/init/initctl.8" | grep -Eq "^\.B[IR]? \"?$c( |\"|$)" || missing="$missing $c"
	done
	for c in $(sed -n '/state_names\[\] = {/,/};/p' "$ROOT/init/supervise.c" | grep -o '"[a-z]*"' | tr -d '"'); do
		src "$ROOT/init/initctl.8" | grep -Eq "^\.B $c$" || missing="$missing state:$c"
	done
	[ -z "$missing" ] || fail "initctl.8 lacks:$missing"
	run src "$ROOT/init/initctl.8"
	assert_output --partial 'SO_PEERCRED'
	assert_output --partial 'SCM_RIGHTS'
	assert_output --partial 'SANDINIT_SOCKET'
	assert_output --regexp '\.SH EXIT STATUS'
	assert_output --regexp '\.SH PROTOCOL'
}

@test "man: sandinit(8) has every option, signal and console line of init/main.c" {
	local o s missing=
	for o in $(grep -o -- '--[a-z]*' "$ROOT/init/main.c" | sort -u); do
		src "$ROOT/init/sandinit.8" | grep -q -- "$o" || missing="$missing $o"
	done
	for s in $(sed -n '/^static void on_signal/,/^}/p' "$ROOT/init/main.c" |
		grep -o 'case SIG[A-Z0-9]*' | sed 's/case //'); do
		src "$ROOT/init/sandinit.8" | grep -q "^\.BR\? .*$s" || missing="$missing $s"
	done
	for o in 'kernel: userns=' 'ready: ' 'is invalid: starting the rescue program' \
		'exited with status' 'did not stop in' 'times in a row: starting' \
		'reload: ' 'unable to open the watchdog' 'sandinit: poweroff' \
		'sandinit: reboot' 'sandinit: halt' 'SANDINIT_SOCKET' 'sandinit.config=' \
		'/etc/sandinit.conf' '/run/sandinit.sock' 'EXIT STATUS' 'stop-timeout' 'cgroup.kill'; do
		src "$ROOT/init/sandinit.8" | grep -qF -- "$o" || missing="$missing '$o'"
	done
	[ -z "$missing" ] || fail "sandinit.8 lacks:$missing"
}
