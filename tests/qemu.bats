#!/usr/bin/env bats
# QEMU tier: the real image on Debian's kernel (issue 2): the demo boots to
# its ready line and networks across the bridge, modules load (those the
# config names, and those that make its device nodes), poweroff ends
# the machine, an invalid config boots into the rescue shell.

bats_load_library bats-support
bats_load_library bats-assert
load lib/qemu

@test "qemu: the default demo boots to ready, its client fetches the page across the bridge" {
	qemu_boot "$ROOT/configs/default.conf"
	qemu_wait '^sandinit: kernel: userns=yes netns=yes' 180
	qemu_wait 'sandinit: ready: 3 services in [0-9]+\.[0-9] ms' 180
	qemu_wait '^(# )?client: <html><body><p>hello from the sandinit demo appliance' 60
	# the console shell is live, and initctl works from it
	qemu_type 'initctl status\n'
	qemu_wait '^web running [0-9]+ 0 10\.88\.0\.2 tcp:80->80$' 30
	# lines written to /dev/kmsg (one write each, by cat: toysh's echo
	# writes its '\n' apart, printf each byte, each a record): both in
	# the ring named kernel; the warning on the console once, as the kernel
	# prints it (the board's loglevel=5; it may follow the shell's prompt),
	# the info line not at all; PID 1 prints neither
	qemu_type 'printf "<4>KMSG-WARN-%s" $((6*7)) >/tmp/kw; printf "<6>KMSG-INFO-%s" $((6*7)) >/tmp/ki; cat /tmp/kw >/dev/kmsg; cat /tmp/ki >/dev/kmsg; for i in 1 2 3 4 5 6 7 8 9 10; do initctl log kernel | grep -q KMSG-INFO-$((6*7)) && break; sleep 0.2; done; initctl log kernel | grep -c "KMSG-[A-Z]*-$((6*7))" | sed s/^/kernel-ring-has-/\n'
	qemu_wait '^kernel-ring-has-2' 30
	run qemu_log
	assert_line --regexp '(^|# )\[ *[0-9]+\.[0-9]+\] KMSG-WARN-42$'
	assert_equal "$(qemu_log | grep -c KMSG-WARN-42)" 1
	refute_output --partial 'KMSG-INFO-42'
	refute_output --partial 'kernel: KMSG'
	# it networked without any ip binary in the image
	qemu_type 'for p in /bin/ip /sbin/ip /usr/bin/ip /usr/sbin/ip; do test -e $p && echo HAS-$p; done; echo ip-check-done\n'
	qemu_wait '^ip-check-done' 30
	run qemu_log
	refute_output --partial 'HAS-/'
	qemu_type 'initctl poweroff\n'
	qemu_wait 'sandinit: poweroff' 60
	qemu_wait_exit 30
}

@test "qemu: modules loads veth and bridge with their dependencies; a missing device node's module is loaded, at boot and on a reload" {
	local kdir dir=$BATS_TEST_TMPDIR/extra
	cat >"$BATS_TEST_TMPDIR/mods.conf" <<-'EOF'
	modules veth bridge
	service mods
	  namespaces none
	  restart never
	  exec /bin/cat /proc/modules
	service vpn
	  restart never
	  caps net_admin
	  device /dev/net/tun
	  exec /bin/probe tun /dev/net/tun
	service nonode
	  restart never
	  device /dev/no-such-node
	  exec /bin/probe tun /dev/no-such-node
	service console
	  namespaces none
	  tty /dev/console
	  exec /bin/sh
	EOF
	# The reload adds a service with /dev/uinput: the image holds its
	# module as the builder puts it for that config; the boot's config does
	# not name it.
	{
		cat "$BATS_TEST_TMPDIR/mods.conf"
		printf 'service input\n  restart never\n  device /dev/uinput\n  exec /bin/probe try-open /dev/uinput rw\n'
	} >"$BATS_TEST_TMPDIR/reload.conf"
	kdir=${SANDINIT_CACHE:-${SANDINIT_OUT:-$(qemu_board_out)}/cache}/kernel
	mkdir -p "$dir/etc"
	cp "$BATS_TEST_TMPDIR/reload.conf" "$dir/etc/reload.conf"
	"$ROOT/tools/kmods.sh" "$kdir/modules" "$dir/lib/modules/$(cat "$kdir/release")" \
		--config "$BATS_TEST_TMPDIR/reload.conf"
	qemu_boot "$BATS_TEST_TMPDIR/mods.conf" "$dir"
	qemu_wait 'sandinit: ready: 4 services' 180
	qemu_wait '^(# )?mods: veth ' 30
	qemu_wait '^(# )?mods: bridge ' 30
	qemu_wait '^(# )?mods: stp ' 30
	qemu_wait '^(# )?mods: llc ' 30
	# Debian's tun is a module, loaded before the services start: the VPN
	# service opens /dev/net/tun and makes its interface.
	qemu_wait '^(# )?mods: tun ' 30
	qemu_wait '^(# )?vpn: tun: sbtun0$' 30
	# a node that no module makes fails the start, as before (the control)
	qemu_wait '^(# )?sandinit: nonode: unable to device /dev/no-such-node: No such file or directory$' 30
	qemu_type 'test -e /sys/module/uinput || echo uinput-not-$((6*7)); cp /etc/reload.conf /etc/sandinit.conf; initctl reload; echo reload-rc=$?\n'
	qemu_wait '^(# )?uinput-not-42' 30
	qemu_wait '^(# )?reload-rc=0' 60
	# (the console shell's prompt may come first on its line)
	qemu_wait '^(# )?input: ok$' 60
	run qemu_log
	refute_output --partial 'unable to load module'
}

@test "qemu: SIGUSR2 to PID 1 powers the machine off after the poweroff line" {
	cat >"$BATS_TEST_TMPDIR/off.conf" <<-'EOF'
	service sleeper
	  exec /bin/sleep 1000
	service off
	  namespaces none
	  after sleeper
	  restart never
	  exec /bin/sh -c "sleep 0.5; kill -USR2 1"
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/off.conf"
	qemu_wait 'sandinit: poweroff' 180
	qemu_wait_exit 30
}

@test "qemu: an invalid config boots into the rescue shell and PID 1 lives on" {
	cat >"$BATS_TEST_TMPDIR/bad.conf" <<-'EOF'
	service broken
	  restart sometimes
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/bad.conf"
	qemu_wait "/etc/sandinit.conf:2: " 180
	qemu_wait "/etc/sandinit.conf:1: service 'broken' has no 'exec'" 10
	qemu_wait 'starting the rescue program /bin/sh' 30
	# (not anchored: typed this early, the shell's prompt may come
	# between the echo of the input and the output, on the same line)
	qemu_type 'echo RESCUE-$((40+2))\n'
	qemu_wait 'RESCUE-42' 30
	# PID 1 still answers its socket
	qemu_type 'initctl status; echo status-rc=$?\n'
	qemu_wait '^status-rc=0' 30
	qemu_type 'initctl poweroff\n'
	qemu_wait 'sandinit: poweroff' 60
	qemu_wait_exit 30
}

@test "qemu: without the veth and bridge modules, networking fails clearly and PID 1 goes on" {
	cat >"$BATS_TEST_TMPDIR/nomod.conf" <<-'EOF'
	bridge br0 10.88.0.1/24
	service web
	  net br0
	  restart never
	  exec /bin/sleep 1000
	service plain
	  restart never
	  exec /bin/echo plain still runs
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/nomod.conf"
	qemu_wait 'sandinit: unable to create bridge br0 \(kernel lacks CONFIG_BRIDGE\?\)' 180
	qemu_wait 'sandinit: web: unable to ' 30
	qemu_wait '^plain: plain still runs' 30
	qemu_wait 'sandinit: ready: 2 services' 30
}

@test "qemu: a built-in module counts as loaded; a missing one is logged" {
	cat >"$BATS_TEST_TMPDIR/builtin.conf" <<-'EOF'
	modules unix veth no-such-module
	modules no-such-module
	service mods
	  namespaces none
	  restart never
	  exec /bin/cat /proc/modules
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/builtin.conf"
	qemu_wait 'sandinit: ready: 1 services' 180
	qemu_wait '^mods: veth ' 30
	# the failure of a module that is nowhere is logged (the control) ...
	qemu_wait 'sandinit: unable to load module no-such-module' 30
	# ... and unix, built into Debian's kernel (modules.builtin), is not one
	run qemu_log
	refute_output --partial 'unable to load module unix'
	# named twice, tried and reported once
	run grep -c 'unable to load module no-such-module' <(qemu_log)
	assert_output 1
}
