# The test-only build with `initctl test-crash HOW`: PID 1 faults on
# purpose, so tests/crash.bats can watch the crash path (SPEC §4). Never
# installed; out/sandinit has no such command.
CRASH_OBJS := $(SRCS:init/%.c=$(OUT)/obj-crash/%.o)

$(OUT)/obj-crash/%.o: init/%.c $(HDRS) $(KINC)/.stamp Makefile
	@mkdir -p $(@D)
	@echo "  CC      $< (test-crash)"
	@$(CC) $(CFLAGS) $(PID1_CFLAGS) -DSANDINIT_TEST_CRASH -isystem $(KINC) -c -o $@ $<

$(OUT)/crash/sandinit: $(CRASH_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $(PID1_LDFLAGS) -o $@ $(CRASH_OBJS)

check-prereqs: $(OUT)/crash/sandinit

clean: clean-crash
clean-crash:
	rm -rf $(OUT)/obj-crash $(OUT)/crash

.PHONY: clean-crash
