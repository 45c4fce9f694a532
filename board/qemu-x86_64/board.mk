# board/qemu-x86_64/board.mk: BOARD=qemu-x86_64 (the default board), a PC in
# QEMU. What each variable means: board/README.md.
BOARD_ARCH := x86_64
# Native: Debian's musl-tools wrapper, the build machine's uapi headers.
BOARD_CC := musl-gcc
BOARD_TRIPLET := x86_64-linux-gnu
BOARD_EXEC :=
# Arrays of 16 B or more aligned as the psABI asks (16), not to GCC's
# default 32 (its "compat" rule for vector loads, which PID 1's
# general-regs-only code never makes): 0.35 KB less padding between the
# read-only tables and strings.
BOARD_CFLAGS := -malign-data=abi
# PID 1's own objects keep an 8-byte-aligned stack, not the psABI's 16:
# the 16 is for SSE's aligned loads and stores, and PID 1's code has no
# vector instruction (-mgeneral-regs-only; the musl members it links have
# none either: tests/build.bats), so every frame padded to 16 was waste:
# 0.43 KB of pushes and stack adjustments less. Not for the probe or the
# demo, whose musl stdio is built for the 16.
# And four of -Oz's optimizations that make x86_64's code larger (measured
# one by one with the 8-byte stack, then together: 0.3 KB less; aarch64's
# grew by 0.7 KB with them): tail merging (blocks' common tails jumped to),
# sibling calls (a tail call copies its function's epilogue before each
# jump), the dominator optimizations (jump threading copies blocks) and
# straight-line strength reduction.
BOARD_PID1_CFLAGS := -mpreferred-stack-boundary=3 -fno-tree-tail-merge \
	-fno-optimize-sibling-calls -fno-tree-dominator-opts -fno-tree-slsr
BOARD_LDFLAGS :=
# Debian's generic amd64 kernel: the metapackage is resolved to the real
# linux-image-X.Y.Z-N-amd64 with apt-cache depends and fetched with
# apt-get download (tools/fetch-kernel.sh) into $(KDIR).
BOARD_KERNEL_META := linux-image-amd64
# The QEMU command line: board/qemu-x86_64/qemu KERNEL INITRD [QEMU ARGS...].
BOARD_QEMU := board/qemu-x86_64/qemu
# The NIC of the QEMU line's user-mode uplink (virtio-net-pci): loaded by
# PID 1 when the config has an `interface` line.
BOARD_NIC_MODULES := virtio_pci virtio_net
# KERNEL=tailored (SPEC section 9): kernel.config on tinyconfig, built from
# Debian's source package by tools/build-kernel.sh: the package, the
# kernel's ARCH, the image target and CROSS_COMPILE (empty: native).
# vmlinux, the ELF with its PVH entry (CONFIG_PVH): QEMU loads it as it is
# and the guest unpacks nothing (the LZ4 bzImage's unpack was 0.1-0.5 s
# before the kernel's first line under TCG).
BOARD_KERNEL_SOURCE := linux-source-6.1
BOARD_KERNEL_ARCH := x86_64
BOARD_KERNEL_TARGET := vmlinux
BOARD_KERNEL_CROSS :=
