# mk/reliability.mk: the control-request fuzz target and the host tests run
# against the sanitizer build (issue 7). Conventions: mk/unit.mk.
#
#   fuzz-ctl / fuzz-smoke-ctl   libFuzzer on ctl_parse (FUZZ_SECONDS / FUZZ_SMOKE_SECONDS)
#   check-sanitize              SAN_BATS against $(OUT)/san/sandinit (ASan+UBSan)

# ctl.c pulls in the supervisor, the loop and the sandbox: link all of init/
# but main.c (libFuzzer brings its own main).
CTL_FUZZ_SRCS := $(filter-out init/main.c,$(SRCS))

$(OUT)/fuzz/ctl_fuzz: tests/fuzz/ctl_fuzz.c $(CTL_FUZZ_SRCS) $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(CTL_FUZZ_SRCS)

# Requests are at most CTL_MAX_REQUEST (128 KiB) bytes; the first input byte
# is the argument limit.
fuzz-ctl: $(OUT)/fuzz/ctl_fuzz
	@mkdir -p $(OUT)/fuzz/corpus-ctl
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=131073 -print_final_stats=1 \
		-artifact_prefix=$(OUT)/fuzz/ctl- $(OUT)/fuzz/corpus-ctl tests/fuzz/corpus/ctl

fuzz-smoke-ctl:
	$(MAKE) --no-print-directory fuzz-ctl FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz: fuzz-ctl
fuzz-smoke: fuzz-smoke-ctl

# The host tests that run against the ASan+UBSan build. Leak checking is off:
# PID 1 never exits through exit(3) and its children exec or _exit. A small
# quarantine: freed blocks (a 128 KiB request buffer per control connection)
# would otherwise stay resident and read as growth in the RSS tests.
SAN_BATS ?= tests/core.bats tests/ctl.bats tests/reliability.bats
SAN_ENV := ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1:quarantine_size_mb=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

check-sanitize: $(OUT)/san/sandinit $(OUT)/rawsock
	$(SAN_ENV) SANDINIT=$(abspath $(OUT)/san/sandinit) bats $(SAN_BATS)

.PHONY: fuzz-ctl fuzz-smoke-ctl check-sanitize

# make check: the sanitizer run and a short smoke of every fuzz target.
check: check-sanitize fuzz-smoke
