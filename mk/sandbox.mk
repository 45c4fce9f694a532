# Sandbox pieces (mount.c, privs.c, seccomp.c): the seccomp unit test (no
# privilege needed, hooked into `unit`; sanitized here, the board's build in
# mk/unit.mk) and the sandbox check (root: the real
# child sequence through tests/unit/sandbox_harness.c and the probe).
SANDBOX_SRCS := init/device.c init/mount.c init/mount_kfs.c init/mount_graft.c init/mount_overlay.c init/privs.c init/seccomp.c init/util.c
SANDBOX_HDRS := init/device.h init/mount.h init/mount_int.h init/privs.h init/seccomp.h init/conf.h init/util.h

# The test includes init/seccomp.c (it runs the program it builds). Its
# build as the board's binaries are, run on the board's architecture:
# unit-board (mk/unit.mk).
$(OUT)/unit/seccomp_test.san: tests/unit/seccomp_test.c init/seccomp.c init/seccomp.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $<

$(OUT)/unit/sandbox_harness: tests/unit/sandbox_harness.c $(SANDBOX_SRCS) $(SANDBOX_HDRS) $(KINC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -isystem $(KINC) -static -o $@ $< $(SANDBOX_SRCS)

unit-seccomp: $(OUT)/unit/seccomp_test.san
	$(UNIT_ENV) $(OUT)/unit/seccomp_test.san

unit: unit-seccomp

sandbox-check: $(OUT)/unit/sandbox_harness $(OUT)/probe
	tests/unit/sandbox_check.sh $(OUT)/unit/sandbox_harness $(OUT)/probe

.PHONY: unit-seccomp sandbox-check
