# mk/image.mk: the bootable image (SPEC section 1): out/toybox from Debian's
# source package, Debian's kernel and modules, out/rootfs/ and the
# reproducible out/initramfs.cpio.gz; `make run` boots it.
#
# Variables (override on the command line):
#   CONFIG          the image's /etc/sandinit.conf (Makefile: configs/default.conf)
#   BOARD           a folder under board/ (board/README.md); Makefile includes
#                   its board.mk
#   CACHE           downloads and extracted packages, kept across `make clean`:
#                   the board's own (OUT/cache)
#   TOYBOX_VERSION  Debian toybox source version; TOYBOX_ORIG its orig tarball
#   TOYBOX_CC       compiler for toybox (CC: the board's musl compiler)
#   KERNEL          debian (default: Debian's packaged kernel) or tailored:
#                   the board's own, built by tools/build-kernel.sh from
#                   Debian's linux-source package with board/B/kernel.config
#                   (SPEC section 9) and cached outside the clone in
#                   KERNEL_CACHE; its image (vmlinuz, rootfs, initramfs) is
#                   in OUT/tailored/, beside the default one
# Targets: image, run, toybox (= out/toybox), kernel, distclean.
CACHE ?= $(OUT)/cache
TOYBOX_VERSION ?= 0.8.9+dfsg-1
TOYBOX_ORIG ?= toybox_0.8.9+dfsg.orig.tar.xz
TOYBOX_CC ?= $(CC)
TB_CACHE := $(CACHE)/toybox
KERNEL ?= debian
KERNEL_CACHE := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/sandinit/kernel
ifeq ($(KERNEL),debian)
IMG := $(OUT)
KDIR := $(CACHE)/kernel
else ifeq ($(KERNEL),tailored)
ifeq ($(wildcard board/$(BOARD)/kernel.config),)
$(error KERNEL=tailored: board $(BOARD) has no board/$(BOARD)/kernel.config)
endif
IMG := $(OUT)/tailored
KDIR := $(IMG)/cache/kernel
else
$(error KERNEL=$(KERNEL): debian or tailored)
endif

# The probe is part of the image only once its source exists.
IMAGE_PROBE := $(if $(wildcard tests/probe/probe.c),$(OUT)/probe)
# (symlinks left out: make would follow /etc/resolv.conf -> /run/... and
# find no such file; their directory changes with them)
ROOTFS_SRC := $(shell find rootfs ! -type l 2>/dev/null)

image: $(IMG)/initramfs.cpio.gz $(IMG)/vmlinuz
toybox: $(OUT)/toybox
kernel: $(KDIR)/.stamp

# toybox: fetch and verify the source once, build when the config changes.
$(TB_CACHE)/.verified: toybox/build.sh | deps
	toybox/build.sh fetch $(TB_CACHE) $(TOYBOX_VERSION)
	@touch $@

$(OUT)/toybox: $(TB_CACHE)/.verified toybox/config toybox/build.sh $(KINC)/.stamp
	CC=$(TOYBOX_CC) CPUS=2 toybox/build.sh build $(TB_CACHE)/$(TOYBOX_ORIG) \
		toybox/config $(OUT)/build/toybox $@ $(KINC)

ifeq ($(KERNEL),debian)
# Debian's kernel for the board, downloaded once into the cache.
$(KDIR)/.stamp: board/$(BOARD)/board.mk tools/fetch-kernel.sh tools/fetch-deb.sh | deps
	tools/fetch-kernel.sh $(BOARD_KERNEL_META) $(KDIR)
	@touch $@
else
# The tailored kernel: from KERNEL_CACHE when built before (by any clone),
# else built here (~10-15 min on 2 CPUs) into OUT/build/kernel.
$(KDIR)/.stamp: board/$(BOARD)/board.mk board/$(BOARD)/kernel.config tools/build-kernel.sh \
		tools/fetch-deb.sh | deps
	tools/build-kernel.sh $(BOARD) board/$(BOARD)/kernel.config $(BOARD_KERNEL_SOURCE) \
		$(BOARD_KERNEL_ARCH) $(BOARD_KERNEL_TARGET) "$(BOARD_KERNEL_CROSS)" \
		$(OUT)/build/kernel $(CACHE)/linux-source $(KDIR)
	@touch $@

# Only the config and its check (a fragment tried in seconds, no build).
kernel-config: | deps
	KERNEL_CONFIG_ONLY=1 tools/build-kernel.sh $(BOARD) board/$(BOARD)/kernel.config $(BOARD_KERNEL_SOURCE) \
		$(BOARD_KERNEL_ARCH) $(BOARD_KERNEL_TARGET) "$(BOARD_KERNEL_CROSS)" \
		$(OUT)/build/kernel $(CACHE)/linux-source $(KDIR)
endif

$(IMG)/vmlinuz: $(KDIR)/.stamp
	rm -f $@; cp $(KDIR)/vmlinuz $@

# Records CONFIG's path and content and SOURCE_DATE_EPOCH (the image's
# mtimes); rewritten (and so newer) only when they change, so the image
# follows CONFIG=..., edits of the file and new commits. Compared here, by
# make itself: every `make run` asks, and a recipe that compared was five
# processes of each no-op make (make's $(file <) drops one final newline
# of each side alike).
define newline


endef
ifneq ($(file < $(IMG)/config.stamp),$(CONFIG) $(SOURCE_DATE_EPOCH)$(newline)$(file < $(CONFIG)))
$(IMG)/config.stamp: FORCE
endif
$(IMG)/config.stamp:
	@mkdir -p $(@D)
	@[ -f "$(CONFIG)" ] || { echo "image: CONFIG=$(CONFIG): no such file" >&2; exit 1; }
	@{ echo "$(CONFIG) $(SOURCE_DATE_EPOCH)"; cat "$(CONFIG)"; } > $@

$(IMG)/rootfs.stamp: $(OUT)/sandinit $(OUT)/toybox $(IMAGE_PROBE) $(OUT)/kiosk-demo $(IMG)/config.stamp \
		$(KDIR)/.stamp $(ROOTFS_SRC) tools/mkrootfs.sh tools/kmods.sh init/firewall.h \
		board/$(BOARD)/board.mk
	BOARD_EXEC="$(BOARD_EXEC)" UPLINK_MODULES="$(BOARD_NIC_MODULES)" \
	IMAGE_BINS="$(OUT)/kiosk-demo:usr/bin/kiosk-demo" tools/mkrootfs.sh $(IMG)/rootfs $(OUT)/sandinit $(OUT)/toybox $(or $(IMAGE_PROBE),-) \
		$(CONFIG) $(KDIR) rootfs
	@touch $@

$(IMG)/initramfs.cpio.gz: $(IMG)/rootfs.stamp tools/mkcpio.sh
	tools/mkcpio.sh $(IMG)/rootfs $@

# The demo's published web server is reached through the board's first
# forwarded port (QEMU_PORTS, default 8080:80). `make run QEMU_RESTRICT=on`
# keeps the guest off the real network (the tests' setting).
# A config with a `tty ... graphics` service (configs/kiosk.conf) gets the
# board's screen (QEMU_DISPLAY, board/BOARD/qemu): a window where the host
# has a display and QEMU a window for it (Debian's qemu-system-gui), else a
# VNC server on the first free 127.0.0.1:590N, said on the terminal.
# QEMU_DISPLAY=... on the command line chooses for itself.
# One shell, and the config's lines matched by bash itself (C holds them,
# each after a newline): no process of its own before QEMU's.
run: all
	@nl=$$'\n'; c=$$nl$$(<$(CONFIG)); p="$${QEMU_PORTS-8080:80}"; p=$${p%%:*}; \
	[[ -z $$p || ! $$c =~ $$nl[[:blank:]]*publish ]] || \
		echo "sandinit: the demo's web server, from this host: curl http://127.0.0.1:$$p/ (Ctrl-A x quits QEMU)"; \
	d=$${QEMU_DISPLAY-}; \
	if [[ -z $$d && $$c =~ $$nl[[:blank:]]*tty[[:blank:]]+[^#$$nl]*[[:blank:]]graphics ]]; then \
		qemu=$$(sed -n 's/^exec \(qemu-system-[a-z0-9_]*\).*/\1/p' $(BOARD_QEMU)); \
		ui=$$($$qemu -display help 2>/dev/null | grep -xE 'gtk|sdl' | head -n 1); \
		if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ -n "$$ui" ]; then \
			d=$$ui; echo "sandinit: the kiosk's screen in a $$ui window (click in it for the keyboard)"; \
		else \
			n=0; while [ $$n -lt 100 ] && (exec 3<>/dev/tcp/127.0.0.1/$$((5900 + n))) 2>/dev/null; do n=$$((n + 1)); done; \
			d=vnc=127.0.0.1:$$n; \
			why="QEMU has no gtk or sdl: Debian's qemu-system-gui"; [ -z "$$ui" ] || why="no DISPLAY"; \
			echo "sandinit: no window here ($$why): the kiosk's screen is a VNC server: vncviewer 127.0.0.1:$$((5900 + n))" \
				"(from another machine: ssh -L 5900:127.0.0.1:$$((5900 + n)) THIS-HOST, then vncviewer localhost:5900)"; \
		fi; \
	fi; \
	KERNEL=$(KERNEL) QEMU_DISPLAY=$$d exec $(BOARD_QEMU) $(IMG)/vmlinuz $(IMG)/initramfs.cpio.gz

clean: clean-image
clean-image:
	rm -rf $(OUT)/toybox $(OUT)/build $(OUT)/rootfs.stamp $(OUT)/config.stamp $(OUT)/vmlinuz \
		$(OUT)/tailored/rootfs $(OUT)/tailored/rootfs.stamp $(OUT)/tailored/config.stamp \
		$(OUT)/tailored/vmlinuz $(OUT)/tailored/initramfs.cpio.gz

# Also drops the downloads; the tailored kernels built are kept outside the
# clone for the next one: say where.
distclean: clean
	rm -rf $(OUT)
	@[ ! -d "$(KERNEL_CACHE)" ] || echo "distclean: the tailored kernels are kept in" \
		"$(KERNEL_CACHE) for every clone; to drop them: rm -rf $(KERNEL_CACHE)"

FORCE:
.PHONY: image toybox kernel kernel-config run clean-image distclean FORCE
