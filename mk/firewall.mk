# firewall: the nf_tables message builder's unit test (no privilege), and
# the harness that drives firewall.c against the kernel (root, in a network
# namespace of its own) for tests/firewall.bats and `publish.rules_ms.n100`.
NFT_SRCS := init/nft.c init/netlink.c init/util.c
# (CONF_SRCS of unit.mk is not read yet: the parser spelled out)
FW_SRCS := init/firewall.c init/ct.c $(NFT_SRCS) init/conf.c init/conf_directive.c \
	init/conf_global.c init/conf_service.c init/conf_check.c init/conf_value.c \
	init/loop.c init/log.c init/logfile.c
FW_HDRS := init/firewall.h init/ct.h init/nft.h init/netlink.h init/conf.h init/conf_parser.h init/conf_value.h \
	init/conf_directive.h init/loop.h init/log.h init/logfile.h

$(OUT)/unit/nft_test: tests/unit/nft_test.c $(NFT_SRCS) init/nft.h init/netlink.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(NFT_SRCS)

unit-nft: $(OUT)/unit/nft_test
	$(UNIT_ENV) $<

unit: unit-nft

.PHONY: unit-nft

# The harness twice: sanitized (tests/firewall.bats), and built as PID 1 is
# (musl, -Os) for the bench figure.
$(OUT)/unit/fw_harness.san: tests/unit/fw_harness.c $(FW_SRCS) $(FW_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(FW_SRCS)

$(OUT)/unit/fw_harness: tests/unit/fw_harness.c $(FW_SRCS) $(FW_HDRS) $(KINC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -isystem $(KINC) -static -o $@ $< $(FW_SRCS)

fw-harness: $(OUT)/unit/fw_harness $(OUT)/unit/fw_harness.san
	$(UNIT_ENV) unshare --net $(OUT)/unit/fw_harness.san 20
	unshare --net $(OUT)/unit/fw_harness 100 3

.PHONY: fw-harness

# ct.c against the kernel's conntrack (root, in a network namespace of its
# own): its dump filter and deletions (tests/firewall.bats).
$(OUT)/unit/ct_harness: tests/unit/ct_harness.c init/ct.c init/netlink.c init/util.c init/ct.h init/netlink.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< init/ct.c init/netlink.c init/util.c

# The ctnetlink dump reader (ct_match): any message, no crash.
$(OUT)/fuzz/ct_fuzz: tests/fuzz/ct_fuzz.c init/ct.c init/netlink.c init/util.c init/ct.h init/netlink.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< init/ct.c init/netlink.c init/util.c

fuzz-ct: $(OUT)/fuzz/ct_fuzz
	@mkdir -p $(OUT)/fuzz/corpus-ct
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		-artifact_prefix=$(OUT)/fuzz/ct- $(OUT)/fuzz/corpus-ct tests/fuzz/corpus/ct

fuzz-smoke-ct:
	$(MAKE) --no-print-directory fuzz-ct FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz: fuzz-ct
fuzz-smoke: fuzz-smoke-ct

.PHONY: fuzz-ct fuzz-smoke-ct
