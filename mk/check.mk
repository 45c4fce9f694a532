# make check: every tier of the bats suite (and the unit tests), one summary.
BATS_FILES ?= $(sort $(wildcard tests/*.bats))

check: all
	@$(MAKE) --no-print-directory unit
	@set -o pipefail; pids=$(abspath $(OUT))/check.qemu-pids; : >"$$pids"; \
	  QEMU_PIDFILE=$$pids bats --tap $(BATS_FILES) | tee $(OUT)/check.tap; rc=$$?; \
	  pass=$$(grep -c '^ok ' $(OUT)/check.tap); fail=$$(grep -c '^not ok ' $(OUT)/check.tap); \
	  echo "$$pass passed, $$fail failed"; \
	  for p in $$(cat "$$pids"); do \
	    if { tr '\0' ' ' </proc/$$p/cmdline; } 2>/dev/null | grep -q '^qemu-system'; then \
	      echo "check: QEMU guest $$p outlived its test"; rc=1; fi; done; exit $$rc

.PHONY: check

$(OUT)/rawsock: tests/tools/rawsock.c
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -Wall -o $@ $<

check: $(OUT)/rawsock
