/* mount_graft: mount points where a sandbox's root has none (SPEC §3
 * `bind`: made for the sandbox without changing the root's files): in the
 * sandbox's own tmpfs mounts and rw binds in place, anywhere else on a graft,
 * a read-only tmpfs over the nearest existing parent that holds a bind of
 * each of its entries (symlinks copied) and the new mount point. Every
 * target is resolved with openat2(RESOLVE_IN_ROOT), so nothing a root holds
 * can redirect a mount. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

#include "mount.h"
#include "mount_int.h"
#include "util.h"

/* The new root's descriptor (mount.c's), which a graft over the root
 * replaces; the service whose rw binds take mount points in place. */
static int *root_fd;
static int root_grafted;
static const struct svc_conf *svc;

int mnt_resolve(int dirfd, const char *path)
{
	struct open_how how;

	memset(&how, 0, sizeof how);
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT;
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* The tmpfs mounts this sandbox made (their st_dev), the only places where
 * mnt_at() creates mount points; FD >= 0 for a graft's root, kept until
 * mnt_graft_close. Grown in the sandbox's first process. */
static struct own {
	dev_t dev;
	int fd;
} *own;
static int nown, own_cap;

int mnt_own(int fd, int graft_fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (nown == own_cap) {
		struct own *o = realloc(own, (size_t)(own_cap + 8) * sizeof *o);

		if (!o)
			return -1;
		own = o;
		own_cap += 8;
	}
	own[nown++] = (struct own){ st.st_dev, graft_fd };
	return 0;
}

/* The own[] entry of the mount FD is on, or -1. */
static int own_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	for (int i = 0; i < nown; i++)
		if (own[i].dev == st.st_dev)
			return i;
	return -1;
}

int mnt_is_own(int fd)
{
	return own_of(fd) >= 0;
}

/* A graft read-only (SET) or writable: it stands for a directory of the
 * root, which the service could not write either (the binds in it keep
 * their own flags). Read-only as soon as it is filled, so that a graft made
 * later over its parent copies it read-only. */
static int graft_ro(int fd, int set)
{
	struct sb_mount_attr a = { 0 };

	*(set ? &a.attr_set : &a.attr_clr) = SB_MOUNT_ATTR_RDONLY;
	return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &a, sizeof a);
}

void mnt_graft_close(void)
{
	for (int i = 0; i < nown; i++)
		own[i].fd = close_fail(own[i].fd);
}

int mnt_clone(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, SB_OPEN_TREE_CLONE | O_CLOEXEC | flags |
			    (*path ? 0 : AT_EMPTY_PATH));
}

int mnt_move(int from, int to, const char *path)
{
	return (int)syscall(SYS_move_mount, from, "", to, path,
			    SB_MOVE_MOUNT_F_EMPTY_PATH | (*path ? 0 : SB_MOVE_MOUNT_T_EMPTY_PATH));
}

/* Bind the entry NAME of directory DFD (with whatever is mounted at or below
 * it) onto NAME in directory TO: a detached copy (open_tree(2)) moved there
 * (move_mount(2)), so no path is followed twice. */
/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
int mnt_bind_entry(int dfd, const char *name, int to, const char *to_name)
{
	int m = mnt_clone(dfd, name, AT_RECURSIVE | AT_SYMLINK_NOFOLLOW), r;

	if (m < 0)
		return -1;
	r = mnt_move(m, to, to_name);
	close(m);
	return r;
}

int mnt_new_tmpfs(const char *size, const char *mode, unsigned attr)
{
	int fs = (int)syscall(SYS_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */), t = -1;

	if (fs < 0)
		return -1;
	if (syscall(SYS_fsconfig, fs, SB_FSCONFIG_SET_STRING, "size", size, 0) == 0 &&
	    syscall(SYS_fsconfig, fs, SB_FSCONFIG_SET_STRING, "mode", mode, 0) == 0 &&
	    syscall(SYS_fsconfig, fs, SB_FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		t = (int)syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, attr);
	close(fs);
	return t;
}

/* A detached tmpfs for a graft over a directory of MODE: 1 MiB, its root
 * the sandbox's root's (who mounts it). */
static int graft_fs(mode_t mode)
{
	char m[16];

	snprintf(m, sizeof m, "%o", (unsigned)(mode & 07777));
	return mnt_new_tmpfs("1m", m, SB_MOUNT_ATTR_NOSUID | SB_MOUNT_ATTR_NODEV);
}

/* A new name in DFD, a directory that is not the sandbox's to write (the
 * root's, a bind's): a tmpfs over DFD holding a bind of each of its entries
 * (symlinks copied), so that it looks as before and takes new mount points
 * while the root's files stay as they are (SPEC §3 `bind`). Returns the
 * tmpfs's root, now on top of DFD, or -1. FILL 0: an empty one (hide's). */
static int graft(int dfd, int fill)
{
	struct stat st;
	struct dirent *e;
	char link[PATH_MAX];
	DIR *d = NULL;
	int t, fd, err;

	if (fstat(dfd, &st) < 0 || (t = graft_fs(st.st_mode)) < 0)
		return -1;
	fd = fill ? openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fill && (fd < 0 || !(d = fdopendir(fd)))) {
		close_fail(fd);
		goto fail;
	}
	/* Attached before it is filled: move_mount(2) places mounts only in
	 * the caller's namespace. DFD still names the directory below. */
	if (mnt_move(t, dfd, "") < 0)
		goto fail;
	for (errno = 0; d && (e = readdir(d)); errno = 0) {
		const char *n = e->d_name;
		ssize_t len;

		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			goto fail;
		if (S_ISLNK(st.st_mode)) {
			len = readlinkat(dfd, n, link, sizeof link - 1);
			if (len < 0)
				goto fail;
			link[len] = '\0';
			if (symlinkat(link, t, n) < 0)
				goto fail;
			continue;
		}
		if (mnt_make_in(t, n, S_ISDIR(st.st_mode) ? S_IFDIR : S_IFREG) < 0 ||
		    mnt_bind_entry(dfd, n, t, n) < 0)
			goto fail;
	}
	if (errno || graft_ro(t, 1) < 0 || mnt_own(t, t) < 0)
		goto fail;
	if (d)
		closedir(d);
	return t;
fail:
	err = errno;
	if (d)
		closedir(d);
	errno = err;
	return close_fail(t);
}

/* Is PATH[0..LEN) in one of the service's rw binds? Their directories are
 * its to write, so mount points are made in them, not grafted. */
static int rw_bound(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] == '/')
		len--;
	for (int i = 0; svc && i < svc->nbinds; i++) {
		const char *d = svc->binds[i].dst;
		size_t n = strlen(d);

		while (n > 1 && d[n - 1] == '/')
			n--;
		if (svc->binds[i].rw && len >= n && !strncmp(path, d, n) && (len == n || path[n] == '/'))
			return 1;
	}
	return 0;
}

/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline)) int mnt_make_in(int dfd, const char *name, mode_t kind)
{
	int r;

	if (kind != S_IFREG)
		return mkdirat(dfd, name, 0755);
	r = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	return r < 0 ? -1 : close(r);
}

/* The graft T now over *PFD (and *root_fd, IS_ROOT): they name it. */
static int on_graft(int *pfd, int t, int is_root)
{
	int g = fcntl(t, F_DUPFD_CLOEXEC, 0);

	if (g < 0)
		return -1;
	close(*pfd);
	*pfd = g;
	if (is_root) {
		if ((g = fcntl(t, F_DUPFD_CLOEXEC, 0)) < 0)
			return -1;
		close(*root_fd);
		*root_fd = g;
		root_grafted = 1;
	}
	return 0;
}

/* NAME (S_IFDIR or S_IFREG) in the directory *PFD: made there if that is
 * the sandbox's to write (a tmpfs of its own, a graft, RW_BOUND), else on a
 * graft over it, which *PFD names then (and *root_fd, IS_ROOT). */
static int make_entry(int *pfd, const char *name, mode_t kind, int rw_bound_dir, int is_root)
{
	int i = own_of(*pfd), r, e, t;

	if (i >= 0 || rw_bound_dir) {
		int sealed = i >= 0 && own[i].fd >= 0;

		if (sealed && graft_ro(own[i].fd, 0) < 0)
			return -1;
		r = mnt_make_in(*pfd, name, kind);
		e = errno;
		if (sealed && graft_ro(own[i].fd, 1) < 0)
			return -1;
		errno = e;
		if (r == 0 || errno == EEXIST)
			return 0;
		if (errno != EROFS && errno != EACCES && errno != EPERM)
			return -1;
	}
	t = graft(*pfd, 1);
	if (t < 0 || on_graft(pfd, t, is_root) < 0)
		return -1;
	return make_entry(pfd, name, kind, 0, 0);
}

/* The host ids the sandbox's user namespace maps (mnt_set_ids): its root's
 * capabilities apply to files they own only. */
static unsigned id_base, id_count;

void mnt_set_ids(unsigned base, unsigned count)
{
	id_base = base;
	id_count = count;
}

/* The directory *PFD on a target's path (the root, IS_ROOT), which the
 * sandbox's root cannot search (a Debian host's /root, 0700 and the host
 * root's): covered by an empty read-only tmpfs of its mode, the sandbox's,
 * where mnt_at makes the rest of the path. The sandbox reaches its target
 * there and nothing else of the directory, as before. EACCES where the
 * sandbox could search it after all: fsuid may (faccessat2), or its root's
 * capabilities do (owner and group mapped). */
static int hide(int *pfd, int is_root)
{
	struct stat st;
	int t;

	if (fstat(*pfd, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode) ||
	    (st.st_uid - id_base < id_count && st.st_gid - id_base < id_count) ||
	    syscall(SYS_faccessat2, *pfd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH) == 0 ||
	    errno != EACCES) {
		errno = EACCES;
		return -1;
	}
	if ((t = graft(*pfd, 0)) < 0)
		return -1;
	return on_graft(pfd, t, is_root);
}

/* An O_PATH descriptor of PATH in the new root, resolved as if the new root
 * were "/" (openat2 RESOLVE_IN_ROOT: absolute symlinks such as /var/run ->
 * /run and ".." stay inside it). KIND 0: PATH must exist; S_IFDIR or S_IFREG:
 * create it (and missing parents as directories) if it does not: on a tmpfs
 * of the sandbox's own or in a rw bind, else on a graft over the nearest
 * existing parent. */
int mnt_at(const char *path, mode_t kind)
{
	char buf[PATH_MAX];
	char *p, *end;
	int fd, pfd;

	fd = mnt_resolve(*root_fd, path);
	if (fd >= 0 || (errno != ENOENT && errno != EACCES) || !kind)
		return fd;
	if (strlen(path) >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	/* pfd: the directory reached so far */
	if ((pfd = fcntl(*root_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	for (p = buf; *p == '/'; p++)
		;
	while (*p) {
		int last, top;

		end = strchr(p, '/');
		if (end)
			*end = '\0';
		last = !end || !end[strspn(end + 1, "/") + 1];
		top = !strchr(buf + strspn(buf, "/"), '/');
		fd = mnt_resolve(*root_fd, buf);
		if (fd < 0 && errno == EACCES && hide(&pfd, top) == 0)
			fd = mnt_resolve(*root_fd, buf);
		if (fd < 0 && errno == ENOENT) {
			if (make_entry(&pfd, p, last ? kind : S_IFDIR, rw_bound(buf, (size_t)(p - buf)),
				       top) < 0)
				goto fail;
			fd = mnt_resolve(*root_fd, buf);
		}
		if (fd < 0)
			goto fail;
		close(pfd);
		pfd = fd;
		if (!end)
			break;
		*end = '/';
		for (p = end; *p == '/'; p++)
			;
	}
	return pfd;
fail:
	return close_fail(pfd);
}

/* noinline: one copy, not one in each of its three callers */
__attribute__((noinline)) void mnt_graft_reset(const struct svc_conf *s, int *root)
{
	nown = 0;
	root_grafted = 0;
	svc = s;
	root_fd = root;
}

int mnt_graft_root(void)
{
	return root_grafted;
}
