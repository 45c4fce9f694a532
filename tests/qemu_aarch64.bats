#!/usr/bin/env bats
# QEMU tier, the second board (issue 14, SPEC section 9): configs/default.conf
# booted on qemu-aarch64 (QEMU's virt machine, Debian's arm64 kernel, the
# image cross-built statically against musl: make BOARD=qemu-aarch64), one
# boot doing many checks: the demo's client fetches the page across the
# bridge; initctl status, and initctl exec of the probe in the web service
# from the console show the sandbox of SPEC section 6; a 32-bit ARM program
# runs on the host but is killed in the sandbox (the filter kills the
# AArch32 ABI); initctl poweroff ends QEMU cleanly.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
BOARD=qemu-aarch64
load lib/qemu

# le32 N...: N as 4 little-endian bytes, as printf escapes.
le32() {
	local n
	for n in "$@"; do
		printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n & 255)) $((n >> 8 & 255)) \
			$((n >> 16 & 255)) $((n >> 24 & 255))
	done
}
le16() { printf '\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)); }

# a32_elf FILE: a static AArch32 (ARM EABI) program, no libc, that writes
# "a32-ran" and exits 0: write(1, msg, 8) and exit(0) with svc 0.
a32_elf() {
	local base=$((0x10000)) size=$((52 + 32 + 32 + 8))
	{
		# ELF header: 32-bit, little-endian, ET_EXEC, EM_ARM (40),
		# entry after the one program header, EABI 5 soft-float flags.
		printf '\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00'
		printf "$(le16 2)$(le16 40)$(le32 1 $((base + 84)) 52 0 $((0x05000200)))"
		printf "$(le16 52)$(le16 32)$(le16 1)$(le16 0)$(le16 0)$(le16 0)"
		# PT_LOAD of the whole file at base, read + execute.
		printf "$(le32 1 0 $base $base $size $size 5 4096)"
		# mov r0,#1; add r1,pc,#20 (msg); mov r2,#8; mov r7,#4 (write); svc 0
		# mov r0,#0; mov r7,#1 (exit); svc 0
		printf "$(le32 0xe3a00001 0xe28f1014 0xe3a02008 0xe3a07004 0xef000000 \
			0xe3a00000 0xe3a07001 0xef000000)"
		printf 'a32-ran\n'
	} >"$1"
	chmod 755 "$1"
}

@test "qemu-aarch64: the demo boots, networks, shows the sandbox from the console, kills AArch32 calls, powers off" {
	local x=$BATS_TEST_TMPDIR
	mkdir -p "$x/extra/bin"
	a32_elf "$x/extra/bin/a32"
	qemu_boot "$ROOT/configs/default.conf" "$x/extra"
	qemu_wait '^sandinit: kernel: userns=yes netns=yes .* seccomp=yes .*release=[^ ]+-arm64$' 240
	qemu_wait 'sandinit: ready: [0-9]+ services in [0-9]+\.[0-9] ms' 240
	qemu_wait '^(# )?client: <html><body><p>hello from the sandinit demo appliance' 120
	# The console shell (outside any sandbox) on the PL011.
	qemu_type 'uname -m; tty; initctl status\n'
	qemu_wait '^aarch64$' 30
	qemu_wait '^web running [0-9]+ 0 10\.88\.0\.2 tcp:80->80$' 30
	qemu_wait '^client (running [0-9]+|exited -) 0 10\.88\.0\.3 -$' 30
	qemu_wait '^console running [0-9]+ 0 - -$' 30
	# The host's namespaces, then the web sandbox's as the probe sees it.
	qemu_type 'probe ns | sed s/^/host-/; echo host-$((6*7))\n'
	qemu_wait '^host-42$' 30
	qemu_type 'initctl exec web /bin/sh -c "probe ns; probe uidmap; probe caps; probe hostname; echo box-\$((6*7))"\n'
	qemu_wait '^box-42$' 60
	run qemu_log
	for ns in user pid mnt net uts ipc cgroup; do
		assert_line --regexp "^$ns: [0-9]+\$"
		assert_line --regexp "^host-$ns: [0-9]+\$"
		local in out
		in=$(sed -n "s/^$ns: //p" <<<"$output" | head -n 1)
		out=$(sed -n "s/^host-$ns: //p" <<<"$output" | head -n 1)
		[ "$in" != "$out" ] || fail "web shares the host's $ns namespace ($in)"
	done
	assert_line --regexp '^uid_map: 0 [1-9][0-9]{5,} 65536$'
	assert_line 'CapBnd: 00000000a80425fb'
	assert_line 'CapEff: 00000000a80425fb'
	assert_line 'NoNewPrivs: 1'
	assert_line 'Seccomp: 2'
	assert_line 'hostname: web'
	# AArch32: runs on the host (the control), killed by SIGSYS (128 + 31)
	# inside the sandbox before its first call does anything.
	qemu_type '/bin/a32; echo host-a32=$?\n'
	qemu_wait '^host-a32=0$' 30
	qemu_type 'initctl exec web /bin/a32; echo box-a32=$?\n'
	qemu_wait '^box-a32=159$' 30
	run qemu_log
	assert_equal "$(grep -c '^a32-ran$' <<<"$output")" 1
	refute_output --partial 'unable to'
	qemu_type 'initctl poweroff\n'
	qemu_wait 'sandinit: poweroff' 60
	qemu_wait_exit 60
}
