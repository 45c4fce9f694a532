# net: unit tests of the netlink message builder and of address allocation
# (no privilege), and the harness that drives net.c against the real kernel
# (root; it runs in a network namespace of its own, never the host's).
NET_SRCS := init/net.c init/netlink.c init/util.c init/conf_value.c
NET_HDRS := init/net.h init/netlink.h init/conf.h init/conf_value.h

$(OUT)/unit/netlink_test: tests/unit/netlink_test.c init/netlink.c init/util.c init/netlink.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< init/netlink.c init/util.c

$(OUT)/unit/net_test: tests/unit/net_test.c $(NET_SRCS) $(NET_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(NET_SRCS)

unit-netlink: $(OUT)/unit/netlink_test
	$(UNIT_ENV) $<

unit-net: $(OUT)/unit/net_test
	$(UNIT_ENV) $<

# The harness twice: sanitized, and built as PID 1 is (musl, -Os) for timing.
$(OUT)/unit/net_harness.san: tests/unit/net_harness.c $(NET_SRCS) $(NET_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(NET_SRCS)

$(OUT)/unit/net_harness: tests/unit/net_harness.c $(NET_SRCS) $(NET_HDRS) $(KINC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -isystem $(KINC) -static -o $@ $< $(NET_SRCS)

net-harness: $(OUT)/unit/net_harness $(OUT)/unit/net_harness.san
	$(UNIT_ENV) unshare --net $(OUT)/unit/net_harness.san 20
	unshare --net $(OUT)/unit/net_harness 50

unit: unit-netlink unit-net

.PHONY: unit-netlink unit-net net-harness
