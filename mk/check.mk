# make check: every tier of the bats suite (and the unit tests), one summary.
BATS_FILES ?= $(sort $(wildcard tests/*.bats))

check: all
	@$(MAKE) --no-print-directory unit
	@set -o pipefail; bats --tap $(BATS_FILES) | tee $(OUT)/check.tap; rc=$$?; \
	  pass=$$(grep -c '^ok ' $(OUT)/check.tap); fail=$$(grep -c '^not ok ' $(OUT)/check.tap); \
	  echo "$$pass passed, $$fail failed"; \
	  if pgrep -a qemu-system | grep -F -- '-kernel $(abspath $(OUT))/vmlinuz'; then \
	    echo "check: the QEMU guests above outlived their tests"; rc=1; fi; exit $$rc

.PHONY: check

$(OUT)/rawsock: tests/tools/rawsock.c
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -Wall -o $@ $<

check: $(OUT)/rawsock
