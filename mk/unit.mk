# Unit tests and fuzz targets.
#
# Convention, for every mk/*.mk that adds one: a unit test is a rule
# `unit-NAME` that builds and runs it, hooked in with `unit: unit-NAME`; a
# fuzz target has `fuzz-NAME` (runs FUZZ_SECONDS) and `fuzz-smoke-NAME`
# (runs FUZZ_SMOKE_SECONDS), hooked in with `fuzz: fuzz-NAME` and
# `fuzz-smoke: fuzz-smoke-NAME`. Binaries go to $(OUT)/unit/ and
# $(OUT)/fuzz/; inputs a fuzzer finds go to $(OUT)/fuzz/corpus-NAME/, never
# into the seed corpus tests/fuzz/corpus/NAME/ kept in git.

FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=c11 -g -O1 $(WARN) -D_GNU_SOURCE -Iinit \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
UNIT_CFLAGS := -std=c11 $(WARN) -D_GNU_SOURCE -Iinit $(SAN) -fno-sanitize-recover=all
UNIT_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1

CONF_SRCS := init/conf.c init/conf_directive.c init/conf_global.c init/conf_service.c \
	init/conf_check.c init/conf_value.c
CONF_HDRS := init/conf.h init/conf_parser.h init/conf_value.h init/conf_directive.h

$(OUT)/unit/conf_test: tests/unit/conf_test.c $(CONF_SRCS) $(CONF_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(CONF_SRCS)

unit-conf: $(OUT)/unit/conf_test
	$(UNIT_ENV) $<

$(OUT)/fuzz/conf_fuzz: tests/fuzz/conf_fuzz.c $(CONF_SRCS) $(CONF_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(CONF_SRCS)

# -max_len above CONF_MAX_LINE, so the fuzzer reaches the long-line path.
fuzz-conf: $(OUT)/fuzz/conf_fuzz
	@mkdir -p $(OUT)/fuzz/corpus-conf
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -print_final_stats=1 \
		-artifact_prefix=$(OUT)/fuzz/conf- $(OUT)/fuzz/corpus-conf tests/fuzz/corpus/conf

fuzz-smoke-conf:
	$(MAKE) --no-print-directory fuzz-conf FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

unit: unit-conf
fuzz: fuzz-conf
fuzz-smoke: fuzz-smoke-conf

.PHONY: unit fuzz fuzz-smoke unit-conf fuzz-conf fuzz-smoke-conf

# The DHCP reply parser (init/dhcp.c), the helper's untrusted input.
$(OUT)/fuzz/dhcp_fuzz: tests/fuzz/dhcp_fuzz.c init/dhcp.c init/dhcp.h init/conf_value.c init/privs.c init/seccomp.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< init/dhcp.c init/conf_value.c init/privs.c init/seccomp.c

fuzz-dhcp: $(OUT)/fuzz/dhcp_fuzz
	@mkdir -p $(OUT)/fuzz/corpus-dhcp
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=1600 -print_final_stats=1 \
		-artifact_prefix=$(OUT)/fuzz/dhcp- $(OUT)/fuzz/corpus-dhcp tests/fuzz/corpus/dhcp

fuzz-smoke-dhcp:
	$(MAKE) --no-print-directory fuzz-dhcp FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz: fuzz-dhcp
fuzz-smoke: fuzz-smoke-dhcp
.PHONY: fuzz-dhcp fuzz-smoke-dhcp

# The board's build of the unit tests that need no privilege: each built as
# the board's binaries are (CC, static) into $(OUT)/unit/board/ and run with
# BOARD_EXEC, so they run on the board's architecture (under QEMU user mode
# for a foreign board, which refuses namespaces and seccomp filters: a test
# is given UNIT_ARGS_NAME to keep to what it can there). A test includes
# or links the init/ sources it names in UNIT_SRCS_NAME. make check runs
# `unit-board` for every board.
UNIT_BOARD := conf netlink net nft seccomp fmt mini malloc devname
UNIT_SRCS_conf := $(CONF_SRCS)
UNIT_SRCS_netlink := init/netlink.c init/util.c
UNIT_SRCS_net := $(NET_SRCS)
UNIT_SRCS_nft := $(NFT_SRCS)
UNIT_SRCS_devname := init/devname.c
UNIT_ARGS_seccomp := $(if $(BOARD_EXEC),bpf)
UNIT_ARGS_mini := $(if $(BOARD_EXEC),qemu-user)
# init/mini_sys.c defines syscall, open, fcntl... with all their parameters
# under the names libc's headers declare variadic (on purpose: see there);
# the test's one unit sees both.
UNIT_CFLAGS_mini := -Wno-lto-type-mismatch

$(OUT)/unit/board/%_test: tests/unit/%_test.c $(SRCS) $(HDRS) tests/unit/check.h $(KINC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(UNIT_CFLAGS_$*) -Iinit -isystem $(KINC) $(LDFLAGS) -o $@ $< $(UNIT_SRCS_$*)

unit-board-%: $(OUT)/unit/board/%_test
	$(BOARD_EXEC) $< $(UNIT_ARGS_$*)

unit-board: $(UNIT_BOARD:%=unit-board-%)
# (kept: not intermediate files of the pattern rules)
.SECONDARY: $(UNIT_BOARD:%=$(OUT)/unit/board/%_test)

unit: unit-board

.PHONY: unit-board

# The modules.devname reader (init/devname.c): PID 1 reads the image's file,
# or a host's depmod's, for the `device` nodes a module makes.
$(OUT)/unit/devname_test: tests/unit/devname_test.c init/devname.c init/devname.h tests/unit/check.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< init/devname.c

unit-devname: $(OUT)/unit/devname_test
	$(UNIT_ENV) $<

$(OUT)/fuzz/devname_fuzz: tests/fuzz/devname_fuzz.c init/devname.c init/devname.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< init/devname.c

# -max_len past DEVNAME_LINE_MAX, so the fuzzer reaches the long-line path.
fuzz-devname: $(OUT)/fuzz/devname_fuzz
	@mkdir -p $(OUT)/fuzz/corpus-devname
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -print_final_stats=1 \
		-artifact_prefix=$(OUT)/fuzz/devname- $(OUT)/fuzz/corpus-devname tests/fuzz/corpus/devname

fuzz-smoke-devname:
	$(MAKE) --no-print-directory fuzz-devname FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

unit: unit-devname
fuzz: fuzz-devname
fuzz-smoke: fuzz-smoke-devname
.PHONY: unit-devname fuzz-devname fuzz-smoke-devname
