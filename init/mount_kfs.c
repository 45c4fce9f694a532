/* mount_kfs: the kernel's file systems in a sandbox being set up (mount.c,
 * SPEC §6): its own proc with Docker's read-only and masked entries, a
 * tmpfs /dev with the SPEC's nodes, links, its own devpts, /dev/shm,
 * /dev/log and the granted devices, and /sys; all made in the new root
 * mount.c staged (mnt_root, mnt_root_fd: mount_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "device.h"
#include "mount.h"
#include "mount_int.h"
#include "util.h"

/* The lists below are NUL-separated strings, an empty one last (no table
 * of pointers to them: 8 bytes each), walked with NEXT. */
#define NEXT(s) ((s) + strlen(s) + 1)

/* Docker's lists: read-only, and masked (an empty read-only tmpfs over a
 * directory, /dev/null over a file). Missing ones are skipped. */
static const char proc_ro[] =
	"/proc/sys\0/proc/sysrq-trigger\0/proc/irq\0/proc/bus\0/proc/fs\0";
static const char masked[] =
	"/proc/kcore\0/proc/keys\0/proc/timer_list\0/proc/latency_stats\0"
	"/proc/timer_stats\0/proc/sched_debug\0/proc/acpi\0/proc/scsi\0"
	"/proc/asound\0/sys/firmware\0/sys/devices/virtual/powercap\0";

static const char dev_nodes[] = "null\0zero\0full\0random\0urandom\0tty\0";
/* name, then its target */
static const char dev_links[] =
	"fd\0/proc/self/fd\0stdin\0/proc/self/fd/0\0"
	"stdout\0/proc/self/fd/1\0stderr\0/proc/self/fd/2\0"
	"ptmx\0pts/ptmx\0";

/* The mount at DFD/PATH read-only (FLAGS: AT_*, AT_RECURSIVE for every mount
 * below). mount_setattr(2) changes only that one flag, so the nosuid/nodev/
 * noexec/atime flags locked on mounts inherited from the host are left as
 * they were (a plain MS_REMOUNT would have to repeat them). */
int mnt_set_ro(int dfd, const char *path, unsigned flags)
{
	struct sb_mount_attr attr = { .attr_set = SB_MOUNT_ATTR_RDONLY };

	return (int)syscall(SYS_mount_setattr, dfd, path, flags, &attr, sizeof attr);
}

int mnt_make_ro(const char *path, int recursive)
{
	int fd = mnt_resolve(mnt_root_fd, path), r;

	if (fd < 0)
		return -1;
	r = mnt_set_ro(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
	close(fd);
	return r;
}

int mnt_mask(const char *path)
{
	char p[sizeof mnt_root + 64];
	struct stat st;
	int fd, r;

	/* Under the new root's proc, mounted by mnt_mount_proc on a checked
	 * directory, by plain path: its entries are what the kernel made. */
	if (!strncmp(path, "/proc/", 6)) {
		mnt_path(p, sizeof p, path);
		if (lstat(p, &st) < 0)
			return errno == ENOENT ? 0 : -1;
		if (S_ISDIR(st.st_mode))
			return mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				     "mode=555");
		if (S_ISREG(st.st_mode))
			return mount("/dev/null", p, NULL, MS_BIND, NULL);
	}
	fd = mnt_resolve(mnt_root_fd, path);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0)
		r = -1;
	else if (S_ISDIR(st.st_mode))
		r = mnt_mount_at("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=555");
	else
		r = mnt_mount_at("/dev/null", fd, NULL, MS_BIND, NULL);
	close(fd);
	return r;
}

/* The masked list's entries present in the new root's proc and sys. */
int mnt_mask_kernel(const char **step)
{
	for (const char *m = masked; *m; m = NEXT(m)) {
		*step = stepf("mask %s", m);
		if (mnt_mask(m) < 0)
			return -1;
	}
	return 0;
}

/* mnt_proc_open's, for mnt_mount_proc, or -1. */
static int proc_fd = -1;

int mnt_proc_open(void)
{
	int fs = (int)syscall(SYS_fsopen, "proc", 1 /* FSOPEN_CLOEXEC */), fd = -1;

	if (fs < 0)
		return -1;
	if (syscall(SYS_fsconfig, fs, SB_FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		fd = (int)syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */,
				  SB_MOUNT_ATTR_NOSUID | SB_MOUNT_ATTR_NODEV | SB_MOUNT_ATTR_NOEXEC);
	close_fail(fs);
	return fd;
}

void mnt_set_proc(int fd)
{
	proc_fd = fd;
}

/* The proc mnt_set_proc gave, or a new one, onto PATH. */
static int attach_proc(const struct svc_conf *s, const char *path)
{
	int fd = proc_fd, r;

	proc_fd = -1;
	if (fd >= 0 && s->proc != PROC_PID_ONLY)
		r = mnt_move(fd, AT_FDCWD, path);
	else
		r = mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  s->proc == PROC_PID_ONLY ? "subset=pid" : NULL);
	close_fail(fd);
	return r;
}

int mnt_mount_proc(const struct svc_conf *s, const char **step)
{
	char path[sizeof mnt_root + 8];
	struct stat st;
	int i;

	/* On a path string: mnt_at()'s /proc/self/fd needs it. A symlink here
	 * would lead out of the new root, hence the check. */
	*step = "mount /proc";
	mnt_path(path, sizeof path, "/proc");
	/* A root without one gets it made (mnt_at: its files unchanged). */
	if (lstat(path, &st) < 0 && (errno != ENOENT || (i = mnt_at("/proc", S_IFDIR)) < 0 ||
				     close(i) < 0 || lstat(path, &st) < 0))
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (attach_proc(s, path) < 0)
		return -1;
	if (s->proc == PROC_PID_ONLY)
		return 0;
	/* By plain path below the proc just mounted: these are its own
	 * entries, none a symlink. */
	for (const char *ro = proc_ro; *ro; ro = NEXT(ro)) {
		char p[sizeof path + 32];

		*step = stepf("make %s read-only", ro);
		mnt_path(p, sizeof p, ro);
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		if (mnt_set_ro(AT_FDCWD, p, AT_RECURSIVE | AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
	}
	return 0;
}

/* A tmpfs without a SIZE of its own (SPEC §3 `tmpfs`): 64M, or half of
 * `memory` when that is smaller, so that no service pins half the RAM. */
#define TMPFS_DEFAULT_SIZE (64ULL << 20)
/* noinline: one copy, not one in each of its three callers */
__attribute__((noinline)) uint64_t mnt_tmpfs_size(const struct svc_conf *s)
{
	return s->memory && s->memory / 2 < TMPFS_DEFAULT_SIZE ? s->memory / 2 : TMPFS_DEFAULT_SIZE;
}

/* /dev/log: PID 1's socket (mnt_log_fd) bound in the sandbox's own /dev/shm,
 * then over the empty /dev/log mnt_mount_dev made, its name in shm removed.
 * What arrives on it can come from this sandbox only. */
static int dev_log(const char *prefix, const char **step)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char target[PATH_MAX];

	*step = "bind /dev/log";
	if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/shm/.log", prefix) >=
	    sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(target, sizeof target, "%s/log", prefix);
	if (bind(mnt_log_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(sa.sun_path, 0666) < 0 ||
	    mount(sa.sun_path, target, NULL, MS_BIND, NULL) < 0)
		return -1;
	return unlink(sa.sun_path);
}

/* What /dev holds of each sandbox's own: a devpts instance, a /dev/shm and
 * /dev/log, on what mnt_mount_dev made in PREFIX (the new root's /dev, a tmpfs
 * made there, so plain paths need no openat2). */
int mnt_dev_own(const struct svc_conf *s, const char *prefix, const char **step)
{
	char target[PATH_MAX], opts[48];
	int fd, r;

	*step = "mount /dev/pts";
	snprintf(target, sizeof target, "%s/pts", prefix);
	if (mount("devpts", target, "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		return -1;
	*step = "mount /dev/shm";
	snprintf(target, sizeof target, "%s/shm", prefix);
	/* (mount_tmpfs's format: one string) */
	snprintf(opts, sizeof opts, "mode=%o,size=%llu", 01777U,
		 (unsigned long long)mnt_tmpfs_size(s));
	if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return -1;
	fd = open(target, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = fd < 0 ? -1 : mnt_own(fd, -1);
	close_fail(fd);
	if (r < 0)
		return -1;
	return mnt_log_fd >= 0 ? dev_log(prefix, step) : 0;
}

/* A tmpfs /dev with the SPEC's nodes (binds of the host's), its links, pts,
 * shm and S's devices, then read-only. With S NULL (the template): no
 * devices, and pts and shm left to each sandbox (mnt_dev_own). */
int mnt_mount_dev(const struct svc_conf *s, const char **step)
{
	struct stat dst;
	char prefix[sizeof mnt_root + 32];
	const struct dev_node *dv;	/* the nodes PID 1 granted (device.c) */
	int i, dev_fd = -1, nodes, ndv;

	/* The nodes' sources: the /dev this process sees (PID 1's, or the
	 * template's, which the tmpfs is about to cover). */
	*step = "mount /dev";
	nodes = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (nodes < 0 || mnt_tmpfs_at("/dev", S_IFDIR, MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") < 0)
		goto fail;
	/* The tmpfs just mounted, not the directory under it. */
	dev_fd = mnt_resolve(mnt_root_fd, "/dev");
	if (dev_fd < 0)
		goto fail;
	/* Mount targets in it by plain path (no proc lookups) when the new
	 * root's /dev is that very directory; through the descriptor if /dev
	 * is a symlink there, which a path would follow out of the new root. */
	mnt_path(prefix, sizeof prefix, "/dev");
	if (lstat(prefix, &dst) < 0 || !S_ISDIR(dst.st_mode))
		snprintf(prefix, sizeof prefix, "%s/proc/self/fd/%d", mnt_root, dev_fd);
	for (const char *n = dev_nodes; *n; n = NEXT(n)) {
		*step = stepf("bind /dev/%s", n);
		if (mnt_make_in(dev_fd, n, S_IFREG) < 0 || mnt_bind_entry(nodes, n, dev_fd, n) < 0)
			goto fail;
	}
	*step = "populate /dev";
	if (mkdirat(dev_fd, "pts", 0755) < 0 || mkdirat(dev_fd, "shm", 0755) < 0)
		goto fail;
	/* The mount point of /dev/log: in the template for every sandbox
	 * (one with `syslog no` gets a /dev of its own, without it). */
	if ((!s || mnt_log_fd >= 0) && mnt_make_in(dev_fd, "log", S_IFREG) < 0)
		goto fail;
	if (s && mnt_dev_own(s, prefix, step) < 0)
		goto fail;
	*step = "populate /dev";
	for (const char *l = dev_links; *l; l = NEXT(NEXT(l))) {
		if (symlinkat(NEXT(l), dev_fd, l) < 0)
			goto fail;
	}

	ndv = s ? dev_granted(s->name, &dv) : 0;
	for (i = 0; i < ndv; i++) {
		*step = stepf("device %s", dv[i].path);
		if (mnt_attach(&mnt_src_fd[s->nbinds + i], dv[i].path) < 0)
			goto fail;
	}
	/* (its name: mnt_prepare) Not over a name the sandbox's /dev has
	 * (ptmx, its link to pts/ptmx, a default node), nor through a link. */
	if (s && mnt_tty[0] && fstatat(dev_fd, mnt_tty + 5, &dst, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno == ENOENT) {
		*step = stepf("bind %s", mnt_tty);
		if (mnt_attach(&mnt_src_fd[s->nbinds + ndv], mnt_tty) < 0)
			goto fail;
	}
	/* Nothing more goes into /dev itself; pts, shm and the nodes are
	 * mounts of their own and keep their flags. */
	*step = "make /dev read-only";
	if (mnt_set_ro(dev_fd, "", AT_EMPTY_PATH) < 0)
		goto fail;
	close(dev_fd);
	close(nodes);
	return 0;
fail:
	close_fail(dev_fd);
	return close_fail(nodes);
}

/* Sysfs shows the devices of the mounting process's network namespace, which
 * the owner of a fresh one may do; sharing the host's (no `net`), it may not:
 * then a read-only copy of the host's /sys. An absent /sys stays absent.
 * (noinline: smaller than LTO's copy inlined in own_mounts) */
__attribute__((noinline)) int mnt_mount_sys(const char **step)
{
	int fd = mnt_resolve(mnt_root_fd, "/sys"), r;

	*step = "mount /sys";
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	r = mnt_mount_at("sysfs", fd, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	/* EBUSY: the host's network namespace (no `net` namespace, e.g. a
	 * DHCP helper), whose sysfs is mounted read-write already. */
	if (r < 0 && (errno == EPERM || errno == EACCES || errno == EBUSY)) {
		r = mnt_mount_at("/sys", fd, NULL, MS_BIND | MS_REC, NULL);
		if (r == 0)
			r = mnt_make_ro("/sys", 1);
	}
	close(fd);
	return r;
}
