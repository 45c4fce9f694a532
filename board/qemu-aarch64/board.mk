# board/qemu-aarch64/board.mk: BOARD=qemu-aarch64, QEMU's arm64 `virt`
# machine (cortex-a72). What each variable means: board/README.md.
BOARD_ARCH := aarch64
# Cross-built against Debian's musl-dev:arm64 (its wrapper runs
# aarch64-linux-gnu-gcc with musl's specs); uapi asm/ from linux-libc-dev:arm64.
BOARD_CC := aarch64-linux-musl-gcc
BOARD_TRIPLET := aarch64-linux-gnu
# The board's binaries on the build machine (toybox's applet list, the unit
# tests): QEMU user mode, which refuses CLONE_NEWUSER (use the board for that).
BOARD_EXEC := qemu-aarch64-static
# Debian's arm64 kernel; its vmlinuz is an uncompressed Image.
BOARD_KERNEL_META := linux-image-arm64:arm64
# The QEMU command line: board/qemu-aarch64/qemu KERNEL INITRD [QEMU ARGS...].
BOARD_QEMU := board/qemu-aarch64/qemu
# Debian's arm64 kernel has 4 KiB pages: without this ld aligns the data
# segment for 64 KiB pages, ~50 KB of padding in every static binary.
BOARD_CFLAGS :=
BOARD_PID1_CFLAGS :=
BOARD_LDFLAGS := -Wl,-z,max-page-size=4096
# The NIC of the QEMU line's user-mode uplink (virtio-net-pci on virt's
# PCIe): loaded by PID 1 when the config has an `interface` line.
BOARD_NIC_MODULES := virtio_pci virtio_net
