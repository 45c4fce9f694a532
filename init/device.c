/* device: `device` grants (SPEC §3): each node a service lists, found at its
 * start, gets an ACL entry for the service's host uid, removed at its stop. */
#include "device.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "util.h"

/* The access ACL as the kernel stores it (acl(5), <linux/posix_acl_xattr.h>):
 * a little-endian version 2, then 8-byte entries, tag, permissions and id,
 * in tag order and, for named users and groups, by id. No libacl. */
#define ACL_XATTR "system.posix_acl_access"
#define ACL_VERSION 2
#define ACL_MAX 64
enum { A_USER_OBJ = 1, A_USER = 2, A_GROUP_OBJ = 4, A_GROUP = 8, A_MASK = 0x10, A_OTHER = 0x20 };
#define A_GROUP_CLASS (A_USER | A_GROUP_OBJ | A_GROUP)
#define DIR_DEPTH 8
/* Components of a `device` glob at most. */
#define GLOB_DEPTH 32

/* An entry as stored: little-endian, converted in place on a big-endian
 * machine (acl_swap). */
struct acl_entry {
	uint16_t tag, perm;
	uint32_t id;
};

struct acl {
	uint32_t version;
	struct acl_entry e[ACL_MAX + 2];	/* +2: acl_set's own and a mask */
};

struct grant {
	char name[CONF_NAME_MAX + 1];
	uid_t uid;
	int n, cap;
	struct dev_node *v;
	struct grant *next;
};

static struct grant *grants;

/* The node FD (O_PATH) as a path: the xattr calls take none of those. */
/* noinline: one copy, not one in each of its two callers */
static __attribute__((noinline)) const char *fd_path(int fd)
{
	static char p[32];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return p;
}

/* A's N entries and its version between the stored byte order and the
 * machine's (either way round; nothing to do on a little-endian one). */
static void acl_swap(struct acl *a, int n)
{
	a->version = le32toh(a->version);
	for (int i = 0; i < n; i++) {
		a->e[i].tag = le16toh(a->e[i].tag);
		a->e[i].perm = le16toh(a->e[i].perm);
		a->e[i].id = le32toh(a->e[i].id);
	}
}

/* The node FD's access ACL into A: the xattr, or its mode's three entries
 * if it has none. The count, or -1 with errno. (noinline: smaller than
 * LTO's copy inlined in acl_set) */
__attribute__((noinline)) static int acl_read(int fd, struct acl *a)
{
	/* (getxattr and setxattr as their system calls: musl's wrappers
	 * are just that) */
	ssize_t len = syscall(SYS_getxattr, fd_path(fd), ACL_XATTR, a, 4 + 8 * ACL_MAX);
	struct stat st;
	int n = (int)(len - 4) / 8;

	if (len < 0 && errno == ENODATA) {
		if (fstat(fd, &st) < 0)
			return -1;
		a->e[0] = (struct acl_entry){ A_USER_OBJ, st.st_mode >> 6 & 7, 0 };
		a->e[1] = (struct acl_entry){ A_GROUP_OBJ, st.st_mode >> 3 & 7, 0 };
		a->e[2] = (struct acl_entry){ A_OTHER, st.st_mode & 7, 0 };
		return 3;
	}
	if (len < 0)
		return -1;
	if (len >= 4)
		acl_swap(a, n);
	if (len < 4 || (len - 4) % 8 || a->version != ACL_VERSION) {
		errno = EBADMSG;
		return -1;
	}
	return n;
}

static int acl_write(int fd, struct acl *a, int n)
{
	a->version = ACL_VERSION;
	for (int i = 0; i < n; i++)
		if (!(a->e[i].tag & (A_USER | A_GROUP)))
			a->e[i].id = UINT32_MAX;
	acl_swap(a, n);
	return (int)syscall(SYS_setxattr, fd_path(fd), ACL_XATTR, a, 4 + 8 * (size_t)n, 0);
}

/* The node FD's ACL with UID's entry PERM (0: none). Everyone else keeps
 * what they may do: the group class entries are first cut to the old mask,
 * and the new mask is their union (none left: no mask, the plain mode). */
static int acl_set(int fd, uid_t uid, unsigned perm)
{
	struct acl in, out;
	const struct acl_entry *e = in.e;
	struct acl_entry *o = out.e;
	int n = acl_read(fd, &in), j = 0, named = 0;
	unsigned old = 7, mask = 0;

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (e[i].tag == A_MASK)
			old = e[i].perm;
	/* USER_OBJ comes first and OTHER last in any valid ACL: ours goes
	 * before the first entry that sorts after it, the mask before OTHER. */
	for (int i = 0; i < n; i++) {
		struct acl_entry x = e[i];

		if (x.tag == A_MASK || (x.tag == A_USER && x.id == uid))
			continue;
		if (perm && (x.tag > A_USER || (x.tag == A_USER && x.id > uid))) {
			o[j++] = (struct acl_entry){ A_USER, perm, uid };
			mask |= perm;
			named++;
			perm = 0;
		}
		if (x.tag & A_GROUP_CLASS) {
			x.perm &= old;
			mask |= x.perm;
			named += x.tag != A_GROUP_OBJ;
		}
		if (x.tag == A_OTHER && named)
			o[j++] = (struct acl_entry){ A_MASK, mask, 0 };
		o[j++] = x;
	}
	if (j > ACL_MAX) {
		errno = E2BIG;
		return -1;
	}
	return acl_write(fd, &out, j);
}

/* The node FD (O_PATH, taken: closed here if PATH is listed already) as
 * PATH in G. */
static int add(struct grant *g, const char *path, int ro, int fd)
{
	for (int i = 0; i < g->n; i++) {
		if (!strcmp(g->v[i].path, path)) {
			g->v[i].ro &= ro;
			close(fd);
			return 0;
		}
	}
	if (g->n == g->cap) {
		int cap = g->cap ? 2 * g->cap : 8;
		struct dev_node *v = realloc(g->v, (size_t)cap * sizeof(*v));

		if (!v)
			goto fail;
		g->v = v;
		g->cap = cap;
	}
	if (!(g->v[g->n].path = strdup(path)))
		goto fail;
	g->v[g->n].fd = fd;
	g->v[g->n++].ro = ro;
	return 0;
fail:
	close(fd);
	errno = ENOMEM;
	return -1;
}

static int is_node(const struct stat *st)
{
	return S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);
}

/* PATH (under /dev), opened once (O_PATH) into *FD and *ST: the grant, the
 * ACL (through /proc/self/fd) and the sandbox's bind (open_tree(2)) all go
 * through that descriptor, so no name changed meanwhile (a symlink swapped)
 * redirects any of them. Resolved beneath /dev (openat2(2)
 * RESOLVE_BENEATH: an absolute link, such as /dev/stdin's, or a `..` out is
 * EXDEV) and through no /proc magic link; relative links inside /dev (as
 * /dev/dri/by-path has) are followed. */
static int node_open(const char *path, int *fd, struct stat *st)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int dev;

	if (strncmp(path, "/dev/", 5)) {
		errno = EXDEV;
		return -1;
	}
	dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dev < 0)
		return -1;
	*fd = (int)syscall(SYS_openat2, dev, path + 5, &how, sizeof(how));
	close_fail(dev);
	if (*fd >= 0 && fstat(*fd, st) < 0)
		*fd = close_fail(*fd);
	return *fd < 0 ? -1 : 0;
}

/* opendir(3) through fdopendir, which the build links anyway (mount_graft.c):
 * opendir would be one more of musl's objects. */
static DIR *dir_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d)
		close_fail(fd);
	return d;
}

/* DIR/NAME into P (PATH_MAX), unless NAME is "." or ".." or it is too
 * long: then 0. */
static int child(char *p, const char *dir, const char *name)
{
	return strcmp(name, ".") && strcmp(name, "..") &&
	       (size_t)snprintf(p, PATH_MAX, "%s/%s", dir, name) < PATH_MAX;
}

/* Every node under DIR (and a link to one inside /dev, as /dev/dri/by-path
 * has); linked directories are not followed. */
static int walk(struct grant *g, const char *dir, int ro, int depth)
{
	char p[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = dir_open(dir);
	int r = 0, fd;

	if (!d)
		return -1;
	while (r == 0 && (de = readdir(d))) {
		if (!child(p, dir, de->d_name) || lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			r = depth < DIR_DEPTH ? walk(g, p, ro, depth + 1) : 0;
		else if ((is_node(&st) || S_ISLNK(st.st_mode)) && node_open(p, &fd, &st) == 0)
			r = is_node(&st) ? add(g, p, ro, fd) : close(fd);
	}
	closedir(d);
	return r;
}

/* One path: a node, or every node under a directory. QUIET: a glob's
 * match, which may be anything else too. */
static int expand_one(struct grant *g, const char *path, int ro, int quiet, const char **step)
{
	struct stat st;
	int fd;

	*step = stepf("device %s", path);
	if (node_open(path, &fd, &st) < 0) {
		if (quiet)
			return 0;
		if (errno == EXDEV || errno == ELOOP) {
			*step = stepf("device %s: it leads out of /dev", path);
			errno = EXDEV;
		}
		return -1;
	}
	if (is_node(&st))
		return add(g, path, ro, fd);
	close(fd);
	if (S_ISDIR(st.st_mode))
		return walk(g, path, ro, 0);
	if (quiet)
		return 0;
	*step = stepf("device %s: not a device node", path);
	errno = ENODEV;
	return -1;
}

/* The pattern after P matched against C, one character's worth (`?`, a
 * `[set]` with ranges, `!` or `^` negating, or itself), or NULL. */
/* (noinline: smaller than LTO's copy inlined in match) */
__attribute__((noinline)) static const char *one(const char *p, char c)
{
	const char *q = p + 1;
	int neg, hit = 0;

	if (*p != '[')
		return *p && (*p == '?' || *p == c) ? p + 1 : NULL;
	neg = *q == '!' || *q == '^';
	q += neg;
	if (!*q)
		return NULL;	/* "[" or "[!" at the end: unclosed */
	do {
		if (q[1] == '-' && q[2] && q[2] != ']') {
			hit |= c >= q[0] && c <= q[2];
			q += 3;
		} else {
			hit |= c == *q++;
		}
	} while (*q && *q != ']');
	return *q && hit != neg ? q + 1 : NULL;	/* unclosed: matches nothing */
}

/* fnmatch(3) for one name: `*`, `?`, `[set]`; musl's fnmatch would bring
 * its multibyte tables along. Back to the last `*` only: linear in the
 * name for each `*`, never exponential. */
static int match(const char *p, const char *s)
{
	const char *star = NULL, *from = NULL, *next;

	while (*s) {
		if (*p == '*') {
			star = ++p;
			from = s;
		} else if ((next = one(p, *s))) {
			p = next;
			s++;
		} else if (star) {
			p = star;
			s = ++from;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* The glob PAT (wildcards in any of its components) from DIR on: each
 * match as expand_one, quietly. A name starting with a dot matches only
 * a pattern that does, and "." and ".." never (nothing leads out of /dev). */
static int glob_in(struct grant *g, const char *dir, const char *pat, int ro, int depth,
		   const char **step);

/* P, a match of a component of the glob: on to the rest of it, END, or
 * (none left) P itself. (noinline: one copy for glob_in's two places) */
__attribute__((noinline)) static int glob_on(struct grant *g, const char *p, const char *end, int ro, int depth,
		   const char **step)
{
	return *end ? glob_in(g, p, end, ro, depth + 1, step) : expand_one(g, p, ro, 1, step);
}

static int glob_in(struct grant *g, const char *dir, const char *pat, int ro, int depth,
		   const char **step)
{
	char p[PATH_MAX], comp[NAME_MAX + 1];
	const char *end = strchrnul(pat, '/');
	size_t len = (size_t)(end - pat);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (len > NAME_MAX || depth > GLOB_DEPTH) {	/* (a frame of PATH_MAX a component) */
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(comp, pat, len);
	comp[len] = 0;
	for (; *end == '/'; end++)
		;
	if (!strpbrk(comp, "*?[")) {
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, comp) >= sizeof(p))
			return 0;
		return glob_on(g, p, end, ro, depth, step);
	}
	if (!(d = dir_open(dir)))
		return 0;
	while (r == 0 && (de = readdir(d))) {
		if ((de->d_name[0] == '.' && comp[0] != '.') || !match(comp, de->d_name) ||
		    !child(p, dir, de->d_name))
			continue;
		r = glob_on(g, p, end, ro, depth, step);
	}
	closedir(d);
	return r;
}

static int expand(struct grant *g, const struct conf_device *d, const char **step)
{
	/* None matching now is no error: nodes that appear later are not
	 * added (SPEC §3) either. */
	if (strpbrk(d->path, "*?["))
		return glob_in(g, "", d->path + 1, d->ro, 0, step);
	return expand_one(g, d->path, d->ro, 0, step);
}

static struct grant **find(const char *name)
{
	struct grant **p = &grants;

	while (*p && strcmp((*p)->name, name))
		p = &(*p)->next;
	return p;
}

/* What another service's grant gives UID on PATH: 6, 4, or 0. */
static unsigned held(const struct grant *except, uid_t uid, const char *path)
{
	unsigned perm = 0;

	for (const struct grant *g = grants; g; g = g->next) {
		if (g == except || g->uid != uid)
			continue;
		for (int i = 0; i < g->n; i++)
			if (!strcmp(g->v[i].path, path))
				perm |= g->v[i].ro ? 4 : 6;
	}
	return perm;
}

/* Take G's first N entries back and free it (unlinked already). */
static void undo(struct grant *g, int n)
{
	int e = errno;

	for (int i = 0; i < g->n; i++) {
		if (i < n && g->uid != 0)
			acl_set(g->v[i].fd, g->uid, held(g, g->uid, g->v[i].path));
		close(g->v[i].fd);
		free(g->v[i].path);
	}
	free(g->v);
	free(g);
	errno = e;
}

int dev_grant(const struct svc_conf *s, uid_t uid, const char **step)
{
	struct grant *g;
	int i;

	dev_revoke(s->name);
	if (!s->ndevices)
		return 0;
	*step = "list its devices";
	if (!(g = calloc(1, sizeof(*g))))
		return -1;
	snprintf(g->name, sizeof(g->name), "%s", s->name);
	g->uid = uid;
	for (i = 0; i < s->ndevices; i++) {
		if (expand(g, &s->devices[i], step) < 0) {
			undo(g, 0);
			return -1;
		}
	}
	for (i = 0; uid != 0 && i < g->n; i++) {
		*step = stepf("grant access to %s", g->v[i].path);
		if (acl_set(g->v[i].fd, uid, (g->v[i].ro ? 4 : 6) | held(g, uid, g->v[i].path)) < 0) {
			undo(g, i);
			return -1;
		}
	}
	g->next = grants;
	grants = g;
	return 0;
}

void dev_revoke(const char *name)
{
	struct grant **p = find(name), *g = *p;

	if (!g)
		return;
	*p = g->next;
	undo(g, g->n);
}

int dev_granted(const char *name, const struct dev_node **v)
{
	struct grant *g = *find(name);

	*v = g ? g->v : NULL;
	return g ? g->n : 0;
}
