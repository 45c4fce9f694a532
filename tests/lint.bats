#!/usr/bin/env bats
# tools/bats-lint (issue 18): a `! cmd` line or an `A && B` list never fails a
# bats test (errexit exempts them), so the suite has none; the lint rejects
# each such line and passes what is safe.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

setup() {
	LINT=$(realpath "$BATS_TEST_DIRNAME/../tools/bats-lint")
	F=$BATS_TEST_TMPDIR/sample.bats
}

# lint_rejects LINE MESSAGE: a sample test with LINE as its second line
# fails the lint, which names line 3 of the file and MESSAGE.
lint_rejects() {
	printf '@test "x" {\n\trun true\n%s\n\tassert_success\n}\n' "$1" >"$F"
	run -1 "$LINT" "$F"
	assert_output --partial "$F:3: $2"
	assert_equal "${#lines[@]}" 1
}

@test "lint: the whole suite passes" {
	run "$LINT"
	assert_success
	assert_output ''
}

@test "lint: a !-negated command is rejected, at the start of a line or after ; { |" {
	lint_rejects '	! grep -q x file' '! '
	lint_rejects '	! console | grep -q x	# a comment' '! '
	lint_rejects '	true; ! false' '! '
	lint_rejects '	{ ! false; }' '! '
	lint_rejects '	echo x | ! grep y' '! '
	lint_rejects '! false' '! '
}

@test "lint: an && chain of assertions is rejected, wherever it is" {
	lint_rejects '	[ "$a" -ge 1 ] && [ "$a" -lt 5 ]' '&& '
	lint_rejects '	[[ $a == 1 ]] && echo yes' '&& '
	lint_rejects '	test -e x && rm x' '&& '
	lint_rejects '	for v in 1 2; do [ -n "$v" ] && [ "$v" = 1 ]; done' '&& '
	lint_rejects '	x=$(cd /tmp && pwd)' '&& '
	lint_rejects '	echo "$(true && echo "a")"' '&& '
	lint_rejects '	cmd "quoted" && other' '&& '
}

@test "lint: run ! without bats_require_minimum_version is rejected" {
	printf '@test "x" {\n\trun ! false\n}\n' >"$F"
	run -1 "$LINT" "$F"
	assert_output "$F:2: run ! or run -N without bats_require_minimum_version 1.5.0 (bats ignores the status then)"
	printf '@test "x" {\n\trun -1 false\n}\n' >"$F"
	run -1 "$LINT" "$F"
	assert_output --partial "$F:2: run ! or run -N"
}

@test "lint: a clean file passes: run !, conditions, test operators, quotes, here-documents, comments" {
	# (@test at the start of a line would be bats' own, even here)
	sed 's/^%test/@test/' >"$F" <<-'EOF'
	bats_require_minimum_version 1.5.0
	load lib/host
	# a comment may say ! x && y
	%test "clean" {
		run ! false
		run -1 false
		if ! true; then fail; fi
		while ! true; do :; done
		until ! false; do :; done
		[ ! -e /nonexistent ]
		[[ ! -e /nonexistent ]]
		test ! -e /nonexistent
		[ "$a" != "$b" ]
		echo "${!v}" '! x && y' "! x && y" $'a\' && b'
		bash -c "! kill -0 1 && true"
		sh -c 'test -e x &&
			echo multi-line quote && done'
		x=$(echo "$(echo "nested")") # && in a comment
		cat <<-EOT
		  exec /bin/sh -c "test -e x && echo y"
		! not a command either
		EOT
		f=$(conf <<-'EOT'
		service s
		  exec /bin/sh -c "a && b"
		EOT
		)
		case $x in 0) echo zero ;; *) echo other ;; esac
		[ "$x" = 1 ] || fail "not 1"
	}
	EOF
	run "$LINT" "$F"
	assert_success
	assert_output ''
}

@test "lint: make check runs it first, and a violation fails it" {
	local root=$BATS_TEST_DIRNAME/..
	printf '@test "x" {\n\t! false\n}\n' >"$F"
	run -2 make -C "$root" --no-print-directory lint-tests LINT_FILES="$F"
	assert_line "$F:2: ! (a negated command never fails the test: run ! CMD, refute_*, assert_failure): 	! false"
	# check's first command is the lint, before any bats run (dry run:
	# bounded, as a recipe line naming $(MAKE) would run the whole suite)
	run timeout 120 make -n -C "$root" --no-print-directory check
	assert_success
	run grep -n -m1 -e 'bats-lint' -e 'bats ' <<<"$output"
	assert_output --regexp '^[0-9]+:.*tools/bats-lint'
}
