# firewall: the nf_tables message builder's unit test (no privilege), and
# the harness that drives firewall.c against the kernel (root, in a network
# namespace of its own) for tests/firewall.bats and `publish.rules_ms.n100`.
NFT_SRCS := init/nft.c init/netlink.c
FW_SRCS := init/firewall.c $(NFT_SRCS) init/util.c $(CONF_SRCS)
FW_HDRS := init/firewall.h init/nft.h init/netlink.h $(CONF_HDRS)

$(OUT)/unit/nft_test: tests/unit/nft_test.c $(NFT_SRCS) init/nft.h init/netlink.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(NFT_SRCS)

unit-nft: $(OUT)/unit/nft_test
	$(UNIT_ENV) $<

unit: unit-nft

.PHONY: unit-nft
