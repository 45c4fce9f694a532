/* mount: a sandbox's file system view (SPEC §6): the root bound onto a staging
 * tmpfs, a private /proc with the dangerous files masked, a minimal /dev, a
 * read-only /sys, /tmp, the service's binds and tmpfs, then pivot_root.
 *
 * It runs in the sandbox's first process, in a mount namespace of PID 1's
 * user namespace (so that each mount it makes is locked once the process
 * enters the sandbox's user namespace: spawn.c), as the sandbox's root would
 * touch files: with its host id as fsuid, without capabilities over files
 * (setfsuid(2)). So the root's files never change: mount points are created
 * only on tmpfs mounts made here, in rw binds, or on a graft (mnt_at()). Needs Linux >= 5.12 (mount_setattr, openat2, open_tree,
 * proc subset=pid). The kernel's file systems in it (proc, /dev, /sys):
 * mount_kfs.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "device.h"
#include "mount.h"
#include "mount_int.h"
#include "util.h"

/* Where the new root is assembled, in this mount namespace only: a tmpfs
 * over the host's /proc, the copy of the root in a directory on it. The tmpfs
 * hides what is below it until pivot_root, and binds and devices are looked
 * up by their host paths meanwhile: /proc is the one directory that always
 * exists (PID 1 mounts it) and that no sandbox takes anything from (it gets a
 * proc of its own). /tmp (bubblewrap's choice) would hide every bind source
 * or `root` under it. Others, should /proc be missing. */
/* The template's, from TMPL_SCRATCH on: no bind source but / and /dev, and
 * /proc stays in view. NUL-separated (no table of pointers). */
static const char scratch_dirs[] = "/proc\0/mnt\0/tmp\0/mnt";
#define TMPL_SCRATCH (scratch_dirs + 11)	/* "/tmp", "/mnt" */

/* Shared with mount_kfs.c (mount_int.h). */
char mnt_root[64];		/* the new root, as a path in the old one */

/* (noinline: one call a path, not a snprintf's four arguments) */
__attribute__((noinline)) void mnt_path(char *buf, size_t size, const char *path)
{
	snprintf(buf, size, "%s%s", mnt_root, path);
}
static char staging[64];	/* the staging tmpfs root lies on */
/* Where the proc that mnt_mount_at goes through is: the new root's (mnt_root), or
 * "" for the one mounted on /, which the template builder still sees. */
const char *mnt_fd_proc = mnt_root;
int mnt_root_fd = -1;	/* O_PATH of it */
int mnt_log_fd = -1;	/* PID 1's unbound datagram socket for this sandbox's /dev/log, or -1 */
static int resolv_fd = -1;	/* mnt_set_resolv's */

/* mount(2) on a descriptor from mnt_at(): through its /proc/self/fd link, which
 * the kernel follows to the very directory (runc does the same). Needs the
 * new root's /proc, so only after it is mounted. */
int mnt_mount_at(const char *src, int fd, const char *type, unsigned long flags, const char *data)
{
	char target[sizeof mnt_root + 32];

	snprintf(target, sizeof target, "%s/proc/self/fd/%d", mnt_fd_proc, fd);
	return mount(src, target, type, flags, data);
}

/* The service's bind sources, then its device nodes: detached copies of
 * PID 1's mounts made by PID 1 before the clone (mnt_prepare), so a sandbox
 * whose namespace does not show PID 1's paths (the template's) gets them. */
int *mnt_src_fd;
char mnt_tty[PATH_MAX];
static int nsrc, src_cap;
static int ovl_fd = -1;	/* `readonly overlay`: the detached overlayfs (mnt_overlay) */

/* Move the detached mount SRC (a mnt_src_fd, closed here) onto PATH. */
int mnt_attach(int *src, const char *path)
{
	struct stat st;
	int fd, r = -1;

	if (fstat(*src, &st) == 0 && (fd = mnt_at(path, S_ISDIR(st.st_mode) ? S_IFDIR : S_IFREG)) >= 0) {
		r = mnt_move(*src, fd, "");
		close(fd);
	}
	close(*src);
	*src = -1;
	return r;
}

/* A tmpfs of the sandbox's own at PATH: mnt_at() may make mount points in it. */
int mnt_tmpfs_at(const char *path, mode_t kind, unsigned long flags, const char *data)
{
	int fd = mnt_at(path, kind), r;

	if (fd < 0)
		return -1;
	r = mnt_mount_at("tmpfs", fd, "tmpfs", flags, data);
	close(fd);
	if (r < 0 || (fd = mnt_resolve(mnt_root_fd, path)) < 0)
		return -1;
	r = mnt_own(fd, -1);
	close(fd);
	return r;
}


static int depth(const char *path)
{
	int n = 0;

	for (; *path; path++) {
		if (*path != '/' && (path[1] == '/' || !path[1]))
			n++;
	}
	return n;
}

static int is_tmp(const char *path)
{
	return !strcmp(path, "/tmp") || !strcmp(path, "/tmp/");
}

/* The shared-for-all directories (SPEC: 1777): /tmp and /dev/shm. */
static int is_sticky(const char *path)
{
	return is_tmp(path) || !strcmp(path, "/dev/shm") || !strcmp(path, "/dev/shm/");
}

/* DST's tmpfs: SIZE (0: mnt_tmpfs_size), MODE (-1: 1777 for /tmp, /dev/shm, else 0755),
 * its root owned by the service's root (who mounts it). */
static int mount_tmpfs(const struct svc_conf *s, const char *dst, uint64_t size, int mode,
		       const char **step)
{
	char opts[64];

	if (mode < 0)
		mode = is_sticky(dst) ? 01777 : 0755;
	snprintf(opts, sizeof opts, "mode=%o,size=%llu", (unsigned)mode,
		 (unsigned long long)(size ? size : mnt_tmpfs_size(s)));
	*step = stepf("mount tmpfs %s", dst);
	return mnt_tmpfs_at(dst, S_IFDIR, MS_NOSUID | MS_NODEV, opts);
}

static int mount_bind(const struct svc_conf *s, int i, const char **step)
{
	*step = stepf("bind %s %s", s->binds[i].src, s->binds[i].dst);
	return mnt_attach(&mnt_src_fd[i], s->binds[i].dst);
}

/* The service's tmpfs and binds (and /tmp), parents before children whatever
 * the config's order, so `tmpfs /var` does not hide `bind /x /var/x`. */
static int mount_user(const struct svc_conf *s, const char **step)
{
	int d, i, n, more, have_tmp = 0;

	/* Depth by depth while any is deeper; /tmp's own at depth 1, unless
	 * a tmpfs line (seen at depth 0) mounts it. */
	for (d = 0, more = 1; more; d++) {
		more = d < 1;
		if (d == 1 && !have_tmp && mount_tmpfs(s, "/tmp", 0, -1, step) < 0)
			return -1;
		for (i = 0; i < s->ntmpfs; i++) {
			n = depth(s->tmpfs[i].dst);
			have_tmp |= is_tmp(s->tmpfs[i].dst);
			more |= n > d;
			if (n == d && mount_tmpfs(s, s->tmpfs[i].dst, s->tmpfs[i].size, s->tmpfs[i].mode,
						  step) < 0)
				return -1;
		}
		for (i = 0; i < s->nbinds; i++) {
			n = depth(s->binds[i].dst);
			more |= n > d;
			if (n == d && mount_bind(s, i, step) < 0)
				return -1;
		}
	}
	return 0;
}

/* Into the new root, the working directory. */
static int enter(const char **step)
{
	/* pivot_root(2)'s "new_root and put_old may be the same": the old root
	 * is stacked on the new one and detached at once. Never chroot. */
	*step = "pivot_root";
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -1;
	*step = "detach the old root";
	if (umount2(".", MNT_DETACH) < 0)
		return -1;
	*step = "chdir /";
	return chdir("/");
}

/* Make every mount private, then bind SRC (recursively) onto a directory of a
 * staging tmpfs; sets root and mnt_root_fd. */
static int stage(const char *src, const char *dirs, int ndirs, const char **step)
{
	int i;

	/* Nothing mounted from here on may reach the host, and pivot_root
	 * refuses shared mounts. */
	*step = "make mounts private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;

	*step = "mount the staging tmpfs";
	for (i = 0; i < ndirs; i++, dirs += strlen(dirs) + 1) {
		if (mount("tmpfs", dirs, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=700,size=16k") == 0)
			break;
		if (errno != ENOENT && errno != ENOTDIR)
			return -1;
	}
	if (i == ndirs)
		return -1;
	snprintf(staging, sizeof staging, "%s", dirs);
	snprintf(mnt_root, sizeof mnt_root, "%s/root", dirs);
	if (mkdir(mnt_root, 0755) < 0)
		return -1;

	/* MS_REC: the host's mounts under the root come along (a plain bind
	 * of a tree with mounts locked by the user namespace is EINVAL). */
	*step = stepf("root %s", src);
	if (mount(src, mnt_root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	mnt_root_fd = open(mnt_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return mnt_root_fd < 0 ? -1 : 0;
}

static int mount_resolv(const char **step);

/* Everything of a sandbox's own on a root made ready (by stage, or the
 * template): proc, the pts and shm of the template's /dev if TMPL (else a
 * whole /dev), sys, the masks, /run, /tmp and S's tmpfs and binds. */
static int own_mounts(const struct svc_conf *s, int tmpl, const char **step)
{
	char dev[sizeof mnt_root + 8];
	int r;

	mnt_path(dev, sizeof dev, "/dev");
	/* The template's /dev holds no `device` nor `tty`, and its /dev/log mount
	 * point is there for every sandbox: a whole /dev of its own then,
	 * over the template's (SPEC §6: no /dev/log with `syslog no`). */
	if (mnt_mount_proc(s, step) < 0 ||
	    (tmpl && !s->ndevices && !mnt_tty[0] && s->syslog ? mnt_dev_own(s, dev, step) :
	     mnt_mount_dev(s, step)) < 0 ||
	    mnt_mount_sys(step) < 0 || mnt_mask_kernel(step) < 0)
		return -1;
	/* The host's /run holds PID 1's control socket and state: a private
	 * one, as /tmp, if the root has the directory. */
	*step = "mount tmpfs /run";
	if (mnt_tmpfs_at("/run", 0, MS_NOSUID | MS_NODEV, "mode=755") < 0 && errno != ENOENT)
		return -1;
	r = mount_resolv(step) == 0 && mount_user(s, step) == 0 ? 0 : -1;
	mnt_graft_close();
	return r;
}

int mnt_clone_file(const char *path)
{
	int fd = mnt_clone(AT_FDCWD, path, 0);

	if (fd >= 0 && mnt_set_ro(fd, "", AT_EMPTY_PATH) < 0)
		return close_fail(fd);
	return fd;
}

void mnt_set_resolv(int fd)
{
	resolv_fd = fd;
}

void mnt_release(void)
{
	resolv_fd = close_fail(resolv_fd);
	for (int i = 0; i < nsrc; i++)
		close_fail(mnt_src_fd[i]);
	nsrc = 0;
	ovl_fd = close_fail(ovl_fd);
}

static int has_root(const struct svc_conf *s);

/* FD (-1: none) as the next of mnt_src_fd (mnt_prepare sized it). */
static int keep(int fd)
{
	if (fd >= 0)
		mnt_src_fd[nsrc++] = fd;
	return fd;
}

int mnt_prepare(const struct svc_conf *s, int tty, const char **step)
{
	const struct dev_node *dv;
	int ndv = dev_granted(s->name, &dv), n = s->nbinds + ndv + 1, fd;
	char p[32];
	ssize_t len;

	mnt_release();
	mnt_tty[0] = '\0';
	*step = "prepare its binds";
	if (n > src_cap) {
		int *v = realloc(mnt_src_fd, (size_t)n * sizeof *v);

		if (!v)
			return -1;
		mnt_src_fd = v;
		src_cap = n;
	}
	for (int i = 0; i < s->nbinds; i++) {
		const struct conf_bind *b = &s->binds[i];

		*step = stepf("bind %s", b->src);
		if ((fd = keep(mnt_clone(AT_FDCWD, b->src, AT_RECURSIVE))) < 0)
			goto fail;
		if (!b->rw && mnt_set_ro(fd, "", AT_EMPTY_PATH | AT_RECURSIVE) < 0)
			goto fail;
	}
	/* The nodes dev_grant found (and checked) at the start. */
	for (int i = 0; i < ndv; i++) {
		*step = stepf("device %s", dv[i].path);
		if (keep(mnt_clone(dv[i].fd, "", 0)) < 0)
			goto fail;
	}
	/* The terminal at the name it has in PID 1's /dev (ttyname(3) looks
	 * it up by its /proc/self/fd link), unless a devpts one: the sandbox
	 * has a devpts of its own. */
	snprintf(p, sizeof p, "/proc/self/fd/%d", tty);
	if (tty >= 0 && (len = readlink(p, mnt_tty, sizeof mnt_tty - 1)) > 0) {
		mnt_tty[len] = '\0';
		/* (" (deleted)": unlinked since it was opened: no name) */
		if (strncmp(mnt_tty, "/dev/", 5) || !strncmp(mnt_tty, "/dev/pts/", 9) ||
		    strstr(mnt_tty, " (deleted)")) {
			mnt_tty[0] = '\0';
		} else {
			*step = stepf("bind %s", mnt_tty);
			if (keep(mnt_clone(tty, "", 0)) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	fd = errno;
	mnt_release();
	errno = fd;
	return -1;
}

/* Is /etc/resolv.conf in the new root a symlink? */
static int resolv_is_link(void)
{
	struct stat st;
	int fd = mnt_resolve(mnt_root_fd, "/etc"), r;

	r = fd >= 0 && fstatat(fd, "resolv.conf", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
	close_fail(fd);
	return r;
}

/* The uplink's resolv.conf (mnt_set_resolv) onto /etc/resolv.conf, or,
 * where that is a symlink to nothing (the image's, to
 * /run/sandinit/resolv.conf), onto its target on the sandbox's own /run
 * (a root without /run goes without). A root without the file gets it
 * made for the sandbox (mnt_at: the root's files unchanged). */
static int mount_resolv(const char **step)
{
	int fd, r;

	if (resolv_fd < 0)
		return 0;
	*step = "bind /etc/resolv.conf";
	fd = mnt_resolve(mnt_root_fd, "/etc/resolv.conf");
	if (fd < 0 && errno == ENOENT) {
		if (!resolv_is_link())
			fd = mnt_at("/etc/resolv.conf", S_IFREG);
		else if ((fd = mnt_resolve(mnt_root_fd, "/run")) >= 0) {
			close(fd);
			fd = mnt_at("/run/sandinit/resolv.conf", S_IFREG);
		}
	}
	if (fd < 0)
		return errno == ENOENT || errno == EROFS ? 0 : -1;
	r = mnt_move(resolv_fd, fd, "");
	close(fd);
	return r;
}

static void drop_root_fd(void)
{
	close_fail(mnt_root_fd);
	mnt_root_fd = -1;
}

/* Done with the staged root: into it (pivot_root) if OK, else just -1. */
static int enter_staged(int ok, const char **step)
{
	drop_root_fd();
	if (!ok)
		return -1;
	*step = "pivot_root";
	return chdir(mnt_root) < 0 ? -1 : enter(step);
}

/* What no sandbox sees unless it binds it (SPEC §6): the config PID 1 was
 * started with (every service's `env`), as an empty file, and the targets
 * of the global `mount` lines. Copied at config load (mnt_hide). */
static char *hidden_conf;
static char **hidden;
static int nhidden;

int mnt_hide(const char *config, const struct conf *c)
{
	char **v = calloc((size_t)c->nmounts + 1, sizeof *v);
	char *cf = config && config[0] == '/' ? strdup(config) : NULL;
	int i;

	if (!v || (config && config[0] == '/' && !cf))
		goto fail;
	for (i = 0; i < c->nmounts; i++)
		if (!(v[i] = strdup(c->mounts[i].target)))
			goto fail;
	for (i = 0; i < nhidden; i++)
		free(hidden[i]);
	free(hidden);
	free(hidden_conf);
	hidden = v;
	nhidden = c->nmounts;
	hidden_conf = cf;
	return 0;
fail:
	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
	free(cf);
	errno = ENOMEM;
	return -1;
}

/* The config, as an empty read-only file: a bind of one made on the
 * staging tmpfs root lies on. A root without it, or where
 * it is no regular file, goes without. */
static int hide_conf(const char **step)
{
	char empty[sizeof mnt_root + 16];
	struct stat st;
	int fd, r;

	if (!hidden_conf)
		return 0;
	*step = stepf("hide %s", hidden_conf);
	fd = mnt_resolve(mnt_root_fd, hidden_conf);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	snprintf(empty, sizeof empty, "%s/empty", staging);
	r = fstat(fd, &st);
	if (r == 0 && S_ISREG(st.st_mode)) {
		int e = open(empty, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);

		r = e < 0 ? -1 : close(e);
		if (r == 0)
			r = mnt_mount_at(empty, fd, NULL, MS_BIND, NULL);
		if (r == 0)
			r = mnt_make_ro(hidden_conf, 0);
	}
	close(fd);
	return r;
}

/* The config under a directory the sandbox has of its own (its /tmp: a
 * config in a test's temporary directory), where hide_conf found nothing:
 * an empty read-only file made there too (SPEC §6: every sandbox has it,
 * empty). Where the sandbox cannot have a file made, it stays absent. */
static int conf_in_own(const char **step)
{
	char self[PATH_MAX];
	int fd, r;

	if (!hidden_conf)
		return 0;
	fd = mnt_resolve(mnt_root_fd, hidden_conf);
	if (fd >= 0 || errno != ENOENT) {
		close_fail(fd);
		return 0;
	}
	/* Its nearest directory there: made in only if it is the sandbox's
	 * own tmpfs (never a bind of the host's, nor a graft over the root) */
	snprintf(self, sizeof self, "%s", hidden_conf);
	do {
		char *slash = strrchr(self, '/');

		if (!slash || slash == self)
			return 0;
		*slash = '\0';
		fd = mnt_resolve(mnt_root_fd, self);
	} while (fd < 0 && errno == ENOENT);
	if (fd < 0)
		return 0;
	r = mnt_is_own(fd);
	close(fd);
	if (!r)
		return 0;
	*step = stepf("hide %s", hidden_conf);
	fd = mnt_at(hidden_conf, S_IFREG);
	if (fd < 0)
		return -1;
	snprintf(self, sizeof self, "%s/proc/self/fd/%d", mnt_fd_proc, fd);
	r = mount(self, self, NULL, MS_BIND, NULL);
	close(fd);
	return r < 0 ? -1 : mnt_make_ro(hidden_conf, 0);
}

/* Is PATH at or below DIR? */
static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && (!path[n] || path[n] == '/');
}

/* The global mount targets in a sandbox that copied PID 1's mounts: their
 * copies are locked there, so each is covered by an empty read-only tmpfs
 * (mask), unless S binds or mounts a tmpfs at or below it. */
static int hide_mounts(const struct svc_conf *s, const char **step)
{
	for (int i = 0; i < nhidden; i++) {
		int bound = 0;

		for (int j = 0; j < s->nbinds; j++)
			bound |= under(s->binds[j].dst, hidden[i]);
		for (int j = 0; j < s->ntmpfs; j++)
			bound |= under(s->tmpfs[j].dst, hidden[i]);
		*step = stepf("hide %s", hidden[i]);
		if (!bound && mnt_mask(hidden[i]) < 0)
			return -1;
	}
	return 0;
}

/* `readonly overlay`: PID 1's overlayfs (mnt_prepare) over the staged
 * root, the new root then. */
static int attach_overlay(void)
{
	if (mnt_move(ovl_fd, mnt_root_fd, "") < 0)
		return -1;
	drop_root_fd();
	mnt_root_fd = open(mnt_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return mnt_root_fd < 0 ? -1 : 0;
}

/* A root of its own (`root /` is the host's, as without the line). */
static int has_root(const struct svc_conf *s)
{
	return s->root && s->root[strspn(s->root, "/")];
}

int mnt_sandbox(const struct svc_conf *s, int syslog_fd, const char **step)
{
	int r;

	mnt_graft_reset(s, &mnt_root_fd);
	mnt_log_fd = syslog_fd;
	mnt_fd_proc = mnt_root;
	if (stage(has_root(s) ? s->root : "/", scratch_dirs, 3, step) < 0)
		return enter_staged(0, step);
	/* Read-only first, the host's submounts included: what is mounted
	 * below is new and keeps its own flags, and no mount point can be
	 * created on the host's files by mistake. */
	*step = "make the root read-only";
	if (s->readonly && mnt_make_ro("/", 1) < 0)
		return enter_staged(0, step);
	*step = "attach the overlay";
	if (ovl_fd >= 0 && attach_overlay() < 0)
		return enter_staged(0, step);
	/* Hidden once its proc is there (mnt_mount_at): a bind below a hidden
	 * target keeps it in view (hide_mounts). */
	r = own_mounts(s, 0, step) == 0 &&
	    (has_root(s) || (hide_conf(step) == 0 && conf_in_own(step) == 0 &&
			     hide_mounts(s, step) == 0));
	mnt_release();
	return enter_staged(r, step);
}

int mnt_overlay_make(const struct svc_conf *s, int userns, unsigned base, unsigned count,
		     const char **step)
{
	if (s->readonly != RO_OVERLAY)
		return 0;
	ovl_fd = mnt_overlay(has_root(s) ? s->root : "/", mnt_tmpfs_size(s), userns, base, count, step);
	return ovl_fd < 0 ? -1 : 0;
}

int mnt_fits_template(const struct svc_conf *s)
{
	return !has_root(s) && s->readonly != RO_OVERLAY;
}

/* Where the host's own file systems of that kind are mounted: a sandbox
 * gets its own there, so the template keeps none of them. The first two
 * (and the hidden `mount` targets) may be plain directories of the root
 * holding PID 1's files: covered (cover). */
static const char *const host_api[] = { "/run", "/tmp", "/dev", "/proc", "/sys" };
#define NAPI ((int)ARRAY_SIZE(host_api))

/* An empty read-only tmpfs over PATH, if it is a directory: a sandbox that
 * unmounts what it stacks there (with CAP_SYS_ADMIN) finds this, locked by
 * its user namespace, and not what the root holds there. */
static int cover(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return 0;
	return mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     "mode=755,size=4k");
}

/* Detach every mount stacked at PATH; 0 once none is left (EINVAL: not a
 * mount point) or PATH is absent (errno ENOENT then), else -1. */
static int detach_all(const char *path)
{
	while (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
		;
	return errno == EINVAL || errno == ENOENT ? 0 : -1;
}

/* The kernel lets a user namespace mount a proc or sysfs only where one is
 * fully visible already (mount_too_revealing). A sandbox's own covers the
 * template's, and with CAP_SYS_ADMIN it may unmount its own: what is below
 * must not be the host's. So the template holds stand-ins: the proc of a pid
 * namespace and the sysfs of a network namespace, both new and empty, made by
 * a child that is their only process and exits at once. Read-write and
 * without submounts, as "fully visible" asks. */
/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static int stand_ins(void)
{
	char p[sizeof mnt_root + 8];
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
	int st;

	if (pid == 0) {
		mnt_path(p, sizeof p, "/proc");
		if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			_exit(1);
		mnt_path(p, sizeof p, "/sys");
		if (mount("sysfs", p, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 &&
		    errno != ENOENT)
			_exit(1);
		_exit(0);
	}
	if (pid < 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int mnt_template(int rw, const char **step)
{
	struct stat st;
	char p[sizeof mnt_root + 16];
	int i;

	mnt_graft_reset(NULL, &mnt_root_fd);
	mnt_fd_proc = "";
	if (stage("/", TMPL_SCRATCH, 2, step) < 0)
		goto fail;
	/* host_api's, then the hidden `mount` targets; stacked mounts too (the
	 * staging tmpfs is one, over /tmp) */
	for (i = 0; i < NAPI + nhidden; i++) {
		const char *t = i < NAPI ? host_api[i] : hidden[i - NAPI];

		*step = stepf("leave out %s", t);
		if (strlen(t) < sizeof p - strlen(mnt_root)) {
			mnt_path(p, sizeof p, t);
			if (detach_all(p) < 0 || ((i < 2 || i >= NAPI) && cover(p) < 0))
				goto fail;
		}
	}
	/* A /dev that is a symlink on the root: mnt_mount_dev would reach it
	 * through /proc, which each sandbox mounts later. */
	mnt_path(p, sizeof p, "/dev");
	*step = "mount /dev";
	if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto fail;
	}
	*step = "make the root read-only";
	if (!rw && mnt_make_ro("/", 1) < 0)
		goto fail;
	*step = "mount the stand-in proc and sysfs";
	if (stand_ins() < 0 || hide_conf(step) < 0)
		goto fail;
	return enter_staged(mnt_mount_dev(NULL, step) == 0, step);
fail:
	return enter_staged(0, step);
}

int mnt_sandbox_in_template(const struct svc_conf *s, int syslog_fd, const char **step)
{
	mnt_graft_reset(s, &mnt_root_fd);
	mnt_log_fd = syslog_fd;
	mnt_root[0] = '\0';
	mnt_fd_proc = mnt_root;
	mnt_root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mnt_root_fd < 0 || own_mounts(s, 1, step) < 0 || conf_in_own(step) < 0)
		goto fail;
	mnt_release();
	/* A graft over the root (a new top-level mount point) is entered as
	 * a staged root is. */
	if (mnt_graft_root()) {
		*step = "enter the grafted root";
		if (fchdir(mnt_root_fd) < 0)
			goto fail;
		drop_root_fd();
		return enter(step);
	}
	drop_root_fd();
	*step = "chdir /";
	return chdir("/");
fail:
	mnt_release();
	drop_root_fd();
	return -1;
}
