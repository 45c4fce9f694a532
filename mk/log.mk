# mk/log.mk: the /dev/log datagram parser's fuzz target (issue 12), the
# /dev/kmsg record parser's (issue 15). Conventions: mk/unit.mk.
#
#   fuzz-syslog / fuzz-smoke-syslog   libFuzzer on syslog_parse
#   fuzz-kmsg / fuzz-smoke-kmsg       libFuzzer on kmsg_parse

SYSLOG_FUZZ_SRCS := init/syslog.c init/log.c init/logfile.c init/loop.c init/util.c

$(OUT)/fuzz/syslog_fuzz: tests/fuzz/syslog_fuzz.c $(SYSLOG_FUZZ_SRCS) $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(SYSLOG_FUZZ_SRCS)

# A datagram is read whole up to 8 KiB; the first input byte is the output size.
fuzz-syslog: $(OUT)/fuzz/syslog_fuzz
	@mkdir -p $(OUT)/fuzz/corpus-syslog
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=8193 -print_final_stats=1 \
		-artifact_prefix=$(OUT)/fuzz/syslog- $(OUT)/fuzz/corpus-syslog tests/fuzz/corpus/syslog

fuzz-smoke-syslog:
	$(MAKE) --no-print-directory fuzz-syslog FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz: fuzz-syslog
fuzz-smoke: fuzz-smoke-syslog

.PHONY: fuzz-syslog fuzz-smoke-syslog

KMSG_FUZZ_SRCS := init/kmsg.c init/log.c init/logfile.c init/loop.c init/util.c

$(OUT)/fuzz/kmsg_fuzz: tests/fuzz/kmsg_fuzz.c $(KMSG_FUZZ_SRCS) $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(KMSG_FUZZ_SRCS)

# A read takes one record of at most 8 KiB.
fuzz-kmsg: $(OUT)/fuzz/kmsg_fuzz
	@mkdir -p $(OUT)/fuzz/corpus-kmsg
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -print_final_stats=1 \
		-artifact_prefix=$(OUT)/fuzz/kmsg- $(OUT)/fuzz/corpus-kmsg tests/fuzz/corpus/kmsg

fuzz-smoke-kmsg:
	$(MAKE) --no-print-directory fuzz-kmsg FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz: fuzz-kmsg
fuzz-smoke: fuzz-smoke-kmsg

.PHONY: fuzz-kmsg fuzz-smoke-kmsg

# logview: the longest rendering fits LOGVIEW_LINE_MAX (under the sanitizers).
LOGVIEW_SRCS := init/logview.c init/log.c init/logfile.c init/loop.c init/util.c init/conf_value.c

$(OUT)/unit/logview_test: tests/unit/logview_test.c $(LOGVIEW_SRCS) $(HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(LOGVIEW_SRCS)

unit-logview: $(OUT)/unit/logview_test
	$(UNIT_ENV) $<

unit: unit-logview

.PHONY: unit-logview
