# mk/deps.mk: `make deps` installs the Debian packages the build, the image,
# the tests and the benchmarks need. Cheap when nothing is missing (one
# dpkg-query, a few ms), so `make`, `make run` and `make check` run it first:
# every compile waits on it through the kernel-headers stamp. Not root:
# prints the exact apt-get command and goes on. Not Debian (no dpkg-query):
# says so and goes on.
DEPS_PKGS := make gcc musl-tools linux-libc-dev cpio xz-utils file binutils \
	bats bats-assert bats-support qemu-system-x86 e2fsprogs iproute2 \
	bubblewrap gnuplot-nox clang libclang-rt-14-dev nftables \
	dnsmasq-base busybox curl socat

deps:
	@command -v dpkg-query >/dev/null || { \
		echo "deps: not a Debian-family system; install by hand: $(DEPS_PKGS)"; exit 0; }; \
	missing=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' $(DEPS_PKGS) 2>/dev/null | \
		awk '$$1 == "ii" { ok[$$2] = 1 } END { n = split("$(DEPS_PKGS)", p, " "); \
			for (i = 1; i <= n; i++) if (!(p[i] in ok)) printf "%s ", p[i] }'); \
	[ -z "$$missing" ] && exit 0; \
	cmd="apt-get install -y --no-install-recommends $$missing"; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "deps: missing packages; as root run: apt-get update && $$cmd"; exit 0; fi; \
	echo "deps: installing $$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q && $$cmd

# Everything compiled waits for the packages.
$(KINC)/.stamp: | deps

.PHONY: deps
