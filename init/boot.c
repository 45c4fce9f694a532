/* boot: what PID 1 does once at start and once at the end: early mounts,
 * leaving the initramfs, modules, sysctl, mounts, the rescue program,
 * shutdown and reboot. */
#include "boot.h"
#include "nft.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "devname.h"
#include "firewall.h"
#include "log.h"
#include "util.h"
#include "watchdog.h"

static char *mountinfo(void)
{
	size_t len;

	return read_file("/proc/self/mountinfo", 1 << 22, &len);
}

/* Copy the Nth (from 0) blank-separated field of LINE into BUF. */
static int mountinfo_field(const char *line, int n, char *buf, size_t size)
{
	const char *p = line, *end;

	for (int i = 0; i < n; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	end = strpbrk(p, " \n");
	if (!end || (size_t)(end - p) >= size)
		return -1;
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = 0;
	return 0;
}

/* Does the mount table list a mount exactly at PATH? */
static int mounted_at(const char *path)
{
	char *buf = mountinfo(), mp[512];
	int found = 0;

	/* mountinfo(5): id parent major:minor root MOUNTPOINT ... */
	for (char *line = buf; line && *line && !found; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		found = mountinfo_field(line, 4, mp, sizeof(mp)) == 0 && !strcmp(mp, path);
	}
	free(buf);
	return found;
}

/* (noinline: a call with one argument at each place) */
__attribute__((noinline)) void boot_unable(const char *what)
{
	log_msg("unable to %s: %m", what);
}

__attribute__((noinline)) void boot_unable_of(const char *what, const char *obj)
{
	log_msg("unable to %s %s: %m", what, obj);
}

static void mount_one(const char *src, const char *dst, const char *type,
		      unsigned long flags, const char *data)
{
	mkdir_p(dst);
	if (mount(src, dst, type, flags, data) < 0)
		log_msg("unable to mount %s on %s: %m%s", type, dst, "");	/* (boot_apply's format) */
}

/* mount_one, unless the mount table lists a mount at DST already.
 * (noinline: smaller than LTO's five inlined copies) */
__attribute__((noinline))
static void mount_missing(const char *src, const char *dst, const char *type,
			  unsigned long flags, const char *data)
{
	if (!mounted_at(dst))
		mount_one(src, dst, type, flags, data);
}

/* Is /proc the proc of our own pid namespace? /proc/self names us there. */
static int proc_is_ours(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	return atoi(buf) == getpid();
}

static int fs_type_is(const char *path, unsigned long magic)
{
	struct statfs sf;

	/* (musl's statfs: just the system call) */
	return syscall(SYS_statfs, path, &sf) == 0 && (unsigned long)sf.f_type == magic;
}

/* pivot_root(2) refuses the initramfs (rootfs has no parent mount), and
 * every sandbox pivots: so the root becomes a bind mount of it, mounted on
 * it. Copying the tree into a tmpfs (switch_root's way) took 80-115 ms of
 * PID 1's start under TCG; the bind takes nothing and holds the same
 * memory. */
static void leave_initramfs(void)
{
	const char *step;
	int dfd;

	if (getpid() != 1 || (!fs_type_is("/", RAMFS_MAGIC) && !fs_type_is("/", TMPFS_MAGIC)))
		return;
	{
		char *mi = mountinfo();
		int rootfs = mi && strstr(mi, " / / ") && strstr(mi, " - rootfs rootfs ");

		free(mi);
		if (!rootfs)
			return;
	}
	step = "make the root mount";
	if (mkdir("/.root", 0755) < 0 || mount("/", "/.root", NULL, MS_BIND, NULL) < 0)
		goto fail;
	step = "open the root mount";
	dfd = open("/.root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		goto fail;
	/* Early mounts made so far (proc) move along with the root. */
	if (mount("/proc", "/.root/proc", NULL, MS_MOVE, NULL) < 0)
		boot_unable("move /proc");
	step = "switch to the root mount";
	if (fchdir(dfd) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		boot_unable(step);
	close(dfd);
	rmdir("/.root");
	return;
fail:
	boot_unable(step);
}

/* A fresh cgroup2 mount waits for an RCU grace period (10-20 ms); where
 * the hierarchy is already mounted (a hybrid host's /sys/fs/cgroup/unified)
 * a bind of it is the same tree for 0.1 ms. */
static void mount_cgroup2(void)
{
	char *mi = mountinfo();
	char *hit = mi ? strstr(mi, " - cgroup2 ") : NULL;

	if (hit) {
		char *line = hit;

		while (line > mi && line[-1] != '\n')
			line--;
		/* id parent dev root MOUNTPOINT ...: the fifth field */
		char root[8], path[512];

		/* the hierarchy's root (field 4 "/"), not a bind of a subtree */
		if (mountinfo_field(line, 3, root, sizeof(root)) == 0 && !strcmp(root, "/") &&
		    mountinfo_field(line, 4, path, sizeof(path)) == 0) {
			mkdir_p("/sys/fs/cgroup");
			if (mount(path, "/sys/fs/cgroup", NULL, MS_BIND, NULL) == 0) {
				free(mi);
				return;
			}
		}
	}
	free(mi);
	mount_one("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "nsdelegate");
}

void boot_early(void)
{
	if (!proc_is_ours())
		mount_one("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	leave_initramfs();
	mount_missing("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_missing("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	mount_missing("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		      "gid=5,mode=0620,ptmxmode=0666");
	mount_missing("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	mount_missing("run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	if (!fs_type_is("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
		mount_cgroup2();
}

void boot_priority(void)
{
	int fd;

	/* With autogroups (sched(7)) nice only ranks processes within one
	 * group, and every service's setsid() makes it a group of its own:
	 * PID 1 takes a group of its own (as sysvinit and systemd do) and
	 * gives the group its nice. Each fails harmlessly where not offered. */
	setsid();
	/* Not a session of its own (already a group leader: setsid refused):
	 * its autogroup is shared, and not PID 1's to weigh. Without
	 * CAP_SYS_NICE (a container) both stay as they are, quietly. */
	fd = getsid(0) == getpid() ? open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		if (dprintf(fd, "%d", PID1_NICE) < 0 && errno != EPERM && errno != EACCES)
			boot_unable("set its autogroup's nice");
		close(fd);
	}
	if (setpriority(PRIO_PROCESS, 0, PID1_NICE) < 0 && errno != EPERM && errno != EACCES)
		boot_unable("set its nice");	/* (PID1_NICE: sandinit.8) */
}

const char *boot_config_path(const char *dflt)
{
	static char path[4096] PAGE_BUF;
	size_t len;
	char *cmd = read_file("/proc/cmdline", 65536, &len);
	const char *key = "sandinit.config=";

	if (!cmd)
		return dflt;
	for (char *save, *tok = strtok_r(cmd, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (!strncmp(tok, key, strlen(key)) && strlen(tok) - strlen(key) < sizeof(path)) {
			strcpy(path, tok + strlen(key));
			free(cmd);
			return path;
		}
	}
	free(cmd);
	return dflt;
}

static const char *yes(const char *path)
{
	return access(path, F_OK) == 0 ? "yes" : "no";
}

static int moddir_file(char *buf, size_t size, const char *file, const char *ext);

/* nf_tables answers, or its module is there to be loaded (the config's
 * modules come after this line). */
static const char *nftables(void)
{
	char p[256];

	return nft_probe() || (moddir_file(p, sizeof p, "nf_tables", ".ko") == 0 &&
			       access(p, F_OK) == 0) ? "yes" : "no";
}

void boot_features(void)
{
	struct utsname u;
	const char *cg = cg_controllers();

	uname(&u);
	/* SPEC §4's fields first, in its order; then the rest. */
	log_msg("kernel: userns=%s netns=%s cgroup2=%s seccomp=%s nftables=%s pidns=%s timens=%s release=%s",
		yes("/proc/self/ns/user"), yes("/proc/self/ns/net"), cg && *cg ? cg : "none",
		yes("/proc/sys/kernel/seccomp/actions_avail"), nftables(),
		yes("/proc/self/ns/pid"), yes("/proc/self/ns/time"), u.release);
}

/* /lib/modules/RELEASE/FILE EXT: where the image keeps the modules (flat,
 * NAME.ko, the name as load_module spells it: `_` for `-`) and their
 * lists. */
static int moddir_file(char *buf, size_t size, const char *file, const char *ext)
{
	struct utsname u;

	uname(&u);
	return snprintf(buf, size, "/lib/modules/%s/%s%s", u.release, file, ext) < (int)size ? 0 : -1;
}

static int module_loaded(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "/sys/module/%s", name);
	return access(p, F_OK) == 0;
}

/* Do A (LEN bytes) and NUL-terminated B, spelled with `_` for `-'
 * (load_module's), name the same module? */
/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static int same_module(const char *a, size_t len, const char *b)
{
	size_t i;

	for (i = 0; i < len && b[i]; i++)
		if ((a[i] == '-' ? '_' : a[i]) != b[i])
			return 0;
	return i == len && !b[i];
}

/* Is NAME built into the kernel? modules.builtin lists the paths its
 * modules would have (kernel/net/unix/unix.ko); not every built-in one
 * shows in /sys/module (only those with parameters or a version). Without
 * that list, a kernel without module support (no /proc/modules) has built
 * in all it has: nothing else could be loaded. */
static int module_builtin(const char *name)
{
	char path[256];
	size_t len;
	char *buf;
	int found = 0;

	moddir_file(path, sizeof(path), "modules.builtin", "");
	buf = read_file(path, 4 << 20, &len);
	if (!buf && errno == ENOENT && access("/proc/modules", F_OK) < 0)
		return 1;
	for (char *line = buf; line && *line && !found;) {
		char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line);
		char *base = line;

		for (char *q = line; q < end; q++)
			if (*q == '/')
				base = q + 1;
		if (end - base > 3 && !memcmp(end - 3, ".ko", 3))
			found = same_module(base, (size_t)(end - 3 - base), name);
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
	return found;
}

/* The .modinfo field KEY= of module image KO (LEN bytes) into BUF, "" if
 * none: .modinfo holds NUL-separated key=value strings. */
static void modinfo(const char *ko, size_t len, const char *key, char *buf, size_t size)
{
	size_t k = strlen(key);

	buf[0] = 0;
	for (size_t off = 0; off + k + 1 < len; off++)
		if (!ko[off] && !memcmp(ko + off + 1, key, k)) {
			snprintf(buf, size, "%.*s", (int)strnlen(ko + off + 1 + k, len - off - 1 - k),
				 ko + off + 1 + k);
			return;
		}
}

/* Modules that failed: tried and reported once (SPEC §3 `modules`). */
#define FAILED_MAX 64
static char failed[FAILED_MAX][64] PAGE_BUF;
static int nfailed;

static int load_module(const char *name, int depth);

/* Each module of LIST (separated by any of SEP); failures logged. */
static void load_each(const char *mod, char *list, const char *sep, int depth)
{
	for (char *save, *d = strtok_r(list, sep, &save); d; d = strtok_r(NULL, sep, &save))
		if (strcmp(d, "pre:") && load_module(d, depth + 1) < 0 && errno != ECANCELED)
			boot_unable_of("load module", stepf("%s for %s", d, mod));
}

static int load_one(const char *name, int depth)
{
	char path[512], deps[512];
	size_t len;
	char *ko;
	int fd;

	if (moddir_file(path, sizeof(path), name, ".ko") < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	ko = read_file(path, 64 << 20, &len);
	if (!ko)
		return -1;
	/* As modprobe: softdep=pre: first (libcrc32c names crc32c, which
	 * the image builder links to crc32c_generic), then depends=. */
	modinfo(ko, len, "softdep=", deps, sizeof(deps));
	if (strstr(deps, "post:"))
		*strstr(deps, "post:") = 0;
	load_each(name, deps, " ", depth);
	modinfo(ko, len, "depends=", deps, sizeof(deps));
	load_each(name, deps, ",", depth);
	free(ko);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
		return close_fail(fd);
	close(fd);
	return 0;
}

/* -1 with errno; ECANCELED: it failed before and was reported then. */
static int load_module(const char *name, int depth)
{
	char n[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(n) - 1; i++)
		n[i] = name[i] == '-' ? '_' : name[i];
	n[i] = 0;
	if (depth > 8) {
		errno = ELOOP;
		return -1;
	}
	if (module_loaded(n) || module_builtin(n))
		return 0;
	for (int k = 0; k < nfailed; k++)
		if (!strcmp(failed[k], n)) {
			errno = ECANCELED;
			return -1;
		}
	/* No module support: neither built in nor loadable (ENOSYS, as
	 * finit_module(2) there), whatever file the image holds. */
	if (access("/proc/modules", F_OK) < 0)
		errno = ENOSYS;
	else if (load_one(n, depth) == 0)
		return 0;
	if (nfailed < FAILED_MAX) {
		snprintf(failed[nfailed++], sizeof(failed[0]), "%s", n);
	}
	return -1;
}

int boot_module(const char *name)
{
	if (load_module(name, 0) == 0)
		return 0;
	if (errno != ECANCELED)
		boot_unable_of("load module", name);
	return -1;
}

/* The modules that make the services' `device` nodes which are missing
 * (SPEC §3): Debian's kernel has tun, ppp, fuse, uinput and loop as
 * modules, and a node of theirs exists only once they are loaded. Which
 * module makes which node is depmod's modules.devname (the image builder
 * writes it); a node made by no module fails the service's start as
 * before. */
/* noinline: LTO's copy inside feature_modules was 30 B larger */
static __attribute__((noinline)) void device_modules(const struct conf *c)
{
	char path[256], mod[64], *map = NULL;
	size_t len = 0;
	int looked = 0;

	for (int i = 0; i < c->nsvc; i++)
		for (int j = 0; j < c->svc[i].ndevices; j++) {
			const char *p = c->svc[i].devices[j].path;

			if (strncmp(p, "/dev/", 5) || strpbrk(p, "*?[") || access(p, F_OK) == 0 ||
			    errno != ENOENT)
				continue;
			if (!looked++ && moddir_file(path, sizeof(path), "modules.devname", "") == 0)
				map = read_file(path, 1 << 20, &len);
			if (map && devname_module(map, len, p + 5, mod, sizeof(mod)) == 0)
				boot_module(mod);
		}
	free(map);
}

/* The modules a config needs beyond its `modules` lines (SPEC §10): the
 * firewall's for `nat` and `publish`; those of missing `device` nodes;
 * for `interface`, the board's network drivers, which the image builder
 * lists in sandinit.uplink (NIC: not without it). */
static void feature_modules(const struct conf *c, int nic)
{
	static const char *const fw[] = { FW_MODULES };
	int publish = 0;

	for (int i = 0; i < c->nsvc; i++)
		publish |= c->svc[i].npublishes > 0;
	if (c->nnats || publish)
		for (size_t i = 0; i < ARRAY_SIZE(fw); i++)
			boot_module(fw[i]);
	device_modules(c);
	if (nic && c->nifaces) {
		char path[128], *list;
		size_t len;

		if (moddir_file(path, sizeof(path), "sandinit.uplink", "") == 0 &&
		    (list = read_file(path, 4096, &len))) {
			for (char *save, *m = strtok_r(list, " \t\n", &save); m;
			     m = strtok_r(NULL, " \t\n", &save))
				boot_module(m);
			free(list);
		}
	}
}

/* At boot the network drivers wait until the services are up: nothing
 * before `ready` needs them (iface configures a link when it appears, the
 * DHCP lease comes when it comes), and under TCG linking a module costs
 * more than a service's start; loading them beside the boot's own (in a
 * child) was slower still, each load stalling the other. */
static int nic_later;

void boot_modules(const struct conf *c)
{
	for (int i = 0; i < c->nmodules; i++)
		boot_module(c->modules[i]);
	feature_modules(c, 0);
	nic_later = c->nifaces > 0;
}

int boot_modules_later(void)
{
	return nic_later;
}

void boot_modules_late(const struct conf *c)
{
	if (!nic_later)
		return;
	nic_later = 0;
	/* In PID 1 itself, as every module: a failure is logged into its
	 * ring and remembered (tried once), and no child holds a copy of its
	 * descriptors (the loop's epoll set, the log-file pipe) meanwhile. */
	feature_modules(c, 1);
}

/* mount(8)-style OPTIONS: flags it knows, fstab's own words (which
 * mount(8) leaves out of its call too) skipped, the rest passed to the
 * fs. *NOFAIL: `nofail` given. */
#define F(ms) (__builtin_ctz(ms) + 1)	/* a byte: the flag's bit + 1 */
#define CLEAR 0x80	/* the word clears it */
#define REC 0x40	/* and MS_REC */
static unsigned long mount_flags(const char *opts, char *data, size_t size, int *nofail)
{
	/* The names NUL-separated (no table of pointers, nor of 16-byte
	 * entries), each with its flag in FLAG; CLEAR: the word clears it. */
	static const char names[] =
		"ro\0rw\0nosuid\0suid\0nodev\0dev\0noexec\0exec\0sync\0async\0"
		"noatime\0relatime\0nodiratime\0defaults\0bind\0rbind\0dirsync\0lazytime\0"
		/* fstab's, not the kernel's */
		"auto\0noauto\0user\0nouser\0users\0_netdev\0nofail";
	static const unsigned char flag[] = {
		F(MS_RDONLY), CLEAR | F(MS_RDONLY), F(MS_NOSUID), CLEAR | F(MS_NOSUID),
		F(MS_NODEV), CLEAR | F(MS_NODEV), F(MS_NOEXEC), CLEAR | F(MS_NOEXEC),
		F(MS_SYNCHRONOUS), CLEAR | F(MS_SYNCHRONOUS), F(MS_NOATIME), F(MS_RELATIME),
		F(MS_NODIRATIME), 0, F(MS_BIND), REC | F(MS_BIND), F(MS_DIRSYNC), F(MS_LAZYTIME),
		0, 0, 0, 0, 0, 0, 0,
	};
	unsigned long flags = 0;
	char buf[1024];
	size_t dl = 0;

	data[0] = 0;
	*nofail = 0;
	if (!opts)
		return 0;
	snprintf(buf, sizeof(buf), "%s", opts);
	for (char *save, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		const char *n = names;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(flag) && strcmp(o, n); i++)
			n += strlen(n) + 1;
		*nofail |= i == ARRAY_SIZE(flag) - 1;	/* (the last name) */
		if (i < ARRAY_SIZE(flag)) {
			unsigned e = flag[i];
			unsigned long f = (e & 31 ? 1UL << ((e & 31) - 1) : 0) | (e & REC ? MS_REC : 0);

			flags = e & CLEAR ? flags & ~f : flags | f;
			continue;
		}
		if (!strncmp(o, "x-", 2) || !strncmp(o, "comment=", 8))
			continue;
		dl += (size_t)snprintf(data + dl, size - dl, "%s%s", dl ? "," : "", o);
		if (dl >= size)
			dl = size - 1;
	}
	return flags;
}

/* M with FLAGS: a bind ignores the flags, so, as mount(8) does, a bind
 * with any is remounted with them. */
static int global_mount(const struct conf_mount *m, unsigned long flags, const char *data)
{
	const unsigned long per = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
				  MS_NODIRATIME | MS_RELATIME;

	if (mkdir_p(m->target) < 0 || mount(m->source, m->target, m->fstype, flags, data) < 0)
		return -1;
	if (!(flags & MS_BIND) || !(flags & per))
		return 0;
	if (mount(NULL, m->target, NULL, MS_REMOUNT | MS_BIND | (flags & per), NULL) < 0) {
		int e = errno;

		/* not left bound without the flags asked for (ro) */
		umount2(m->target, MNT_DETACH);
		errno = e;
		return -1;
	}
	return 0;
}

/* The global mounts boot_apply made, for boot_final (a reload never
 * changes them). */
static char **mounted;
static int nmounted;

/* Does OLD have NEW's sysctl with the same value, or module NAME? */
static int old_sysctl(const struct conf *old, const struct conf_sysctl *sc)
{
	for (int i = 0; old && i < old->nsysctls; i++)
		if (!strcmp(old->sysctls[i].key, sc->key))
			return !strcmp(old->sysctls[i].value, sc->value);
	return 0;
}

static int old_module(const struct conf *old, const char *name)
{
	for (int i = 0; old && i < old->nmodules; i++)
		if (!strcmp(old->modules[i], name))
			return 1;
	return 0;
}

/* What of C's hostname, modules and sysctls OLD (NULL at boot) did not
 * have already. */
static void apply_changes(const struct conf *old, const struct conf *c)
{
	if (c->hostname && !(old && same_str(old->hostname, c->hostname)) &&
	    sethostname(c->hostname, strlen(c->hostname)) < 0)
		boot_unable_of("set hostname", c->hostname);
	for (int i = 0; i < c->nmodules; i++)
		if (!old_module(old, c->modules[i]))
			boot_module(c->modules[i]);
	feature_modules(c, !nic_later);
	for (int i = 0; i < c->nsysctls; i++) {
		char path[512];

		if (old_sysctl(old, &c->sysctls[i]))
			continue;
		snprintf(path, sizeof(path), "/proc/sys/%s", c->sysctls[i].key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (write_str(path, c->sysctls[i].value) < 0)
			boot_unable_of("set sysctl", c->sysctls[i].key);
	}
}

void boot_apply(const struct conf *c)
{
	apply_changes(NULL, c);
	if (c->nmounts && !mounted && !(mounted = calloc((size_t)c->nmounts, sizeof *mounted)))
		boot_unable("keep the list of mounts");
	for (int i = 0; i < c->nmounts; i++) {
		const struct conf_mount *m = &c->mounts[i];
		char data[1024];
		int nofail;
		unsigned long flags = mount_flags(m->options, data, sizeof(data), &nofail);

		if (global_mount(m, flags, data[0] ? data : NULL) < 0)
			log_msg("unable to mount %s on %s: %m%s", m->source, m->target,
				nofail ? " (nofail)" : "");
		else if (mounted && (mounted[nmounted] = strdup(m->target)))
			nmounted++;
	}
}

static int same_mount(const struct conf_mount *a, const struct conf_mount *b)
{
	return !strcmp(a->source, b->source) && !strcmp(a->target, b->target) &&
	       !strcmp(a->fstype, b->fstype) && same_str(a->options, b->options);
}

void boot_reload(const struct conf *old, const struct conf *c)
{
	int same = old->nmounts == c->nmounts;

	apply_changes(old, c);
	for (int i = 0; same && i < c->nmounts; i++)
		same = same_mount(&old->mounts[i], &c->mounts[i]);
	if (!same)
		log_msg("reload: mount changes apply at the next boot");
}

pid_t boot_rescue(const char *path)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	setsid();
	setpriority(PRIO_PROCESS, 0, 0);	/* PID1_NICE is PID 1's */
	ioctl(STDIN_FILENO, TIOCSCTTY, 1);
	execv(path, (char *const[]){ (char *)path, NULL });
	boot_unable_of("run the rescue program", path);
	_exit(127);
}

/* Send SIG to everything but us; wait up to MS for them to go. */
static void kill_all(int sig, int ms, void (*reap)(void))
{
	int64_t end = now_ms() + ms;

	kill(-1, sig);
	while (now_ms() < end) {
		reap();
		/* kill(-1, 0) fails with ESRCH once nothing is left to signal. */
		if (kill(-1, 0) < 0 && errno == ESRCH)
			return;
		poll(NULL, 0, 10);
	}
}

/* The actions' words NUL-separated, each at its offset (no table of
 * pointers). */
static const char word[] = "reboot\0halt\0poweroff";

const char *boot_word(enum boot_action a) { return word + "\0\7\14"[a]; }

void boot_final(enum boot_action a, void (*reap)(void))
{
	static const int cmd[] = { RB_AUTOBOOT, RB_HALT_SYSTEM, RB_POWER_OFF };

	kill_all(SIGTERM, 2000, reap);
	kill_all(SIGKILL, 1000, reap);
	sync();
	for (int i = nmounted - 1; i >= 0; i--)
		if (umount2(mounted[i], 0) < 0 &&
		    mount(NULL, mounted[i], NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
			boot_unable_of("unmount", mounted[i]);
	sync();
	log_msg("%s", boot_word(a));
	wd_close_magic();
	reboot(cmd[a]);
	/* Only reached if reboot(2) failed: an init must not return. */
	for (;;)
		pause();
}
