/* floor_full.c: the same-work floor of the spawn benchmark (SPEC §8
 * spawn.floor_full.nN). N sandboxes made one after another exactly as
 * sandinit makes its default networked one (init/spawn.c, mount.c, net.c,
 * privs.c, seccomp.c, cgroup.c), with as few system calls as the kernel
 * allows and no supervision (no log pipes, status pipes, restarts, parking):
 *
 * once: a bridge br0 10.88.0.1/16 (up), a cgroup subtree, the mount template
 *   (as mnt_template: the root bound read-only without /dev, /run, /tmp,
 *   /proc, /sys, stand-in proc and sysfs, a tmpfs /dev with its nodes), which
 *   this process then lives in, so every clone copies it;
 * per sandbox, this process: a cgroup (mkdir), clone3 into it with mount
 *   and pid namespaces (in this user namespace, as init/spawn.c's clone);
 *   once the child has its network namespace, the veth pair in one request
 *   (host end up on br0, the peer eth0 made in the child's namespace, a
 *   fixed index and MAC, one queue each way, no IPv6 link-local on the host
 *   end), then one byte that releases it. That waits for the child's
 *   namespace: the next sandbox is cloned first (sandinit's PID 1 goes on
 *   with the next too, and links each when its child reports);
 * the child, as spawn.c's child_net, child_main and enter_userns do since
 *   its mounts are locked: a proc of its pid namespace (fsmount), a helper
 *   made with the user and network namespaces, whose id maps it writes
 *   through that proc, both namespaces opened, the helper gone and the pid
 *   it took handed out again (the service is pid 2), into the network
 *   namespace, reported; then, still in this user namespace with the
 *   sandbox root's host id as fsuid, the sandbox's own mounts (that proc
 *   moved onto /proc with the read-only and masked entries, pts, shm,
 *   /dev/log, sysfs, /run, /tmp, and with FLOOR_FULL_HIDE=PATH the config
 *   sandinit hides: an empty read-only file bound over PATH); into the user namespace as its root, the
 *   mount namespace copied there (every mount locked) with the uts, ipc and
 *   cgroup ones, hostname; released, lo up, the address, no IPv6
 *   link-local, eth0 up and the default route in one netlink datagram;
 *   then, as the sandbox's PID 1, a vfork of the service: setsid,
 *   /dev/null as stdio, the capability bounding set and sets of the default
 *   caps, no_new_privs, sandinit's own seccomp filter (init/seccomp.c,
 *   linked in), exec of PROGRAM.
 *
 * Each network namespace is held (an fd this process keeps) until every
 * sandbox is made, as sandinit parks them (net.c's net_park): an ended
 * sandbox's namespace teardown (cleanup_net, under RTNL) does not compete
 * with the next one's links. FLOOR_RELEASE=now: let each go with its sandbox.
 *
 * It runs as sandinit's PID 1 does (boot.c's boot_priority): a session and
 * autogroup of its own at nice -10, the services at 0; on a shared machine
 * the two then get the same share of the CPUs.
 *
 * The figure is the milliseconds per sandbox from this program's start until
 * every service has exec'd (a pipe all of them hold, close-on-exec, reaches
 * end of file), as sandinit's ready line. Then every sandbox is reaped (it
 * must exit 0) and its cgroup removed, untimed. Run as root in throwaway
 * namespaces: unshare --pid --fork --mount-proc --mount --uts --ipc --net.
 * Usage: floor_full N [PROGRAM [ARG...]] (default /bin/true) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/capability.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/veth.h>
#include <net/if.h>

#include "seccomp.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef SYS_fsopen
#define SYS_move_mount 429
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif
#define FSCONFIG_CMD_CREATE_ 6
#define MOUNT_ATTR_NOSUID_ 0x2
#define MOUNT_ATTR_NODEV_ 0x4
#define MOUNT_ATTR_NOEXEC_ 0x8
#define MOVE_MOUNT_F_EMPTY_PATH_ 0x4
#define ATTR_RDONLY 0x1
#define CGROUP2_MAGIC 0x63677270

#define BR_ADDR 0x0a580001u	/* 10.88.0.1/16, as tests/bench/run's config */
#define BR_PREFIX 16
#define BR_INDEX 2		/* fixed indexes: no lookups */
#define HOST_INDEX0 100		/* host end of sandbox i: HOST_INDEX0 + i */
#define PEER_INDEX 2		/* eth0 in a fresh namespace (lo is 1) */
#define TMPFS_OPTS "mode=1777,size=67108864"	/* mount.c's tmpfs_size */

struct mount_attr_ { uint64_t attr_set, attr_clr, propagation, userns_fd; };

/* mount.c's lists, copied: tests/bench.bats fails if the two sandboxes'
 * mounts part. */
static const char *const proc_ro[] = {
	"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs",
};
static const char *const masked[] = {
	"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/latency_stats",
	"/proc/timer_stats", "/proc/sched_debug", "/proc/acpi", "/proc/scsi",
	"/proc/asound", "/sys/firmware", "/sys/devices/virtual/powercap",
};
#define NMASKED (sizeof masked / sizeof *masked)
static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
static const char *const dev_links[][2] = {
	{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

/* What the masks find, probed once: 'd' directory, 'f' file, 0 absent;
 * which of proc_ro there are. */
static char mask_kind[NMASKED], has_ro[5];
static int last_cap, nl_fd, null_fd, proc_fd;
static const char *hide;	/* FLOOR_FULL_HIDE: the config sandinit hides */
static uint64_t keep_caps;	/* conf_value.c's conf_default_caps */

static void die(const char *what)
{
	fprintf(stderr, "floor_full: unable to %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- netlink: requests built in place, sent as one datagram ---- */

struct req { unsigned char b[512]; size_t len; };

static void *put(struct req *r, const void *p, size_t n)
{
	void *d = r->b + r->len;

	memcpy(d, p, n);
	r->len += NLMSG_ALIGN(n);
	return d;
}

static void msg(struct req *r, uint16_t type, uint16_t flags, const void *hdr, size_t n)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = NLM_F_REQUEST | flags };

	r->len = 0;
	put(r, &h, sizeof h);
	put(r, hdr, n);
}

static size_t attr(struct req *r, uint16_t type, const void *p, size_t n)
{
	struct rtattr a = { .rta_len = RTA_LENGTH(n), .rta_type = type };
	size_t at = r->len;

	memcpy(r->b + r->len, &a, sizeof a);
	memcpy(r->b + r->len + sizeof a, p, n);
	r->len += RTA_ALIGN(RTA_LENGTH(n));
	return at;
}

static size_t attr_u32(struct req *r, uint16_t type, uint32_t v) { return attr(r, type, &v, 4); }
static void nest_end(struct req *r, size_t at)
{
	((struct rtattr *)(r->b + at))->rta_len = (unsigned short)(r->len - at);
}

/* IFLA_AF_SPEC { AF_INET6 { ADDR_GEN_MODE none } } on link INDEX. */
static void no_ll6(struct req *r, int index)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	uint8_t mode = IN6_ADDR_GEN_MODE_NONE;
	size_t spec, fam;

	msg(r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	spec = attr(r, IFLA_AF_SPEC, NULL, 0);
	fam = attr(r, AF_INET6, NULL, 0);
	attr(r, IFLA_INET6_ADDR_GEN_MODE, &mode, 1);
	nest_end(r, fam);
	nest_end(r, spec);
}

static void link_up(struct req *r, int index)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };

	msg(r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
}

static void addr(struct req *r, int index, uint32_t a, int prefix)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = prefix,
				 .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = index };
	uint32_t n = htonl(a), b = htonl(a | (0xffffffffu >> prefix));

	msg(r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
	attr(r, IFA_LOCAL, &n, 4);
	attr(r, IFA_ADDRESS, &n, 4);
	attr(r, IFA_BROADCAST, &b, 4);
}

/* Send R[0..N) in one datagram, the last one acked (errors are sent
 * whatever the flags): 0, or -1 with errno of the first failure. */
static int talk(int fd, struct req *r, int n)
{
	struct iovec iov[8];
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	union { struct nlmsghdr h; char b[1024]; } rx;

	for (int i = 0; i < n; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)r[i].b;

		h->nlmsg_len = (uint32_t)r[i].len;
		h->nlmsg_seq = (uint32_t)i + 1;
		if (i == n - 1)
			h->nlmsg_flags |= NLM_F_ACK;
		iov[i].iov_base = r[i].b;
		iov[i].iov_len = r[i].len;
	}
	if (sendmsg(fd, &m, 0) < 0)
		return -1;
	for (;;) {
		ssize_t len = recv(fd, rx.b, sizeof rx.b, 0);
		struct nlmsghdr *h = &rx.h;

		if (len < 0)
			return -1;
		for (; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error) {
				errno = -e->error;
				return -1;
			}
			if (h->nlmsg_seq == (uint32_t)n)
				return 0;
		}
	}
}

/* ---- once ---- */

static void bridge(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = BR_INDEX,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	unsigned char mac[6] = { 0x02, 0x53, 10, 88, 0, 1 };	/* net.c's bridge_mac */
	struct req r[2];
	size_t li;

	msg(&r[0], RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	attr(&r[0], IFLA_IFNAME, "br0", 4);
	attr(&r[0], IFLA_ADDRESS, mac, 6);
	li = attr(&r[0], IFLA_LINKINFO, NULL, 0);
	attr(&r[0], IFLA_INFO_KIND, "bridge", 7);
	nest_end(&r[0], li);
	addr(&r[1], BR_INDEX, BR_ADDR, BR_PREFIX);
	if (talk(nl_fd, r, 2) < 0)
		die("create bridge br0");
}

/* The cgroup2 hierarchy's mount point (a hybrid host's .../unified). */
static const char *cgroup2_root(void)
{
	static const char *const where[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs st;

	for (size_t i = 0; i < 2; i++)
		if (statfs(where[i], &st) == 0 && st.f_type == CGROUP2_MAGIC)
			return where[i];
	errno = ENOENT;
	die("find a cgroup2 hierarchy");
	return NULL;
}

static void xmount(const char *src, const char *dst, const char *type, unsigned long fl,
		   const char *data)
{
	if (mount(src, dst, type, fl, data) < 0) {
		fprintf(stderr, "floor_full: unable to mount %s on %s: %s\n", type ? type : src,
			dst, strerror(errno));
		exit(1);
	}
}

static void set_ro(const char *path, unsigned flags)
{
	struct mount_attr_ a = { .attr_set = ATTR_RDONLY };

	if (syscall(SYS_mount_setattr, AT_FDCWD, path, flags, &a, sizeof a) < 0)
		die("make a mount read-only");
}

/* mount.c's mnt_template, this process moving into it for good. */
static void template(void)
{
	static const char *const host_api[] = { "/run", "/tmp", "/dev", "/proc", "/sys" };
	char p[64];
	pid_t pid;
	int st, fd;

	if (unshare(CLONE_NEWNS) < 0)
		die("make the template's mount namespace");
	xmount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	xmount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=700,size=16k");
	if (mkdir("/tmp/root", 0755) < 0)
		die("mkdir /tmp/root");
	xmount("/", "/tmp/root", NULL, MS_BIND | MS_REC, NULL);
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "/tmp/root%s", host_api[i]);
		while (umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			;
		/* /run and /tmp covered by an empty read-only tmpfs (cover) */
		if (i < 2)
			xmount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			       "mode=755,size=4k");
	}
	set_ro("/tmp/root", AT_RECURSIVE);
	/* Stand-ins: the proc of an empty pid namespace, the sysfs of an empty
	 * network namespace (mount.c's stand_ins). */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		_exit(mount("proc", "/tmp/root/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) ||
		      mount("sysfs", "/tmp/root/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || st)
		die("mount the stand-in proc and sysfs");
	xmount("tmpfs", "/tmp/root/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k");
	for (size_t i = 0; i < 6; i++) {
		char src[16];

		snprintf(src, sizeof src, "/dev/%s", dev_nodes[i]);
		snprintf(p, sizeof p, "/tmp/root/dev/%s", dev_nodes[i]);
		if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
			die("populate /dev");
		close(fd);
		xmount(src, p, NULL, MS_BIND | MS_REC, NULL);
	}
	if (mkdir("/tmp/root/dev/pts", 0755) < 0 || mkdir("/tmp/root/dev/shm", 0755) < 0 ||
	    (fd = open("/tmp/root/dev/log", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		die("populate /dev");
	close(fd);
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "/tmp/root/dev/%s", dev_links[i][0]);
		if (symlink(dev_links[i][1], p) < 0)
			die("populate /dev");
	}
	set_ro("/tmp/root/dev", 0);
	if (chdir("/tmp/root") < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		die("enter the template");
}

/* The highest capability the kernel knows, and which of the masked paths
 * a sandbox's proc and sysfs have (as this one's). */
static void probe(void)
{
	char v[8] = "";
	struct stat st;
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, v, sizeof v - 1) <= 0 || (last_cap = atoi(v)) < 1)
		die("read /proc/sys/kernel/cap_last_cap");
	close(fd);
	for (size_t i = 0; i < 5; i++)
		has_ro[i] = lstat(proc_ro[i], &st) == 0;
	for (size_t i = 0; i < NMASKED; i++)
		mask_kind[i] = lstat(masked[i], &st) < 0 ? 0 : S_ISDIR(st.st_mode) ? 'd' : 'f';
}

/* ---- per sandbox ---- */

static void __attribute__((noreturn)) fail(int i, const char *what)
{
	dprintf(2, "floor_full: s%d: unable to %s: %s\n", i, what, strerror(errno));
	_exit(1);
}

#define TRY(i, call, what) do { if ((call) < 0) fail(i, what); } while (0)

/* The sandbox's side of its link: lo up, the address, no IPv6 link-local,
 * eth0 up, the default route (net.c's configure_links). */
static void configure(int i)
{
	struct req r[5];
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
			     .rtm_type = RTN_UNICAST };
	uint32_t gw = htonl(BR_ADDR);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	link_up(&r[0], 1);
	addr(&r[1], PEER_INDEX, BR_ADDR + (uint32_t)i, BR_PREFIX);
	no_ll6(&r[2], PEER_INDEX);
	link_up(&r[3], PEER_INDEX);
	msg(&r[4], RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof rtm);
	attr(&r[4], RTA_GATEWAY, &gw, 4);
	attr_u32(&r[4], RTA_OIF, PEER_INDEX);
	if (fd < 0 || talk(fd, r, 5) < 0)
		fail(i, "configure the network");
}

/* The sandbox's own mounts on the template (mount.c's own_mounts). */
static void mounts(int i, int log_fd, int proc)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/shm/.log" };
	struct mount_attr_ ro = { .attr_set = ATTR_RDONLY };

	TRY(i, syscall(SYS_move_mount, proc, "", AT_FDCWD, "/proc", MOVE_MOUNT_F_EMPTY_PATH_),
	    "mount /proc");
	for (size_t k = 0; k < 5; k++) {
		if (!has_ro[k])
			continue;
		TRY(i, mount(proc_ro[k], proc_ro[k], NULL, MS_BIND | MS_REC, NULL), "bind /proc");
		TRY(i, syscall(SYS_mount_setattr, AT_FDCWD, proc_ro[k],
			       AT_RECURSIVE | AT_SYMLINK_NOFOLLOW, &ro, sizeof ro), "make /proc read-only");
	}
	TRY(i, mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620"), "mount /dev/pts");
	TRY(i, mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, TMPFS_OPTS),
	    "mount /dev/shm");
	TRY(i, bind(log_fd, (struct sockaddr *)&sa, sizeof sa), "bind /dev/log");
	TRY(i, chmod(sa.sun_path, 0666), "bind /dev/log");
	TRY(i, mount(sa.sun_path, "/dev/log", NULL, MS_BIND, NULL), "bind /dev/log");
	TRY(i, unlink(sa.sun_path), "bind /dev/log");
	TRY(i, mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
	    "mount /sys");
	for (size_t k = 0; k < NMASKED; k++) {
		if (mask_kind[k] == 'd')
			TRY(i, mount("tmpfs", masked[k], "tmpfs",
				     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=555"), "mask");
		else if (mask_kind[k] == 'f')
			TRY(i, mount("/dev/null", masked[k], NULL, MS_BIND, NULL), "mask");
	}
	TRY(i, mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755"), "mount /run");
	TRY(i, mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTS), "mount /tmp");
}

/* The config, as an empty read-only file (mount.c's hide_conf, which PID 1's
 * ids reach and make): one made on the sandbox's /dev/shm, bound over it,
 * then unlinked. */
static void hide_conf(int i)
{
	struct mount_attr_ ro = { .attr_set = ATTR_RDONLY };
	int e;

	setfsgid(0);
	setfsuid(0);
	TRY(i, e = open("/dev/shm/.conf", O_WRONLY | O_CREAT | O_CLOEXEC, 0444), "hide the config");
	close(e);
	TRY(i, mount("/dev/shm/.conf", hide, NULL, MS_BIND, NULL), "hide the config");
	TRY(i, syscall(SYS_mount_setattr, AT_FDCWD, hide, AT_SYMLINK_NOFOLLOW, &ro, sizeof ro),
	    "hide the config");
	TRY(i, unlink("/dev/shm/.conf"), "hide the config");
}

/* The service: privs.c's privs_apply for uid 0 with the default caps
 * (groups: none already, this process dropped them; ambient: empty), then
 * the filter and the exec. */
static void __attribute__((noreturn)) service(char **argv)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	setsid();
	setpriority(PRIO_PROCESS, 0, 0);
	if (dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0)
		_exit(127);
	for (int cap = 0; cap <= last_cap; cap++)
		if (!(keep_caps >> cap & 1) && prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
			_exit(127);
	for (int k = 0; k < 2; k++)
		data[k].effective = data[k].permitted = data[k].inheritable =
			(uint32_t)(keep_caps >> (32 * k));
	if (syscall(SYS_capset, &hdr, data) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 ||
	    seccomp_install() < 0)
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

/* The helper: it only has to exist while its maps are written and its
 * namespaces opened (it shares the child's memory, on a stack of its own). */
static int helper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

/* sandinit's automatic range: 65536 ids a sandbox. */
static unsigned base_id(int i) { return 100000u + 65536u * (unsigned)i; }

/* The user and network namespaces (spawn_ns.c's spawn_ns_userns): the
 * user namespace's fd; in the network namespace, and PROC's id maps and
 * pids done. */
static int userns(int i, int proc)
{
	static char stack[4096] __attribute__((aligned(16)));
	char map[64], path[32];
	int len, user, net, fd;
	pid_t h;

	h = clone(helper, stack + sizeof stack, CLONE_VM | CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD,
		  NULL);
	TRY(i, h, "make the user and network namespaces");
	len = snprintf(map, sizeof map, "0 %u 65536\n", base_id(i));
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%d/%s", (int)h, k ? "gid_map" : "uid_map");
		fd = openat(proc, path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, map, (size_t)len) != len)
			fail(i, "write the id maps");
		close(fd);
	}
	snprintf(path, sizeof path, "%d/ns/user", (int)h);
	TRY(i, user = openat(proc, path, O_RDONLY | O_CLOEXEC), "open its user namespace");
	snprintf(path, sizeof path, "%d/ns/net", (int)h);
	TRY(i, net = openat(proc, path, O_RDONLY | O_CLOEXEC), "open its network namespace");
	TRY(i, kill(h, SIGKILL), "end the helper");
	TRY(i, waitpid(h, NULL, 0), "end the helper");
	fd = openat(proc, "sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1)
		fail(i, "reset its last pid");
	close(fd);
	TRY(i, setns(net, CLONE_NEWNET), "enter its network namespace");
	close(net);
	return user;
}

static void __attribute__((noreturn))
child(int i, int sync_fd, int exec_w, int log_fd, char **argv)
{
	char name[16], b;
	pid_t svc;
	int st, fs, proc, user;

	/* A proc of its pid namespace: the helper's maps, then /proc. */
	TRY(i, fs = (int)syscall(SYS_fsopen, "proc", 1 /* FSOPEN_CLOEXEC */), "mount /proc");
	TRY(i, syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE_, NULL, NULL, 0), "mount /proc");
	TRY(i, proc = (int)syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */,
				   MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_ | MOUNT_ATTR_NOEXEC_),
	    "mount /proc");
	close(fs);
	user = userns(i, proc);
	if (write(sync_fd, "n", 1) != 1)
		_exit(1);
	/* The mounts from this user namespace, as the sandbox's root. */
	setfsgid(base_id(i));
	setfsuid(base_id(i));
	mounts(i, log_fd, proc);
	if (hide)
		hide_conf(i);
	TRY(i, setns(user, CLONE_NEWUSER), "enter its user namespace");
	close(user);
	TRY(i, setresgid(0, 0, 0), "become root");
	TRY(i, setresuid(0, 0, 0), "become root");
	TRY(i, unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP), "unshare");
	TRY(i, sethostname(name, (size_t)snprintf(name, sizeof name, "s%d", i)), "set hostname");
	if (read(sync_fd, &b, 1) != 1)
		_exit(1);
	configure(i);
	svc = vfork();
	if (svc == 0)
		service(argv);
	close(exec_w);
	if (svc < 0)
		fail(i, "fork the service");
	while (waitpid(svc, &st, 0) < 0)
		;
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* The veth pair of sandbox I (pid PID): one request, the host end's IPv6
 * setting in the same datagram (net.c's make_links). */
static void link_pair(int i, int netns)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = HOST_INDEX0 + i,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC, .ifi_index = PEER_INDEX };
	uint32_t a = BR_ADDR + (uint32_t)i;
	unsigned char mac[6] = { 0x02, 0x53, a >> 24, a >> 16, a >> 8, a };
	char host[IFNAMSIZ];
	struct req r[2];
	size_t li, data, pe;

	snprintf(host, sizeof host, "fv%d", i);
	msg(&r[0], RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	attr(&r[0], IFLA_IFNAME, host, strlen(host) + 1);
	attr_u32(&r[0], IFLA_MASTER, BR_INDEX);
	attr_u32(&r[0], IFLA_NUM_TX_QUEUES, 1);
	attr_u32(&r[0], IFLA_NUM_RX_QUEUES, 1);
	li = attr(&r[0], IFLA_LINKINFO, NULL, 0);
	attr(&r[0], IFLA_INFO_KIND, "veth", 5);
	data = attr(&r[0], IFLA_INFO_DATA, NULL, 0);
	pe = attr(&r[0], VETH_INFO_PEER, NULL, 0);
	put(&r[0], &pifi, sizeof pifi);
	attr(&r[0], IFLA_IFNAME, "eth0", 5);
	attr(&r[0], IFLA_ADDRESS, mac, 6);
	attr_u32(&r[0], IFLA_NUM_TX_QUEUES, 1);
	attr_u32(&r[0], IFLA_NUM_RX_QUEUES, 1);
	attr_u32(&r[0], IFLA_NET_NS_FD, (uint32_t)netns);
	nest_end(&r[0], pe);
	nest_end(&r[0], data);
	nest_end(&r[0], li);
	no_ll6(&r[1], HOST_INDEX0 + i);
	if (talk(nl_fd, r, 2) < 0)
		die("create a veth pair");
}

/* Sandbox I (process PID, socket SP): once it reports its network
 * namespace, its veth pair, then its release; the namespace kept open in
 * *NETNS if not NULL. A child that failed first (end of file) is counted
 * when reaped. */
static void link_child(int i, pid_t pid, int sp, int *netns)
{
	char path[32], b;
	int fd;

	if (read(sp, &b, 1) == 1) {
		snprintf(path, sizeof path, "%d/ns/net", (int)pid);
		if ((fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC)) < 0)
			die("open a network namespace");
		link_pair(i, fd);
		if (netns)
			*netns = fd;
		else
			close(fd);
		send(sp, "x", 1, MSG_NOSIGNAL);
	}
	close(sp);
}

int main(int argc, char **argv)
{
	static char *dflt[] = { "/bin/true", NULL };
	char **payload = argc > 2 ? argv + 2 : dflt;
	long n = argc >= 2 ? strtol(argv[1], NULL, 10) : 0;
	double t0 = now_ms();
	int exec_p[2], fd, cg_root, cg_fd, failed = 0, *netns;
	pid_t *pids;
	const char *release = getenv("FLOOR_RELEASE");
	struct stat cf;
	int park = !release || strcmp(release, "now");
	struct stat pidns;
	char cg[64], b;

	if (n < 1 || n > 1000) {
		fprintf(stderr, "usage: floor_full N [PROGRAM [ARG...]] (N <= 1000)\n");
		return 2;
	}
	/* CAP(0..8 but 2), 10, 13, 18, 27, 29, 31: conf_value.c. */
	keep_caps = 0x1 | 0x2 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 1u << 10 | 1u << 13 |
		    1u << 18 | 1u << 27 | 1u << 29 | 1u << 31;
	/* Named after its pid namespace: two runs at once never meet. */
	if (stat("/proc/self/ns/pid", &pidns) < 0)
		die("stat its pid namespace");
	snprintf(cg, sizeof cg, "floor-%lu", (unsigned long)pidns.st_ino);
	if (setgroups(0, NULL) < 0 || (nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
						     NETLINK_ROUTE)) < 0 ||
	    (proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
	    pipe2(exec_p, O_CLOEXEC) < 0 || seccomp_build() < 0)
		die("set up");
	if ((cg_root = open(cgroup2_root(), O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (mkdirat(cg_root, cg, 0755) < 0 && errno != EEXIST) ||
	    (cg_fd = openat(cg_root, cg, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		die("make its cgroup");
	/* Nothing of its caller's reaches a sandbox (sandinit's reaper closes
	 * them all). */
	syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
	setsid();
	if ((fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC)) >= 0) {
		if (write(fd, "-10", 3) < 0)
			(void)0;	/* not offered: as sandinit, quietly */
		close(fd);
	}
	setpriority(PRIO_PROCESS, 0, -10);
	if (!(netns = calloc((size_t)n, sizeof *netns)) || !(pids = calloc((size_t)n, sizeof *pids)))
		die("allocate");
	for (long i = 0; i < n; i++)
		netns[i] = -1;
	hide = getenv("FLOOR_FULL_HIDE");
	if (hide && (hide[0] != '/' || stat(hide, &cf) < 0 || !S_ISREG(cf.st_mode)))
		die("find FLOOR_FULL_HIDE, a regular file by absolute path");
	bridge();
	probe();
	template();

	/* Sandbox I is linked once I + 1 is cloned (pipelined as sandinit's
	 * PID 1 is: its child makes its network namespace meanwhile). */
	for (int i = 1, prev_sp = -1; i <= n + 1; i++) {
		struct clone_args ca = {
			.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
		};
		char name[16];
		int sp[2] = { -1, -1 }, log_fd;
		pid_t pid = 0;

		if (i <= n) {
			snprintf(name, sizeof name, "s%d", i);
			/* (EEXIST: a run killed before its cleanup, its pid
			 * namespace's inode reused by ours) */
			if ((mkdirat(cg_fd, name, 0755) < 0 && (errno != EEXIST ||
				unlinkat(cg_fd, name, AT_REMOVEDIR) < 0 ||
				mkdirat(cg_fd, name, 0755) < 0)) ||
			    (fd = openat(cg_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
				die("make a cgroup");
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 ||
			    (log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
				die("make a socket");
			ca.cgroup = (uint64_t)fd;
			pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
			if (pid < 0)
				die("clone3");
			if (pid == 0)
				child(i, sp[0], exec_p[1], log_fd, payload);
			close(fd);
			close(sp[0]);
			close(log_fd);
		}
		if (i > 1)
			link_child(i - 1, pids[i - 2], prev_sp, park ? &netns[i - 2] : NULL);
		if (i <= n)
			pids[i - 1] = pid;
		prev_sp = sp[1];
	}
	close(exec_p[1]);
	/* End of file: every service exec'd (or its sandbox failed). */
	if (read(exec_p[0], &b, 1) != 0)
		die("wait for the execs");
	printf("%.3f\n", (now_ms() - t0) / (double)n);
	fflush(stdout);
	for (int i = 0; park && i < n; i++)
		if (netns[i] >= 0)
			close(netns[i]);

	for (long i = 0; i < n; i++) {
		int st;

		if (wait(&st) < 0)
			die("wait");
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	for (int i = 1; i <= n; i++) {
		char name[16];

		snprintf(name, sizeof name, "s%d", i);
		unlinkat(cg_fd, name, AT_REMOVEDIR);
	}
	unlinkat(cg_root, cg, AT_REMOVEDIR);
	if (failed) {
		fprintf(stderr, "floor_full: %d of %ld sandboxes failed\n", failed, n);
		return 1;
	}
	return 0;
}
