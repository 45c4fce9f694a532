#!/usr/bin/env bats
# QEMU tier on the board's tailored kernel (KERNEL=tailored, SPEC section 9:
# board/B/kernel.config on tinyconfig, everything built in, no module
# support; make check builds it): the representative subset in three boots.
# One: the demo across the bridge, the uplink's DHCP, NAT and the published
# port, the kiosk beside it (its picture on the board's display, a key from
# QEMU's keyboard in its log and on the screen), the kernel's features, the
# devices the board gives (watchdog, data disk), and not one module message
# although the config has `modules` lines and nat/publish/interface (all
# built in). Two: the
# limits, a module that is nowhere reported once, and the shutdown of
# services that ignore SIGTERM. Three: the image without the kernel's list
# of built-in drivers, as the issue's first tailored boot had it. And the
# build's check of the fragment's symbols (a config, no build).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/qemu
load lib/screen

export KERNEL=tailored

# (qemu_boot fails without it, naming make KERNEL=tailored image)
TAILORED=$(qemu_board_out)

teardown() {
	qemu_kill
	[ -z "${HTTPD:-}" ] || kill "$HTTPD" 2>/dev/null || true
}

@test "tailored: the demo networks across the bridge, NAT and publish; the kiosk lights the screen and takes a key; built-in modules say nothing; devices are there" {
	local port gport rel
	rel=$(cat "$TAILORED/cache/kernel/release")
	port=$(free_port)
	gport=$(free_port)
	mkdir -p "$BATS_TEST_TMPDIR/www"
	echo "hello from the host side" >"$BATS_TEST_TMPDIR/www/index.html"
	busybox httpd -f -p "127.0.0.1:$gport" -h "$BATS_TEST_TMPDIR/www" &
	HTTPD=$!
	truncate -s 16M "$BATS_TEST_TMPDIR/data.img"
	mkfs.ext4 -q -F "$BATS_TEST_TMPDIR/data.img"
	# The demo with the watchdog of configs/full.conf, the modules the
	# tests name on Debian's kernel (ext4 for the data disk, i6300esb, the
	# kiosk's display and input drivers): here all built in; and the
	# kiosk's service of configs/kiosk.conf.
	sed 's/^modules veth bridge$/modules veth bridge ext4 virtio_blk i6300esb overlay virtio_pci bochs virtio_input evdev\nwatchdog \/dev\/watchdog0 30/' \
		"$ROOT/configs/default.conf" >"$BATS_TEST_TMPDIR/demo.conf"
	sed -n '/^service kiosk$/,/^$/p' "$ROOT/configs/kiosk.conf" >>"$BATS_TEST_TMPDIR/demo.conf"
	grep -q '^watchdog /dev/watchdog0 30$' "$BATS_TEST_TMPDIR/demo.conf"
	grep -q '^  exec /usr/bin/kiosk-demo$' "$BATS_TEST_TMPDIR/demo.conf"
	# the board's display, keyboard and tablet, no window; the monitor
	QEMU_DISPLAY=none
	export QEMU_DISPLAY
	QEMU_EXTRA="-monitor unix:$BATS_TEST_TMPDIR/mon.sock,server,nowait
		-drive file=$BATS_TEST_TMPDIR/data.img,if=virtio,format=raw -device i6300esb" \
	QEMU_PORTS="$port:80" QEMU_GUESTFWD=$gport qemu_boot "$BATS_TEST_TMPDIR/demo.conf"
	qemu_wait "^sandinit: kernel: userns=yes netns=yes cgroup2=memory,pids,cpu[a-z,]* seccomp=yes nftables=yes pidns=yes timens=yes release=$rel\$" 180
	run qemu_log
	assert_line --regexp '^sandinit: kernel: .*cgroup2=(.*,)?cpu(,|$| )'
	assert_line --regexp '^sandinit: kernel: .*cgroup2=(.*,)?io(,|$| )'
	assert_line --regexp '^sandinit: kernel: .*cgroup2=(.*,)?pids(,|$| )'
	qemu_wait 'sandinit: ready: 4 services in [0-9]+\.[0-9] ms' 60
	# across the bridge, then through the NAT to the host's server
	qemu_wait '^(# )?client: <html><body><p>hello from the sandinit demo appliance' 60
	qemu_wait '^sandinit: interface eth0: 10\.0\.2\.15/24 via none' 60
	qemu_wait '^client: hello from the host side$' 60
	# the published port, from the host
	run curl -s -m 20 "http://127.0.0.1:$port/"
	assert_success
	assert_output --partial 'hello from the sandinit demo appliance'
	# the kiosk: the display's mode set (DRM's fbdev emulation), its
	# picture over (nearly) the whole screen (the title bar is 1/16 of it)
	qemu_wait 'kiosk: kiosk-demo: [0-9]+x[0-9]+, (16|24|32) bpp, [1-9][0-9]* input devices' 60
	wait_screen 60 bg_at_least 900
	# a key from QEMU's keyboard: in its log, and its block on the screen
	run key_a_shown
	assert_failure
	mon 'sendkey a'
	qemu_wait 'kiosk: kiosk-demo: key 30 a$' 60
	wait_screen 60 key_a_shown
	# a kernel without module support; the devices are there: the
	# watchdog PID 1 opened, the data disk (ext4 mounts), the display's
	# framebuffer and the keyboard's event device
	qemu_type 'test -e /proc/modules || echo no-proc-modules; uname -r | sed s/^/release-/; ls -1 /dev/watchdog0 /dev/fb0 /dev/input/event0; mkdir -p /tmp/d && mount -t ext4 /dev/vda /tmp/d && echo ext4-mounted; echo devices-done\n'
	qemu_wait '^devices-done' 30
	run qemu_log
	assert_line 'no-proc-modules'
	assert_line "release-$rel"
	assert_line '/dev/watchdog0'
	assert_line '/dev/fb0'
	assert_line '/dev/input/event0'
	assert_line 'ext4-mounted'
	refute_output --partial 'sandinit: watchdog'
	# the config's modules and the ones nat, publish and interface imply
	# are all built in: not one line about a module
	refute_output --partial 'unable to load'
	# conntrack netlink is built in: the published port's start clears
	# its stale entries without a word
	refute_output --partial 'unable to clear the conntrack'
	qemu_type 'initctl poweroff\n'
	qemu_wait 'sandinit: poweroff' 60
	qemu_wait_exit 30
}

@test "tailored: limits hold; a module that is nowhere is reported once; poweroff stops what ignores SIGTERM" {
	cat >"$BATS_TEST_TMPDIR/cg.conf" <<-'EOF'
	modules veth no-such-module bridge
	modules no-such-module
	service bystander
	  memory 64M
	  exec /bin/probe sleep 100000
	service bomb
	  pids 32
	  restart never
	  exec /bin/probe forkbomb
	service hog
	  memory 16M
	  exec /bin/probe alloc 64
	service spinner
	  cpu 20
	  exec /bin/probe spin
	service stubborn
	  stop-timeout 2
	  exec /bin/probe ignore-term
	service console
	  namespaces none
	  tty /dev/console
	  exec /bin/sh
	EOF
	qemu_boot "$BATS_TEST_TMPDIR/cg.conf"
	qemu_wait 'sandinit: ready: 6 services' 120
	# the module that is neither built in nor loadable: once, though
	# named twice; veth and bridge (built in) not at all
	qemu_wait 'sandinit: unable to load module no-such-module: ' 30
	# pids: the bomb stops at pids.max
	qemu_wait 'bomb: stopped: EAGAIN' 30
	qemu_type 'echo pids=$(cat /sys/fs/cgroup/sandinit/bomb/pids.max)\n'
	qemu_wait 'pids=32$' 30
	# memory: OOM-killed in its own cgroup, named so
	qemu_wait 'sandinit: hog: killed by the OOM killer \(memory 16M\)' 60
	# cpu: the spinner is throttled to 20% of a CPU
	qemu_type 'n=0; until grep -q "^nr_throttled [1-9]" /sys/fs/cgroup/sandinit/spinner/cpu.stat; do n=$((n+1)); [ $n -gt 100 ] && break; sleep 0.1; done; cat /sys/fs/cgroup/sandinit/spinner/cpu.max; grep throttled /sys/fs/cgroup/sandinit/spinner/cpu.stat\n'
	qemu_wait '20000 100000' 30
	qemu_wait 'nr_throttled [1-9]' 30
	# the bystander's sandbox answers throughout
	qemu_type 'initctl exec bystander /bin/probe hostname; echo exec-rc=$?\n'
	qemu_wait 'hostname: bystander' 30
	qemu_wait 'exec-rc=0' 30
	run qemu_log
	refute_output --partial 'Kernel panic'
	refute_output --partial 'unable to load module veth'
	refute_output --partial 'unable to load module bridge'
	run grep -c 'unable to load module no-such-module' <(qemu_log)
	assert_output 1
	# shutdown: stubborn ignores SIGTERM and is killed after its 2 s
	qemu_wait 'stubborn: ignoring: TERM' 30
	qemu_type 'initctl poweroff\n'
	qemu_wait 'sandinit: poweroff' 60
	qemu_wait_exit 60
	run qemu_log
	assert_line --regexp 'sandinit: stubborn: did not stop in 2 s: killing it'
}

@test "tailored: an image without modules.builtin (the boot of the issue) says nothing about built-in veth and bridge" {
	# The image, less lib/modules: a kernel without module support and no
	# list of its built-in drivers; `modules` and a bridge with a veth
	local img=$BATS_TEST_TMPDIR/img
	mkdir -p "$img/cache/kernel/modules"
	cp -a "$TAILORED/rootfs" "$img/rootfs"
	rm -rf "$img/rootfs/lib/modules"
	"$ROOT/tools/mkcpio.sh" "$img/rootfs" "$img/initramfs.cpio.gz"
	ln -s "$TAILORED/vmlinuz" "$img/vmlinuz"
	cp "$TAILORED/cache/kernel/release" "$img/cache/kernel/"
	cat >"$BATS_TEST_TMPDIR/nolist.conf" <<-'EOF'
	modules veth bridge
	bridge br0 10.88.0.1/24
	service web
	  net br0 10.88.0.2/24
	  exec /usr/bin/nc -L -p 80 /usr/bin/httpd /www
	service client
	  after web
	  net br0
	  restart on-failure
	  exec /bin/sh -c "sleep 0.2; wget -O - http://10.88.0.2/"
	EOF
	SANDINIT_OUT=$img SANDINIT_CACHE=$img/cache qemu_boot "$BATS_TEST_TMPDIR/nolist.conf"
	qemu_wait 'sandinit: ready: 2 services' 120
	# the control: veth and bridge work (built in) ...
	qemu_wait '^client: <html><body><p>hello from the sandinit demo appliance' 60
	# ... and nothing was said about loading them
	run qemu_log
	refute_output --partial 'unable to load'
}

@test "tailored: a symbol of the fragment that does not stick fails the build, named; the board's fragment passes" {
	local work=$BATS_TEST_TMPDIR/k src=$ROOT/out/build/kernel/src
	mkdir -p "$work"
	# the source make KERNEL=tailored extracted, if there (else extracted
	# again from the package's .deb)
	[ ! -f "$src/.sandinit-version" ] || ln -s "$src" "$work/src"
	args() { echo "qemu-x86_64 $1 $(board_var BOARD_KERNEL_SOURCE) $(board_var BOARD_KERNEL_ARCH) $(board_var BOARD_KERNEL_TARGET)"; }
	# the control: the board's own fragment, every symbol as asked
	run env KERNEL_CONFIG_ONLY=1 "$ROOT/tools/build-kernel.sh" $(args "$ROOT/board/qemu-x86_64/kernel.config") "" \
		"$work" "$ROOT/out/cache/linux-source" "$work/kdir"
	assert_success
	assert_output --partial 'build-kernel: every symbol of'
	grep -qx 'CONFIG_VETH=y' "$work/obj/.config"
	# VIRTIO_PCI needs PCI and VIRTIO_MENU: alone on tinyconfig it stays
	# off, and so does a symbol that does not exist; both are named
	printf 'CONFIG_VIRTIO_PCI=y\nCONFIG_NO_SUCH_SYMBOL=y\nCONFIG_MODULES=n\n' >"$BATS_TEST_TMPDIR/bad.config"
	run env KERNEL_CONFIG_ONLY=1 "$ROOT/tools/build-kernel.sh" $(args "$BATS_TEST_TMPDIR/bad.config") "" \
		"$work" "$ROOT/out/cache/linux-source" "$work/kdir"
	assert_failure
	assert_output --partial 'did not stick'
	assert_output --partial 'CONFIG_VIRTIO_PCI=y (got n)'
	assert_output --partial 'CONFIG_NO_SUCH_SYMBOL=y (got n)'
	refute_output --partial 'CONFIG_MODULES'
	[ ! -e "$work/kdir" ]
}

@test "tailored: another clone takes the kernel from the cache outside the clone, without building it" {
	local w=$BATS_TEST_TMPDIR/clone2 cache=${XDG_CACHE_HOME:-$HOME/.cache}/sandinit/kernel
	# build FRAGMENT [CACHE_HOME]: as make KERNEL=tailored in another clone
	build() {
		env KERNEL_CACHED_ONLY=1 ${2:+XDG_CACHE_HOME=$2} "$ROOT/tools/build-kernel.sh" qemu-x86_64 "$1" \
			"$(board_var BOARD_KERNEL_SOURCE)" "$(board_var BOARD_KERNEL_ARCH)" "$(board_var BOARD_KERNEL_TARGET)" "" \
			"$w/build" "$w/deb" "$w/kdir"
	}
	# this clone's build is there (make KERNEL=tailored image); another
	# one takes it from the cache: a miss fails here (KERNEL_CACHED_ONLY)
	# rather than building again
	[ -f "$TAILORED/cache/kernel/vmlinuz" ]
	run build "$ROOT/board/qemu-x86_64/kernel.config"
	assert_success
	assert_output --regexp "^kernel: tailored .* cached in $cache/qemu-x86_64-"
	# nothing fetched, extracted or built; the same kernel
	run ls -A "$w/build" "$w/deb"
	refute_output --partial 'src'
	refute_output --partial '.deb'
	cmp "$w/kdir/vmlinuz" "$TAILORED/cache/kernel/vmlinuz"
	grep -q 'veth.ko$' "$w/kdir/modules/modules.builtin"
	# a comment of the fragment is not part of the key
	{ echo '# a comment'; cat "$ROOT/board/qemu-x86_64/kernel.config"; } >"$BATS_TEST_TMPDIR/commented.config"
	run build "$BATS_TEST_TMPDIR/commented.config"
	assert_success
	# the miss: an empty cache fails, named, and fetches nothing
	rm -rf "$w"
	run build "$ROOT/board/qemu-x86_64/kernel.config" "$BATS_TEST_TMPDIR/empty"
	assert_failure
	assert_output --regexp "KERNEL_CACHED_ONLY=1: no kernel qemu-x86_64-[^ ]+ in $BATS_TEST_TMPDIR/empty/sandinit/kernel"
	run ls -A "$w/build" "$w/deb"
	refute_output --partial 'src'
	refute_output --partial '.deb'
}
