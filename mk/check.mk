# make check: every tier of the bats suite (and the unit tests), one summary.
# The host tier and the QEMU tier run side by side: they share nothing (each
# host test has its own unshare'd PID 1, each QEMU test its own guest and
# files), and the QEMU tier spends most of its wall time waiting on TCG.
# BATS_FILES narrows the run (e.g. BATS_FILES=tests/net.bats).
BATS_FILES ?= $(sort $(wildcard tests/*.bats))
# The tailored tier: tests/qemu_tailored.bats on BOARD's KERNEL=tailored
# image, when BOARD has a kernel.config (check-tailored below).
TAILORED_BATS := $(if $(wildcard board/$(BOARD)/kernel.config),$(filter tests/qemu_tailored.bats,$(BATS_FILES)))
QEMU_BATS := $(filter-out tests/qemu_tailored.bats,$(filter tests/qemu%.bats tests/build.bats,$(BATS_FILES)))
HOST_BATS := $(filter-out $(QEMU_BATS) tests/qemu_tailored.bats,$(BATS_FILES))

# One tier: bats --tap FILES into TAP; each line also to the terminal,
# tagged with the tier, as it comes.
define run_tier
( set -o pipefail; : >$(OUT)/check-$(1).tap; [ -z "$(2)" ] || \
  bats --tap $(2) | tee $(OUT)/check-$(1).tap | sed -u 's/^/[$(1)] /' )
endef

# tools/bats-lint: no line of the suite that can never fail its test.
LINT_FILES ?= $(sort $(wildcard tests/*.bats tests/lib/*.bash))

# Every board is checked: BOARD through the tiers here (the QEMU tier boots
# BOARD's build: tests/lib/qemu.bash follows BOARD, exported), every other
# board's build and its unit tests on its own architecture (unit-board, under
# QEMU user mode for a foreign one); a QEMU test file for one board sets
# BOARD itself (tests/qemu_aarch64.bats). The host tier runs the default
# board's build (out/): with another BOARD, check-prereqs makes it too.
export BOARD
check-boards:
	@for b in $(filter-out $(BOARD),$(BOARDS)); do \
	  if [ $$b = $(DEFAULT_BOARD) ]; then t=check-prereqs; else t=all; fi; \
	  $(MAKE) --no-print-directory BOARD=$$b $$t unit-board || exit 1; done

# The lint is check's first prerequisite: it fails the check before any
# test runs (check-sanitize and fuzz-smoke, from mk/reliability.mk, too).
# What the tests run (binaries, harnesses) are check-prereqs.
# Before the tiers: the unit tests, sandbox-check (mk/sandbox.mk: the
# sandbox pieces through their harness, as root) and cgroup-host-test
# (mk/cgroup.mk: init/cgroup.c through its harness, as root).
check: lint-tests check-prereqs check-boards
check-prereqs: all

# check-tailored: BOARD's KERNEL=tailored image (SPEC section 9), which the
# tailored tier boots. Its kernel is taken from the cache outside the clone
# (tools/build-kernel.sh), else built from Debian's linux-source package:
# ~10-15 min on 2 idle CPUs, the largest step of a fresh check. So make check
# starts it first, in the background at nice 19 (the build's own nice 10 on
# top of 9: the tiers beside it take the CPUs whenever they want them, so
# their timing is that of an idle machine's less what nice 19 takes),
# beside the unit tests, sandbox-check and the host and QEMU tiers; the
# tailored tier waits for it after the QEMU tier. Its output is in
# OUT/check-tailored.log; a check that ends early kills it (its own process
# group, setsid: procps' kill, as dash's cannot name a group).
check-tailored: all
	@$(MAKE) --no-print-directory KERNEL=tailored image

# check's recipe names make through CHECK_MAKE, not $(MAKE): a line that
# names $(MAKE) runs even under `make -n` (GNU make's recursion rule), and
# this line is the whole suite (tests/lint.bats dry-runs check).
CHECK_MAKE := $(MAKE)

check:
	@pids=$(abspath $(OUT))/check.qemu-pids; : >"$$pids"; export QEMU_PIDFILE=$$pids; \
	  klog=$(OUT)/check-tailored.log; kernel=; rc=0; : >$(OUT)/check-tailored.tap; \
	  if [ -n "$(TAILORED_BATS)" ]; then \
	    echo "check: the tailored image (check-tailored) in the background, at nice 19: $$klog"; \
	    setsid nice -n 9 $(CHECK_MAKE) --no-print-directory check-tailored >"$$klog" 2>&1 & kernel=$$!; \
	    trap '/bin/kill -s TERM -- -'$$kernel' 2>/dev/null' EXIT; trap 'exit 130' INT TERM; fi; \
	  $(CHECK_MAKE) --no-print-directory unit sandbox-check cgroup-host-test || exit 1; \
	  $(call run_tier,host,$(HOST_BATS)) & host=$$!; \
	  $(call run_tier,qemu,$(QEMU_BATS)) || rc=1; \
	  if [ -n "$$kernel" ]; then \
	    if wait $$kernel; then $(call run_tier,tailored,$(TAILORED_BATS)) || rc=1; \
	    else tail -n 30 "$$klog"; echo "check: check-tailored failed (the tailored tier did not run): $$klog"; rc=1; fi; \
	    trap - EXIT; fi; \
	  wait $$host || rc=1; \
	  cat $(OUT)/check-host.tap $(OUT)/check-qemu.tap $(OUT)/check-tailored.tap > $(OUT)/check.tap; \
	  pass=$$(grep -c '^ok ' $(OUT)/check.tap); fail=$$(grep -c '^not ok ' $(OUT)/check.tap); \
	  grep '^not ok ' $(OUT)/check.tap; \
	  echo "$$pass passed, $$fail failed"; \
	  [ "$$fail" = 0 ] || rc=1; \
	  for p in $$(cat "$$pids"); do \
	    if { tr '\0' ' ' </proc/$$p/cmdline; } 2>/dev/null | grep -q '^qemu-system'; then \
	      echo "check: QEMU guest $$p outlived its test"; rc=1; fi; done; exit $$rc

lint-tests:
	@tools/bats-lint $(LINT_FILES)

.PHONY: check lint-tests check-boards check-prereqs check-tailored

$(OUT)/rawsock: tests/tools/rawsock.c
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -Wall -o $@ $<

$(OUT)/dhcpbad: tests/tools/dhcpbad.c
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -Wall -o $@ $<

check-prereqs: $(OUT)/rawsock $(OUT)/dhcpbad
