# make check: every tier of the bats suite (and the unit tests), one summary.
# The host tier and the QEMU tier run side by side: they share nothing (each
# host test has its own unshare'd PID 1, each QEMU test its own guest and
# files), and the QEMU tier spends most of its wall time waiting on TCG.
# BATS_FILES narrows the run (e.g. BATS_FILES=tests/net.bats).
BATS_FILES ?= $(sort $(wildcard tests/*.bats))
# tests/qemu_tailored.bats (KERNEL=tailored) is left out until the board's
# fragment has CHECKPOINT_RESTORE (spawn writes ns_last_pid): `make
# KERNEL=tailored image && bats tests/qemu_tailored.bats` runs it.
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
# Before the tiers: the unit tests and sandbox-check (mk/sandbox.mk: the
# sandbox pieces through their harness, as root).
check: lint-tests check-prereqs check-boards
check-prereqs: all

# The KERNEL=tailored image of every board with a kernel.config (SPEC
# section 9), booted by tests/qemu_tailored.bats: the kernel is built once
# per source version and fragment (~10-15 min on 2 CPUs, the largest step
# of a fresh check) and cached outside the clone.
TAILORED_BOARDS := $(patsubst board/%/kernel.config,%,$(wildcard board/*/kernel.config))
check-tailored: all
	@for b in $(TAILORED_BOARDS); do \
	  $(MAKE) --no-print-directory BOARD=$$b KERNEL=tailored image || exit 1; done
check:
	@$(MAKE) --no-print-directory unit sandbox-check
	@pids=$(abspath $(OUT))/check.qemu-pids; : >"$$pids"; export QEMU_PIDFILE=$$pids; \
	  $(call run_tier,host,$(HOST_BATS)) & host=$$!; \
	  $(call run_tier,qemu,$(QEMU_BATS)); rc=$$?; \
	  wait $$host || rc=1; \
	  cat $(OUT)/check-host.tap $(OUT)/check-qemu.tap > $(OUT)/check.tap; \
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
