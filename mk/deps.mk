# mk/deps.mk: `make deps` installs the Debian packages the build, the image,
# the tests and the benchmarks need. Cheap when nothing is missing, so
# `make`, `make run` and `make check` run it first: every compile waits on
# it through the kernel-headers stamp. Once everything was there it records
# the list in DEPS_STAMP and checks again (one dpkg-query) only when dpkg's
# database (DPKG_STATUS, DPKG_ARCH: a package or an architecture added or
# removed) is newer or the list changed: otherwise it runs no process at
# all (the check's dpkg and dpkg-query calls were 0.2 s of every no-op
# `make run`). Not root:
# prints the exact commands and goes on. Not Debian (no dpkg-query): says so
# and goes on.
#
# DEPS_PKGS are the board-independent packages (flex ... lz4: building a
# KERNEL=tailored kernel, which make check does; kmod: tests/kmods.bats
# compares with depmod); each board's own (its
# cross compiler, QEMU, kernel headers) are in board/B/deps.mk, which adds to
# DEPS_PKGS. make check boots every board, so by default every board's
# packages are installed; DEPS_BOARDS=B narrows it. A package of another
# architecture is named PKG:ARCH (multiarch): when ARCH is not yet one of
# dpkg's architectures, `make deps` says so, adds it (dpkg --add-architecture
# ARCH) and runs apt-get update before installing.
DEPS_PKGS := make gcc musl-tools linux-libc-dev cpio xz-utils file binutils strace linux-perf \
	bats bats-assert bats-support e2fsprogs iproute2 \
	bubblewrap gnuplot-nox clang libclang-rt-14-dev nftables \
	dnsmasq-base busybox curl socat mosquitto mosquitto-clients \
	dropbear-bin openssh-server openssh-client nginx-light redis-server redis-tools acl python3 procps \
	flex bison bc libelf-dev lz4 kmod
DEPS_BOARDS ?= $(patsubst board/%/deps.mk,%,$(wildcard board/*/deps.mk))
include $(DEPS_BOARDS:%=board/%/deps.mk)
DEPS_ARCHS := $(sort $(foreach p,$(DEPS_PKGS),$(word 2,$(subst :, ,$(p)))))
DPKG_STATUS ?= /var/lib/dpkg/status
DPKG_ARCH ?= /var/lib/dpkg/arch
DEPS_STAMP ?= out/.deps-ok

deps: $(DEPS_STAMP)
	@:
# Checked again when dpkg's database changed, or the list (or no database:
# not Debian, said each time).
$(DEPS_STAMP): $(or $(wildcard $(DPKG_STATUS)),FORCE) $(wildcard $(DPKG_ARCH)) \
		$(if $(filter-out $(file < $(DEPS_STAMP)),$(DEPS_PKGS)),FORCE)
	@command -v dpkg-query >/dev/null || { \
		echo "deps: not a Debian-family system; install by hand: $(DEPS_PKGS)"; exit 0; }; \
	native=$$(dpkg --print-architecture); \
	have=" $$native $$(dpkg --print-foreign-architectures | tr '\n' ' ') "; addarch=; \
	for a in $(DEPS_ARCHS); do case $$have in *" $$a "*) ;; *) addarch="$$addarch $$a" ;; esac; done; \
	missing=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package} $${Architecture}\n' $(DEPS_PKGS) 2>/dev/null | \
		awk -v native="$$native" '$$1 == "ii" { ok[$$2 ":" $$3] = 1 } END { \
			n = split("$(DEPS_PKGS)", p, " "); for (i = 1; i <= n; i++) { \
				q = p[i]; if (q !~ /:/) { if (ok[q ":" native] || ok[q ":all"]) continue } else if (ok[q]) continue; \
				printf "%s ", q } }'); \
	if [ -z "$$missing" ] && [ -z "$$addarch" ]; then \
		mkdir -p $(@D) && echo "$(DEPS_PKGS)" > $@.$$$$ && mv $@.$$$$ $@; exit 0; fi; \
	cmd="apt-get install -y --no-install-recommends $$missing"; \
	if [ "$$(id -u)" != 0 ]; then \
		pre=; for a in $$addarch; do pre="$${pre}dpkg --add-architecture $$a && "; done; \
		echo "deps: missing packages; as root run: $${pre}apt-get update && $$cmd"; exit 0; fi; \
	for a in $$addarch; do \
		echo "deps: adding $$a to dpkg's foreign architectures (dpkg --add-architecture $$a): needed for" \
			"$$(echo " $(DEPS_PKGS) " | grep -o "[^ ]*:$$a" | tr '\n' ' ')"; \
		dpkg --add-architecture $$a || exit 1; done; \
	echo "deps: installing $$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q && $$cmd && mkdir -p $(@D) && echo "$(DEPS_PKGS)" > $@.$$$$ && mv $@.$$$$ $@

# Everything compiled waits for the packages.
$(KINC)/.stamp: | deps

.PHONY: deps FORCE
