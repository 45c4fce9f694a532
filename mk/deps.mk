# mk/deps.mk: `make deps` installs the Debian packages the build, the image,
# the tests and the benchmarks need. Cheap when nothing is missing (one
# dpkg-query, a few ms), so `make`, `make run` and `make check` run it first:
# every compile waits on it through the kernel-headers stamp. Not root:
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

deps:
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
	[ -z "$$missing" ] && [ -z "$$addarch" ] && exit 0; \
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
	apt-get update -q && $$cmd

# Everything compiled waits for the packages.
$(KINC)/.stamp: | deps

.PHONY: deps
