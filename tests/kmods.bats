#!/usr/bin/env bats
# tools/kmods.sh and tools/mkrootfs.sh on BOARD's kernel (its download
# cache): a config's `device` nodes bring the modules that make them, with
# their closure, and a modules.devname whose lines are those kmod's depmod
# writes for the same modules (SPEC section 3 `modules`, `device`).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/qemu

setup() {
	OUT=${SANDINIT_OUT:-$(qemu_board_out)}
	KDIR=${SANDINIT_CACHE:-$OUT/cache}/kernel
	[ -f "$KDIR/release" ] || fail "no $KDIR/release: make image first"
	REL=$(cat "$KDIR/release")
	cat >"$BATS_TEST_TMPDIR/dev.conf" <<-'EOF'
	modules veth # a comment
	service vpn
	  device /dev/net/tun
	  device "/dev/ppp" ro
	  exec /bin/true
	service box
	  device /dev/loop-control # loop
	  device /dev/fuse
	  device /dev/input/event* ro
	  device /dev/dri
	  device /dev/kmsg
	  exec /bin/true
	EOF
}

# depmod's modules.devname for the whole kernel, from a scratch tree
# (depmod writes its files beside the modules).
depmod_devname() {
	local b=$BATS_TEST_TMPDIR/depmod
	mkdir -p "$b/lib/modules/$REL"
	ln -s "$(realpath "$KDIR/modules")/kernel" "$b/lib/modules/$REL/kernel"
	cp "$KDIR/modules/modules.order" "$KDIR/modules/modules.builtin"* "$b/lib/modules/$REL/"
	depmod -b "$b" "$REL" >&2
	cat "$b/lib/modules/$REL/modules.devname"
}

@test "kmods: the modules that make a config's device nodes, their closure, and depmod's modules.devname lines" {
	local d=$BATS_TEST_TMPDIR/mods line
	run "$ROOT/tools/kmods.sh" "$KDIR/modules" "$d" --config "$BATS_TEST_TMPDIR/dev.conf"
	assert_success
	assert_line 'kmods: /dev/net/tun is made by tun'
	assert_line 'kmods: /dev/kmsg: no module makes it'
	assert_line 'kmods: /dev/dri: no module makes it'
	# a glob is left for the nodes there at the start (no module named)
	refute_line --partial 'input'
	run ls "$d"
	# ppp_generic needs slhc; veth from the modules line
	assert_output "$(printf '%s\n' fuse.ko loop.ko modules.builtin modules.devname ppp_generic.ko slhc.ko tun.ko veth.ko)"
	run cat "$d/modules.devname"
	assert_line --index 0 '# Device nodes to trigger on-demand module loading.'
	assert_line 'tun net/tun c10:200'
	assert_line 'loop loop-control c10:237'
	run grep -vc '^#' "$d/modules.devname"
	assert_output 4
	# the lines kmod's depmod writes for the same modules, from the whole
	# kernel, and its first line
	depmod_devname >"$BATS_TEST_TMPDIR/depmod.devname"
	run grep -c . "$BATS_TEST_TMPDIR/depmod.devname"
	[ "$output" -ge 10 ] || fail "depmod wrote only $output lines"
	run bash -c "grep -E '^(tun|ppp_generic|loop|fuse) ' '$BATS_TEST_TMPDIR/depmod.devname' | LC_ALL=C sort"
	assert_output "$(grep -v '^#' "$d/modules.devname" | LC_ALL=C sort)"
	run head -n 1 "$BATS_TEST_TMPDIR/depmod.devname"
	assert_output "$(head -n 1 "$d/modules.devname")"
}

@test "kmods: a config without modules or plain device nodes writes nothing" {
	local d=$BATS_TEST_TMPDIR/none
	printf 'service a\n  device /dev/input/event*\n  exec /bin/true\n' >"$BATS_TEST_TMPDIR/none.conf"
	run "$ROOT/tools/kmods.sh" "$KDIR/modules" "$d" --config "$BATS_TEST_TMPDIR/none.conf"
	assert_success
	assert_output ''
	run ! test -e "$d"
	# the control: the same call with a node writes the directory
	printf '  device /dev/net/tun\n' >>"$BATS_TEST_TMPDIR/none.conf"
	run "$ROOT/tools/kmods.sh" "$KDIR/modules" "$d" --config "$BATS_TEST_TMPDIR/none.conf"
	assert_success
	test -f "$d/tun.ko"
}

@test "mkrootfs: the image of a config with device lines has their modules and modules.devname" {
	local img=$BATS_TEST_TMPDIR/rootfs
	[ -x "$OUT/toybox" ] || fail "no $OUT/toybox: make all first"
	run env BOARD_EXEC="$(board_var BOARD_EXEC)" "$ROOT/tools/mkrootfs.sh" "$img" "$OUT/sandinit" \
		"$OUT/toybox" - "$BATS_TEST_TMPDIR/dev.conf" "$KDIR" "$ROOT/rootfs"
	assert_success
	run ls "$img/lib/modules/$REL"
	assert_line tun.ko
	assert_line slhc.ko
	assert_line veth.ko
	run grep -x 'ppp_generic ppp c108:0' "$img/lib/modules/$REL/modules.devname"
	assert_success
}
