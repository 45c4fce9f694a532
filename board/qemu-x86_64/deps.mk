# board/qemu-x86_64/deps.mk: the Debian packages this board needs (mk/deps.mk).
# Native build: musl-gcc (musl-tools) and linux-libc-dev are board-independent.
DEPS_PKGS += qemu-system-x86
