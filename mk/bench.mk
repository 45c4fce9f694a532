# mk/bench.mk: `make bench` (SPEC section 8): the spawn, teardown, size and
# memory figures on the host, the boot figures in QEMU; see tests/bench/README.md.
# Variables: BENCH_NS, BENCH_ROUNDS, BENCH_QEMU, BENCH_QEMU_ROUNDS, QEMU_ACCEL
# (passed through the environment to tests/bench/run).
BENCH_FLOOR := $(OUT)/bench/floor $(OUT)/bench/floor_full

$(OUT)/bench/floor: tests/bench/floor.c $(KINC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -O2 $(LDFLAGS) -o $@ $<

# The same-work floor: PID 1's own seccomp filter linked in (the same one).
$(OUT)/bench/floor_full: tests/bench/floor_full.c init/seccomp.c init/seccomp.h $(KINC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -O2 -isystem $(KINC) -Iinit $(LDFLAGS) -o $@ $< init/seccomp.c

# tests/bench.bats checks floor_full's sandbox against sandinit's.
check-prereqs: $(OUT)/bench/floor_full

# $(OUT)/unit/fw_harness (mk/firewall.mk): the publish.rules_ms figure.
# A board other than the default names its figures NAME.BOARD (SPEC
# section 8); a cross-built one (BOARD_EXEC) has only the boot figures.
BENCH_ENV := BOARD=$(BOARD) BENCH_HOST=$(if $(BOARD_EXEC),0,1) \
	BENCH_SUFFIX=$(if $(filter-out $(DEFAULT_BOARD),$(BOARD)),.$(BOARD))
# A board with a kernel.config boots its KERNEL=tailored image beside
# Debian's kernel (the figures NAME.tailored): built first (from the cache
# outside the clone when there).
BENCH_TAILORED := $(if $(wildcard board/$(BOARD)/kernel.config),bench-tailored)
bench: all $(BENCH_TAILORED) $(if $(BOARD_EXEC),,$(BENCH_FLOOR) $(OUT)/unit/fw_harness)
	$(BENCH_ENV) OUT=$(OUT) $(if $(BENCH_TAILORED),BENCH_TAILORED=$(OUT)/tailored) tests/bench/run

bench-tailored: all
	@$(MAKE) --no-print-directory KERNEL=tailored image

# Only the host figures, without the image (no QEMU boot).
bench-host: $(OUT)/sandinit $(BENCH_FLOOR) $(OUT)/unit/fw_harness
	BENCH_QEMU=0 OUT=$(OUT) tests/bench/run

.PHONY: bench bench-host bench-tailored
