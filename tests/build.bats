#!/usr/bin/env bats
# tests/build.bats: the build and the image (SPEC section 1). Snapshots the
# working tree (others may be editing it) and builds the snapshot twice, into
# two scratch output directories sharing BOARD's cache (out/cache for the
# default board: the downloads), with a
# config that names modules and a pinned SOURCE_DATE_EPOCH; checks the
# binaries, the image's layout and that both images are byte-identical.

REPO=$(realpath "$BATS_TEST_DIRNAME/..")
bats_require_minimum_version 1.5.0
load lib/qemu
# BOARD's build (make check passes it): its download cache, and how its
# binaries run here (QEMU user mode for a foreign board).
CACHE=$(qemu_board_out)/cache
EXEC=$(board_var BOARD_EXEC)

build() { # build OUTDIR [MAKE ARGS...]
	local o=$1
	shift
	make -C "$BATS_FILE_TMPDIR/src" -j2 --no-print-directory OUT="$o" \
		CACHE="$CACHE" CONFIG="$BATS_FILE_TMPDIR/test.conf" \
		SOURCE_DATE_EPOCH="$(cat "$BATS_FILE_TMPDIR/epoch")" "$@" image
}

setup_file() {
	mkdir "$BATS_FILE_TMPDIR/src"
	(cd "$REPO" || exit 1; git ls-files -co --exclude-standard -z |
		cpio -pdm0 --quiet "$BATS_FILE_TMPDIR/src")
	git -C "$REPO" log -1 --format=%ct > "$BATS_FILE_TMPDIR/epoch"
	cat > "$BATS_FILE_TMPDIR/test.conf" <<-'EOF'
	# build.bats: modules with depends=, a built-in one and a missing one
	hostname buildtest
	modules veth bridge unix no-such-module
	service a
	    exec /bin/true
	EOF
	build "$BATS_FILE_TMPDIR/o1" > "$BATS_FILE_TMPDIR/o1.log" 2>&1 ||
		{ tail -n 30 "$BATS_FILE_TMPDIR/o1.log" >&3; return 1; }
	build "$BATS_FILE_TMPDIR/o2" > "$BATS_FILE_TMPDIR/o2.log" 2>&1 ||
		{ tail -n 30 "$BATS_FILE_TMPDIR/o2.log" >&3; return 1; }
}

setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	O1=$BATS_FILE_TMPDIR/o1
	O2=$BATS_FILE_TMPDIR/o2
	IMG=$O1/initramfs.cpio.gz
}

teardown() {
	qemu_kill
}

# The image as `cpio -itv` lists it, numeric ids.
listing() { zcat "$1" | cpio -itv --numeric-uid-gid --quiet; }
# Exact headers: INO MODE UID GID NLINK MTIME SIZE NAME.
headers() { zcat "$1" | "$REPO/tools/cpio-list.pl"; }
# One member's content.
member() { zcat "$1" | cpio -i --to-stdout --quiet "$2"; }

# readelf's program headers, without the sections of each segment.
program_headers() { readelf -lW "$1" | sed '/Section to Segment/,$d; /^$/d'; }

static_binary() {
	run file -L "$1"
	assert_output --partial 'statically linked'
	run readelf -lWd "$1"
	refute_output --partial 'INTERP'
	refute_output --partial '(NEEDED)'
}

@test "make deps is a quick no-op when everything is installed" {
	local stamp=$BATS_TEST_TMPDIR/deps-ok status=$BATS_TEST_TMPDIR/status
	local deps=(make -C "$REPO" --no-print-directory deps DEPS_STAMP="$stamp" DPKG_STATUS="$status")
	cp /var/lib/dpkg/status "$status"
	# the first check: one dpkg-query for the whole list, no apt-get, no
	# update; it records the list
	run strace -f -qq -e trace=execve -e signal=none -o "$BATS_TEST_TMPDIR/exec" "${deps[@]}"
	assert_success
	assert_output ''
	run grep -c 'execve("[^"]*/dpkg-query"' "$BATS_TEST_TMPDIR/exec"
	assert_output 1
	run grep -E 'execve\("[^"]*/apt(-get)?"' "$BATS_TEST_TMPDIR/exec"
	assert_failure
	assert [ -s "$stamp" ]
	# then none at all while dpkg's database and the list are the same
	run strace -f -qq -e trace=execve -e signal=none -o "$BATS_TEST_TMPDIR/exec" "${deps[@]}"
	assert_success
	assert_output ''
	run grep -cE 'execve\("[^"]*/dpkg(-query)?"' "$BATS_TEST_TMPDIR/exec"
	assert_output 0
	# dpkg's database changed since (a package removed?): checked again
	touch -d '-1 minute' "$stamp"
	run strace -f -qq -e trace=execve -e signal=none -o "$BATS_TEST_TMPDIR/exec" "${deps[@]}"
	assert_success
	run grep -c 'execve("[^"]*/dpkg-query"' "$BATS_TEST_TMPDIR/exec"
	assert_output 1
	# a package the recorded list lacks: checked again
	run strace -f -qq -e trace=execve -e signal=none -o "$BATS_TEST_TMPDIR/exec" \
		"${deps[@]}" DEPS_PKGS="$(cat "$stamp") coreutils"
	assert_success
	run grep -c 'execve("[^"]*/dpkg-query"' "$BATS_TEST_TMPDIR/exec"
	assert_output 1
	run grep -c ' coreutils$' "$stamp"
	assert_output 1
}

@test "make deps names a missing package every time, and records nothing" {
	local stamp
	# as a user (not root: it only prints the command)
	stamp=$(mktemp -d /tmp/sandinit-deps.XXXXXX)/deps-ok
	chmod 0777 "${stamp%/*}"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		make -C "$REPO" --no-print-directory deps DEPS_STAMP="$stamp" DEPS_PKGS="make sandinit-no-such-package"
	assert_success
	assert_output --partial 'deps: missing packages; as root run: apt-get update && apt-get install -y --no-install-recommends sandinit-no-such-package'
	assert [ ! -e "$stamp" ]
	rm -r "${stamp%/*}"
}

@test "the kiosk demo is static" {
	static_binary "$O1/kiosk-demo"
}

@test "sandinit is static and stripped" {
	static_binary "$O1/sandinit"
	run file "$O1/sandinit"
	assert_output --partial ', stripped'
	static_binary "$O1/sandinit.elf"
	run file "$O1/sandinit.elf"
	assert_output --partial ', stripped'
}

# issue 15: out/sandinit is the link (sandinit.elf) without the sections
# that are not loaded and with a section header table of the null entry
# alone (tools/elf-trim.c): the same program headers and loaded bytes, only
# the ELF header's section fields rewritten, then the table.
@test "sandinit is sandinit.elf without its unloaded sections, every loaded byte the same" {
	run readelf -SW "$O1/sandinit"
	assert_success
	assert_line 'There is 1 section header, starting at offset 0x'"$(printf %x $(($(stat -c %s "$O1/sandinit") - 64)))"':'
	assert_line --regexp '^  \[ 0\] .* NULL '
	# a control: the link has its sections
	run readelf -SW "$O1/sandinit.elf"
	assert_line --regexp ' \.text +PROGBITS '
	# the same program headers (readelf adds the sections of each segment
	# when there are sections)
	local phdrs
	phdrs=$(program_headers "$O1/sandinit.elf")
	run program_headers "$O1/sandinit"
	assert_line --regexp '^ +LOAD '
	assert_output "$phdrs"
	# the loaded bytes: up to the data segment's end
	local off size end=0
	while read -r off size; do
		end=$((off + size))
	done < <(awk '$1 == "LOAD" { print $2, $5 }' <<< "$phdrs")
	# cmp -l: the differing bytes (1-based) of the loaded part; only
	# e_shoff (41-48), e_shnum (61-62) and e_shstrndx (63-64) may differ
	run cmp -l -n "$end" "$O1/sandinit" "$O1/sandinit.elf"
	assert_failure
	run awk '!($1 >= 41 && $1 <= 48 || $1 >= 61 && $1 <= 64)' <<< "$output"
	assert_output ''
	# then, 8-aligned, the 64 zero bytes of the null entry, and nothing else
	run stat -c %s "$O1/sandinit"
	assert_output "$(((end + 7) / 8 * 8 + 64))"
	run cmp -i "$end:0" -n $(((end + 7) / 8 * 8 + 64 - end)) "$O1/sandinit" /dev/zero
	assert_success
}

# issue 15: -z common-page-size=16 puts the data segment right after the
# text in the file (no padding to a 4 KiB boundary); the kernel maps each
# segment by whole pages, which needs a segment's file offset and address
# equal modulo the page size (4096 on both boards' kernels).
@test "sandinit's segments: the data right after the text, mappable by 4 KiB pages" {
	run readelf -lW "$O1/sandinit"
	assert_success
	# Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg... Align
	local load
	load=$(awk '$1 == "LOAD" { print $2, $3, $5, $NF }' <<< "$output")
	run wc -l <<< "$load"
	assert_output 2
	local off addr size align end=-1 out=
	while read -r off addr size align; do
		out+=" align=$((align % 4096)) page=$((off % 4096 - addr % 4096))"
		# the data segment starts within 64 B of the text's end
		if ((end >= 0)); then
			out+=" gap=$((off - end < 64 ? off - end : -1))"
		fi
		end=$((off + size))
	done <<< "$load"
	run echo "$out"
	assert_output --regexp '^ align=0 page=0 align=0 page=0 gap=[0-9]+$'
}

# issue 15: musl's static_init_tls placed the program's thread-local
# variables (the PT_TLS segment, 0.7 KB); sandinit sets up no thread
# pointer at all (init/start.c; the crash-test build: init/mini_sys.c's
# __init_tls, the struct pthread alone), so the program must have none.
@test "sandinit has no TLS segment (no thread-local variables)" {
	run readelf -lW "$O1/sandinit"
	assert_success
	# a control: readelf lists the program headers
	assert_line --regexp '^ +LOAD '
	refute_line --regexp '^ +TLS '
}

# issue 15: x86_64's board builds PID 1's objects with an 8-byte-aligned
# stack (BOARD_PID1_CFLAGS), which is safe only while no instruction of the
# binary needs the psABI's 16: SSE's aligned loads and stores. So none may
# touch a vector register, in sandinit's code or in the musl members it
# links (a new member with SSE code would make this fail).
@test "x86_64: sandinit, built for an 8-byte stack, has no vector instruction" {
	run board_var BOARD_PID1_CFLAGS
	if [[ $output != *-mpreferred-stack-boundary=3* ]]; then
		# other boards keep their ABI's alignment: nothing to hold
		run board_var BOARD_ARCH
		refute_output x86_64
		return
	fi
	run objdump -d "$O1/sandinit.elf"
	assert_success
	# a control: the disassembly has the code (calls), and the same check
	# finds the SSE of the demo's musl stdio, built for the 16
	assert_line --regexp '	call +[0-9a-f]+'
	run grep -c '%[xyz]mm[0-9]' <(objdump -d "$O1/kiosk-demo")
	assert_success
	run grep '%[xyz]mm[0-9]' <(objdump -d "$O1/sandinit.elf")
	assert_failure
	assert_output ''
}

# issue 15: the release binary sets no thread pointer (init/start.c calls
# musl's __init_tp only in the crash-test build, for abort's raise): so no
# instruction may read one (%fs on x86_64, tpidr_el0 on aarch64): musl's
# __pthread_self, a stack-protector canary on x86_64. A musl member that
# needs it would fault at its first use in PID 1.
@test "sandinit reads no thread pointer (it sets none)" {
	local od
	od=$($(board_var BOARD_CC) -print-prog-name=objdump)
	run "$od" -d "$O1/sandinit.elf"
	assert_success
	# a control: the disassembly has the code, and the same check finds
	# the demo's (musl's start sets the pointer, its stdio reads it)
	assert_line --regexp '	(call|bl) +[0-9a-f]+'
	run grep -cE '%fs|tpidr_el0' <("$od" -d "$O1/kiosk-demo")
	assert_success
	run grep -E '%fs|tpidr_el0' <("$od" -d "$O1/sandinit.elf")
	assert_failure
	assert_output ''
}

# issue 15: init/start.c is the entry (out/sandinit is linked with
# -nostartfiles): none of musl's start code (__init_libc reads the auxiliary
# vector for what sandinit does not use), of its exit (runs .fini_array and
# atexit's list, both empty), of its __errno_location (errno is
# init/start.c's variable: init/pid1.h), or of the compiler's crtbegin.
@test "sandinit links none of musl's or the compiler's start files" {
	# a control: the map names libc members (memcpy's)
	run grep -c 'libc\.a(memcpy\.lo)' "$O1/sandinit.map"
	assert_success
	run grep -E 'libc\.a\((__libc_start_main|exit|__errno_location)\.lo\)|/(S?crt1|crt[in]|crtbegin[ST]?|crtend[ST]?)\.o' \
		"$O1/sandinit.map"
	assert_failure
}

# issue 15: musl's FILE machinery (stdout, stderr, fwrite, locks: 4 KB) and
# its vfprintf (10 KB) stay out; sandinit prints through init/fmt.c's
# snprintf and dprintf only.
@test "sandinit links none of musl's stdio and not its vfprintf" {
	# the map lists the libc members linked (a control: memcpy's is)
	run grep -c 'libc\.a(memcpy\.lo)' "$O1/sandinit.map"
	assert_success
	run grep -E 'libc\.a\((vfprintf|vsnprintf|fwrite|stdout|stderr|__stdio_write|fflush)\.lo\)' \
		"$O1/sandinit.map"
	assert_failure
}

# issue 15: init/fmt.c makes only the conversions sandinit's formats use;
# any other makes snprintf/dprintf fail and the message is lost, so every
# format in init/ must be one of them (tools/fmt-check).
@test "every printf format in init/ uses only init/fmt.c's conversions" {
	run "$REPO/tools/fmt-check"
	assert_success
	assert_output --regexp '^[1-9][0-9]{2,} conversions$'
	# a control: the check rejects what fmt.c does not make
	# (an __asm__ statement's registers are not conversions: skipped)
	printf '%s\n' 'f("%d %s %x %-5d %.3d %*d %hd %5.2f");' \
		'__asm__("mov %rsp,%rdi\n" "call f(%eax)");' >"$BATS_TEST_TMPDIR/f.c"
	run -1 "$REPO/tools/fmt-check" "$BATS_TEST_TMPDIR/f.c"
	assert_equal "${#lines[@]}" 6
	assert_line "$BATS_TEST_TMPDIR/f.c:1: %x"
	assert_line "$BATS_TEST_TMPDIR/f.c:1: %-5d"
	assert_line "$BATS_TEST_TMPDIR/f.c:1: %hd"
}

# issue 15: init/malloc.c replaces musl's mallocng (8 KB); one of musl's
# malloc objects linked beside it would mix two allocators' blocks.
@test "sandinit links none of musl's malloc objects" {
	# a control: the map names libc members (memcpy's)
	run grep -c 'libc\.a(memcpy\.lo)' "$O1/sandinit.map"
	assert_success
	run grep -E 'libc\.a\((malloc|lite_malloc|free|calloc|libc_calloc|realloc|aligned_alloc|posix_memalign|memalign|malloc_usable_size|replaced|donate)\.lo\)' \
		"$O1/sandinit.map"
	assert_failure
}

# issue 15: init/mini_sys.c's clock_gettime is the system call and its fork is
# _Fork: musl's would link the vDSO lookup and, for fork, the thread locks
# (lock_ptc, the rwlocks, __timedwait), 2.4 KB sandinit does not use; its
# fcntl, socket, pipe2... are the system calls without musl's fallbacks for
# old kernels (1.3 KB); its strlen, strchr, strspn, strcpy... go a byte at a
# time (musl's word-at-a-time ones: 1.3 KB); its stat family is the system
# call (musl's copies the kernel's struct field by field: 0.6 KB), as are
# sendmsg and recvmsg (musl's copy the msghdr and control messages to zero
# their padding: 0.5 KB); its strerror has musl's texts without musl's
# table of offsets and locale hook (0.3 KB); its sigaction is the system
# call (musl's locks against abort and unblocks its threads' signals: 0.5 KB);
# its syscall, open, openat, ioctl, prctl, fchdir, fchown, getcwd,
# readlink, signalfd, sigaltstack, mmap are the system calls
# without the canary checks of Debian's libc.a or musl's fallbacks through
# /proc/self/fd (__procfdname) and for old kernels (1.8 KB); its fork is
# the system call (musl's _Fork takes __abort_lock: __lock, 0.6 KB) and its
# __init_tls places no TLS image (static_init_tls, __copy_tls); its compares,
# strtok_r and atoi go a byte at a time (musl's libc.a has them at -O2),
# its readdir is getdents64 on a buffer (1.9 KB in all); its read, write,
# close, poll... are the system calls without musl's cancellation point
# (__syscall_cp, for threads); so are kill, mount, mkdir, bind... (each
# musl's the same call through __syscall_ret).
@test "sandinit links none of the musl members init/mini.c replaces" {
	# a control: the map names libc members (memcpy's)
	run grep -c 'libc\.a(memcpy\.lo)' "$O1/sandinit.map"
	assert_success
	run grep -E 'libc\.a\((vdso|clock_gettime|_?[Ff]ork|__lock|abort_lock|lock_ptc|__timedwait|pthread_rwlock_[a-z]+|fcntl|socket|socketpair|accept4?|pipe2?|dup3|epoll|fchmodat|strlen|strchrnul|strchr|memchr|strc?spn|st[rp]cpy|st[rp]ncpy|getenv|f?stat|fstatat|lstat|sendmsg|recvmsg|strerror|__lctrans|sigaction|syscall|open|openat|ioctl|isatty|prctl|fchdir|fchown|procfdname|getcwd|readlink|readlinkat|signalfd|sigaltstack|mmap|munmap|strn?cmp|strn?casecmp|tolower|strtok_r|atoi|fdopendir|readdir|closedir|read|write|close|recvfrom|sendto|waitpid|waitid|poll|pause|sigtimedwait|__syscall_cp|kill|getpid|getsid|setsid|setns|unshare|mount|mkdirat|mkdir|rmdir|unlink|chdir|chroot|access|chmod|umask|uname|sethostname|reboot|symlinkat|fchownat|setpriority|setfsuid|setfsgid|bind|getsockname|setsockopt|dup)\.lo\)' \
		"$O1/sandinit.map"
	assert_failure
}

@test "toybox is static musl, with sh, without ip, crypt or module applets" {
	static_binary "$O1/toybox"
	run $EXEC "$O1/toybox" sh -c 'echo toysh-$((6*7))'
	assert_output 'toysh-42'
	run $EXEC "$O1/toybox"
	assert_success
	local applets=" $output "
	applets=${applets//$'\n'/ }
	for a in sh httpd nc wget; do
		[[ $applets == *" $a "* ]] || fail "toybox lacks $a"
	done
	for a in ip passwd su login mkpasswd insmod modprobe; do
		[[ $applets != *" $a "* ]] || fail "toybox has $a"
	done
}

@test "two builds of the same tree give byte-identical images" {
	run cmp "$O1/initramfs.cpio.gz" "$O2/initramfs.cpio.gz"
	assert_success
}

@test "a rebuild after touching the inputs gives the same bytes" {
	local before
	before=$(sha256sum < "$IMG")
	touch "$O1/sandinit" "$O1/toybox"
	build "$O1"
	assert_equal "$(sha256sum < "$IMG")" "$before"
}

@test "image layout: init, initctl, toybox and its links, config" {
	run listing "$IMG"
	assert_success
	assert_line --regexp '^-rwxr-xr-x +1 0 +0 .* init$'
	assert_line --regexp '^lrwxrwxrwx .* 0 +0 .* bin/initctl -> \.\./init$'
	assert_line --regexp '^-rwxr-xr-x .* 0 +0 .* bin/toybox$'
	assert_line --regexp '^lrwxrwxrwx .* bin/sh -> toybox$'
	assert_line --regexp '^lrwxrwxrwx .* usr/bin/wget -> \.\./\.\./bin/toybox$'
	assert_line --regexp '^lrwxrwxrwx .* sbin/poweroff -> \.\./bin/toybox$'
	assert_line --regexp '^-rwxr-xr-x .* bin/probe$'
	# the kiosk's application (configs/kiosk.conf), static
	assert_line --regexp '^-rwxr-xr-x .* 0 +0 .* usr/bin/kiosk-demo$'
	# 0600: it holds every service's env (SPEC §6)
	assert_line --regexp '^-rw------- .* etc/sandinit.conf$'
	assert_line --regexp '^-rw-r--r-- .* etc/passwd$'
	for d in proc sys dev run tmp mnt root etc; do
		assert_line --regexp "^d.* $d\$"
	done
	refute_line --regexp '(^| )(s?bin|usr/s?bin)/ip$'
	run member "$IMG" etc/sandinit.conf
	assert_output "$(cat "$BATS_FILE_TMPDIR/test.conf")"
	run member "$IMG" init
	[ "$output" = "$(cat "$O1/sandinit")" ] || fail "/init is not out/sandinit"
}

@test "headers: uid/gid 0, mtime SOURCE_DATE_EPOCH, sorted, inodes numbered" {
	local epoch
	epoch=$(cat "$BATS_FILE_TMPDIR/epoch")
	run headers "$IMG"
	assert_success
	run awk -v e="$epoch" '$3 != 0 || $4 != 0 || $6 != e || $1 != NR - 1' <<< "$output"
	assert_output ''
	run headers "$IMG"
	run awk '{ print $8 }' <<< "$output"
	assert_equal "$output" "$(LC_ALL=C sort <<< "$output")"
}

@test "modules: flat <name>.ko with their depends, for the kernel's release" {
	local rel
	rel=$(cat "$CACHE/kernel/release")
	run listing "$IMG"
	for m in veth bridge stp llc; do
		assert_line --regexp " lib/modules/$rel/$m\.ko\$"
	done
	refute_line --regexp 'no[-_]such[-_]module'
	refute_line --regexp 'lib/modules/.*/unix\.ko$'
	run grep -c "lib/modules/$rel/.*\\.ko\$" <<< "$output"
	assert_output 4
}

@test "the image follows CONFIG's content" {
	local conf=$BATS_FILE_TMPDIR/test.conf before
	before=$(sha256sum < "$IMG")
	cp "$conf" "$conf.orig"
	sed -i 's/^modules .*/modules veth/' "$conf"
	build "$O1"
	run member "$IMG" etc/sandinit.conf
	assert_output --partial 'modules veth'
	run listing "$IMG"
	refute_line --partial 'bridge.ko'
	assert_line --partial 'veth.ko'
	cp "$conf.orig" "$conf"
	build "$O1"
	assert_equal "$(sha256sum < "$IMG")" "$before"
}

@test "the image boots to sandinit on the serial console; qemu_boot's files win" {
	local x=$BATS_TEST_TMPDIR
	mkdir -p "$x/extra/etc"
	echo extra-marker > "$x/extra/etc/marker"
	cat > "$x/boot.conf" <<-'EOF'
	service marker
	    exec /bin/cat /etc/marker
	    restart never
	    namespaces none
	EOF
	SANDINIT_OUT=$O1 SANDINIT_CACHE=$CACHE qemu_boot "$x/boot.conf" "$x/extra"
	qemu_wait '^sandinit: kernel: ' 180
	qemu_wait '^marker: extra-marker' 30
}
