# cgroup: the harness of init/cgroup.c, on the host and booted as /init in QEMU.
CG_HARNESS := $(OUT)/cgroup_harness
# Scratch space for the QEMU run: never inside the repository.
CG_SCRATCH ?= /tmp/sandinit-cgroup-qemu
# A kernel whose cgroup2 offers memory, pids and cpu, e.g. Debian's vmlinuz.
CG_KERNEL ?=

$(CG_HARNESS): tests/unit/cgroup_harness.c init/cgroup.c init/conf_value.c init/cgroup.h init/conf.h $(KINC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -isystem $(KINC) -static -o $@ tests/unit/cgroup_harness.c init/cgroup.c init/conf_value.c

# Root only. The harness runs in a cgroup of its own made the root of a new
# cgroup namespace, so it touches nothing else of the host's hierarchy. On a
# hybrid host there are no controllers: the limits must fail, clearly.
cgroup-host-test: $(CG_HARNESS)
	@u=/sys/fs/cgroup; [ "$$(stat -fc %T $$u)" = cgroup2fs ] || u=/sys/fs/cgroup/unified; \
	d=$$u/cgharness.$$$$; mkdir $$d || exit 1; \
	sh -c 'echo $$$$ > '$$d'/cgroup.procs && exec unshare --cgroup --mount --propagation private \
		sh -c "mount -t cgroup2 none /sys/fs/cgroup && exec $(abspath $(CG_HARNESS))"'; \
	r=$$?; rmdir $$d; exit $$r

cgroup-qemu-test: $(CG_HARNESS)
	@[ -n "$(CG_KERNEL)" ] || { echo "set CG_KERNEL=/path/to/vmlinuz"; exit 1; }
	rm -rf $(CG_SCRATCH) && mkdir -p $(CG_SCRATCH)/root/dev $(CG_SCRATCH)/root/proc $(CG_SCRATCH)/root/sys
	cp $(CG_HARNESS) $(CG_SCRATCH)/root/init
	mknod -m 600 $(CG_SCRATCH)/root/dev/console c 5 1
	cd $(CG_SCRATCH)/root && find . | cpio -o -H newc --quiet | gzip > ../initrd.gz
	QEMU_MEM=256M timeout 120 $(BOARD_QEMU) $(CG_KERNEL) $(CG_SCRATCH)/initrd.gz \
		</dev/null | tee $(CG_SCRATCH)/console.log | grep -E '^(PASS|FAIL|SKIP)'
	grep -qE '^PASS: [0-9]+ passed, 0 failed' $(CG_SCRATCH)/console.log

.PHONY: cgroup-host-test cgroup-qemu-test
