# sandinit: build, image, run, tests. Plain GNU make.
.DEFAULT_GOAL := all
SHELL := /bin/bash

# The board (a folder under board/, see board/README.md): its board.mk says
# how to build for it and boot it. The default board's outputs are in out/,
# another board's in out/BOARD/.
DEFAULT_BOARD := qemu-x86_64
BOARD ?= $(DEFAULT_BOARD)
ifeq ($(wildcard board/$(BOARD)/board.mk),)
$(error BOARD=$(BOARD): no board/$(BOARD)/board.mk)
endif
include board/$(BOARD)/board.mk
BOARDS := $(patsubst board/%/board.mk,%,$(wildcard board/*/board.mk))

ifeq ($(origin CC),default)
CC := $(BOARD_CC)
endif
HOSTCC ?= gcc
OUT := out$(if $(filter-out $(DEFAULT_BOARD),$(BOARD)),/$(BOARD))
CONFIG ?= configs/default.conf
# Set once (:=): a deferred ?= ran git again for every recipe it was
# exported to.
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || echo 1700000000)
endif
export SOURCE_DATE_EPOCH

WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wformat=2 \
	-Werror=implicit-function-declaration -Werror=incompatible-pointer-types
# No unwind tables: nothing in C unwinds, and they are ~12 KB of the binary.
# Not position-independent: the link is static and not PIE, so PIE code
# (Debian's compilers' default) only made every address longer (3.4 KB).
# -Oz (GCC >= 12, both boards' compilers): 2.7 KB less than -Os; PID 1's
# time is the kernel's (tests/bench/README.md), not its own code's.
# Link-time optimization as one partition: inlining and constant
# propagation across files, 3.6 KB less (x86_64). No jump tables: the
# switches' compare chains are 256 B smaller than their tables.
CFLAGS ?= -std=c11 -Oz $(WARN) -D_GNU_SOURCE -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie \
	-flto -flto-partition=one -fno-jump-tables $(BOARD_CFLAGS)
# The musl compiler sees only musl's headers: give it the kernel's uapi
# headers, asm/ being the board's architecture's.
KINC := $(OUT)/kinc
# No RELRO: musl's static start never applies it (only its dynamic linker
# does), and its page alignment padded the file by up to 4 KB. Sections
# sorted by alignment: the page-aligned buffers (util.h's PAGE_BUF) first,
# the small variables packed after them (16 KB less resident for PID 1).
# A common page of 16 B: ld starts the data segment in the file right
# after the text (16-aligned) instead of at the next 4 KiB of the file,
# its address the same offset within a page (p_offset = p_vaddr modulo
# max-page-size, what the kernel maps by), so the file's last text page
# is mapped twice, as text and as data (copy on write): up to 4 KiB less
# file (x86_64; aarch64's ld did so already, and a larger size there
# would round the start up to it), the same pages in memory.
LDFLAGS ?= -static -no-pie -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,norelro \
	-Wl,-z,common-page-size=16 -Wl,--sort-section=alignment -s $(BOARD_LDFLAGS)

SRCS := $(sort $(wildcard init/*.c))
OBJS := $(SRCS:init/%.c=$(OUT)/obj/%.o)
HDRS := $(wildcard init/*.h)

all: $(OUT)/sandinit $(if $(wildcard tests/probe/probe.c),$(OUT)/probe) $(OUT)/kiosk-demo image

$(KINC)/.stamp: board/$(BOARD)/board.mk
	@mkdir -p $(KINC)
	ln -sfn /usr/include/linux $(KINC)/linux
	ln -sfn /usr/include/asm-generic $(KINC)/asm-generic
	ln -sfn /usr/include/$(BOARD_TRIPLET)/asm $(KINC)/asm
	ln -sfn /usr/include/mtd $(KINC)/mtd
	@touch $@

# PID 1's code uses no floating point: general registers only, so no
# variadic function saves the vector registers for va_arg (64 B each on
# x86_64) and the compiler moves no struct through them. A float or double
# that reaches code fails the build (at the LTO link: "SSE register return
# with SSE disabled", aarch64: "incompatible with the use of floating-point
# types"); both boards' GCC take the flag. No IPA-SRA (GCC's splitting
# of a function's aggregate parameters into scalars, with a clone for the
# new signature): at -Oz its clones and their callers' copies were 39 B
# more than the calls (x86_64).
# Six of -Oz's optimizations that made the code larger here (measured one
# by one, then together: 1.2 KB less on x86_64): caller-saves (values kept
# in call-clobbered registers, saved around each call), shrink-wrapping
# (prologues moved into paths, copied per path), loop-invariant motion
# at the tree and RTL levels (the hoisted values' registers spilled in
# loops of a few turns), mod/ref analysis (more values kept live in
# registers across calls), and the "expensive" ones (a second CSE pass,
# register-allocation extras). Speed is not PID 1's cost (see above).
# The board's own (BOARD_PID1_CFLAGS) last.
# init/pid1.h first in each: errno a plain variable.
PID1_CFLAGS := -mgeneral-regs-only -fno-ipa-sra -fno-caller-saves -fno-shrink-wrap \
	-fno-tree-loop-im -fno-move-loop-invariants -fno-ipa-modref \
	-fno-expensive-optimizations -include init/pid1.h $(BOARD_PID1_CFLAGS)
# init/start.c is the entry: none of the C start files (musl's crt1, the
# compiler's crtbegin/crtend, crti/crtn), so none of musl's start code.
PID1_LDFLAGS := -nostartfiles

$(OUT)/obj/%.o: init/%.c $(HDRS) $(KINC)/.stamp Makefile
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(PID1_CFLAGS) -isystem $(KINC) -c -o $@ $<

# The link map beside it: where its bytes come from (issue 15), and which
# of musl's objects it links (tests/build.bats: none of stdio's). The link
# is sandinit.elf, with its sections (for objdump and size); out/sandinit
# is the same program headers and loaded bytes without the section headers
# and what lies past the last loaded byte (.shstrtab, .comment: 0.4 KB),
# which the kernel never reads (tools/elf-trim.c).
$(OUT)/sandinit: $(OBJS) $(OUT)/tools/elf-trim
	$(CC) $(CFLAGS) $(LDFLAGS) $(PID1_LDFLAGS) -Wl,-Map,$@.map -o $@.elf $(OBJS)
	$(OUT)/tools/elf-trim $@.elf $@

$(OUT)/tools/elf-trim: tools/elf-trim.c
	@mkdir -p $(@D)
	$(HOSTCC) -std=c11 -O2 $(WARN) -o $@ $<

$(OUT)/probe: tests/probe/probe.c $(KINC)/.stamp
	$(CC) $(CFLAGS) -isystem $(KINC) $(LDFLAGS) -o $@ $<

# The kiosk demo's application (configs/kiosk.conf), in every image.
$(OUT)/kiosk-demo: configs/kiosk-demo.c $(KINC)/.stamp
	$(CC) $(CFLAGS) -isystem $(KINC) $(LDFLAGS) -o $@ $<

# Sanitizer build: dynamic, host libc, for the unit and host tests.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -g -O1
$(OUT)/san/sandinit: $(SRCS) $(HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) -std=c11 $(WARN) -D_GNU_SOURCE $(SAN) -o $@ $(SRCS)

sanitize: $(OUT)/san/sandinit

-include mk/*.mk

clean:
	rm -rf $(OUT)/obj $(OUT)/san $(OUT)/sandinit $(OUT)/sandinit.map $(OUT)/probe $(OUT)/kiosk-demo $(OUT)/rootfs $(OUT)/initramfs.cpio.gz

.PHONY: all clean sanitize
