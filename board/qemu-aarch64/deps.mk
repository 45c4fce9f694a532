# board/qemu-aarch64/deps.mk: the Debian packages this board needs (mk/deps.mk).
# The cross compiler and its kernel headers (/usr/aarch64-linux-gnu/include);
# musl for arm64 (multiarch: dpkg gains the arm64 architecture), with its
# aarch64-linux-musl-gcc wrapper; QEMU's virt machine; and QEMU user mode,
# which runs the board's binaries on the build machine (toybox's applet list,
# the unit tests that need no namespaces).
DEPS_PKGS += gcc-aarch64-linux-gnu musl-dev:arm64 linux-libc-dev:arm64 qemu-system-arm qemu-user-static
