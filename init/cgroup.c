/* cgroup: one cgroup v2 per service under /sys/fs/cgroup/sandinit. */
#include "cgroup.h"
#include "conf_value.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270	/* <linux/magic.h> */
#endif

#define CG_ROOT "/sys/fs/cgroup"
#define CG_SUBTREE "sandinit"
#define CPU_PERIOD 100000	/* cpu.max period, microseconds */
#define CPU_PERIOD_STR "100000"
#define KILL_PASSES 8

enum { C_MEMORY = 1 << 0, C_PIDS = 1 << 1, C_CPU = 1 << 2 };
/* The controllers of the limits, in the order of their C_* bits. */
static const char limits[] = "memory\0pids\0cpu";

static int sub_fd = -1;		/* /sys/fs/cgroup/sandinit, open for good */
static unsigned have;		/* C_* the services' cgroups offer */
static char ctrl_list[256];	/* the same, as "memory,pids,cpu,io" */
static char buf[4096] PAGE_BUF;	/* one cgroup file read at a time */
static char why[64];		/* cg_create's *step when it is formatted */

static int write_at(int dfd, const char *path, const char *s)
{
	int fd = openat(dfd, path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(s);
	ssize_t n;

	if (fd < 0)
		return -1;
	/* A cgroup file takes one value per write(2); a short one is an error. */
	do
		n = write(fd, s, len);
	while (n < 0 && errno == EINTR);
	if (n >= 0 && (size_t)n != len) {
		n = -1;
		errno = EIO;
	}
	close(fd);
	return n < 0 ? -1 : 0;
}

/* Read the start of PATH (cgroup files are small) into buf, NUL-terminated. */
static ssize_t read_at(int dfd, const char *path)
{
	int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	size_t have_len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (have_len < sizeof(buf) - 1) {
		n = read(fd, buf + have_len, sizeof(buf) - 1 - have_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		have_len += (size_t)n;
	}
	close(fd);
	buf[have_len] = 0;
	return (ssize_t)have_len;
}

/* A service name becomes one path component: never "", ".", ".." or a '/'. */
static int bad_name(const char *name)
{
	if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		errno = EINVAL;
		return 1;
	}
	if (sub_fd < 0) {
		errno = ENOENT;
		return 1;
	}
	return 0;
}

/* Enable every controller the root offers, in the root and in our subtree;
 * one the kernel refuses (e.g. cpu with realtime tasks around) is skipped. */
static void enable_controllers(int root_fd)
{
	char *save = NULL;

	if (read_at(root_fd, "cgroup.controllers") < 0)
		return;
	for (char *c = strtok_r(buf, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		char plus[64];

		snprintf(plus, sizeof(plus), "+%s", c);
		if (write_at(root_fd, "cgroup.subtree_control", plus) == 0)
			write_at(sub_fd, "cgroup.subtree_control", plus);
	}
}

/* What a service cgroup gets is exactly our subtree_control: read it back,
 * listed as the kernel line shows it (SPEC §4): the controllers of the
 * limits first, in the order memory,pids,cpu, then the rest as the kernel
 * lists them. */
static void note_controllers(void)
{
	char *save = NULL, rest[sizeof(ctrl_list)] = "";
	const char *l;
	size_t len = 0, rlen = 0, i;

	have = 0;
	ctrl_list[0] = 0;
	if (read_at(sub_fd, "cgroup.subtree_control") < 0)
		return;
	for (char *c = strtok_r(buf, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		for (i = 0, l = limits; i < 3 && strcmp(c, l); i++, l += strlen(l) + 1)
			;
		if (i < 3)
			have |= 1 << i;	/* C_MEMORY, C_PIDS, C_CPU */
		else if (rlen + strlen(c) + 2 < sizeof(rest))
			rlen += (size_t)sprintf(rest + rlen, ",%s", c);
	}
	for (i = 0, l = limits; i < 3; i++, l += strlen(l) + 1)
		if (have & 1 << i)
			len += (size_t)sprintf(ctrl_list + len, "%s%s", len ? "," : "", l);
	snprintf(ctrl_list + len, sizeof(ctrl_list) - len, "%s", len ? rest : rest + (rlen > 0));
}

/* "sandinit" for the machine's init. A sandinit in a PID namespace of its
 * own (the host tests) shares the host's hierarchy: its subtree is named
 * after that namespace, so two of them never meet. */
static char subtree[64];
static char root_path[128];	/* the cgroup2 mount point (cg_init_at) */

static void subtree_name(void)
{
	struct stat st;

	/* PROC_PID_INIT_INO: the initial PID namespace's inode. */
	if (stat("/proc/self/ns/pid", &st) < 0 || st.st_ino == 0xEFFFFFFCU)
		snprintf(subtree, sizeof(subtree), "%s", CG_SUBTREE);
	else
		snprintf(subtree, sizeof(subtree), "%s-%lu", CG_SUBTREE,
			 (unsigned long)st.st_ino);
}

int cg_init_at(const char *root)
{
	struct statfs st;
	int root_fd;

	if (sub_fd >= 0) {
		close(sub_fd);
		sub_fd = -1;
	}
	have = 0;
	ctrl_list[0] = 0;
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return -1;
	if (syscall(SYS_fstatfs, root_fd, &st) < 0)	/* (musl's fstatfs: just that) */
		goto fail;
	if (st.f_type != CGROUP2_SUPER_MAGIC) {
		errno = ENOTSUP;
		goto fail;
	}
	subtree_name();
	snprintf(root_path, sizeof(root_path), "%s", root);
	if (mkdirat(root_fd, subtree, 0755) < 0 && errno != EEXIST)
		goto fail;
	sub_fd = openat(root_fd, subtree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sub_fd < 0)
		goto fail;
	enable_controllers(root_fd);
	note_controllers();
	close(root_fd);
	return 0;
fail:
	{
		int e = errno;

		close(root_fd);
		errno = e;
	}
	return -1;
}

int cg_init(void)
{
	return cg_init_at(CG_ROOT);
}

const char *cg_controllers(void)
{
	return ctrl_list;
}

/* The limits S sets, into its cgroup FD. The cgroup is always a fresh one
 * (cg_create), so what S leaves unset is the kernel's default: "max". */
static int set_limits(int fd, const struct svc_conf *s, int want, const char **step)
{
	const char *l = limits;
	char v[64];

	for (int i = 0; i < 3; i++, l += strlen(l) + 1) {
		if (!(want & 1 << i))
			continue;
		/* memory.max in bytes, pids.max, cpu.max "QUOTA PERIOD" */
		snprintf(v, sizeof(v), "%llu%s",
			 i == 0 ? (unsigned long long)s->memory : i == 1 ? (unsigned long long)s->pids :
			 (unsigned long long)s->cpu * (CPU_PERIOD / 100), i == 2 ? " " CPU_PERIOD_STR : "");
		snprintf(why, sizeof(why), "set %s.max", l);
		*step = why;
		if (write_at(fd, why + 4, v) < 0)
			return -1;
		/* With swap, a hog past memory.max would swap instead of being
		 * OOM-killed (SPEC §6): a limited service gets none. The file is
		 * absent without swap accounting, which is fine. */
		if (i == 0) {
			*step = "set memory.swap.max";
			if (write_at(fd, "memory.swap.max", "0") < 0 && errno != ENOENT)
				return -1;
		}
	}
	return 0;
}

int cg_create(const struct svc_conf *s, const char **step)
{
	int fd, made, e, want = (s->memory != 0) | (s->pids > 0) << 1 | (s->cpu > 0) << 2;
	const char *c = limits;

	*step = "create its cgroup";
	if (bad_name(s->name))
		return -1;
	/* SPEC §3: a limit the kernel cannot enforce is an error, never dropped.
	 */
	for (int i = 0; i < 3; i++, c += strlen(c) + 1)
		if (want & ~have & 1 << i) {
			snprintf(why, sizeof(why), "set %s.max: no %s controller", c, c);
			*step = why;
			errno = EOPNOTSUPP;
			return -1;
		}
	/* Always a fresh cgroup: once written, cgroup.kill leaves a kill count
	 * behind that makes some kernels (seen on 6.18) SIGKILL every process
	 * cloned into that cgroup afterwards. */
	made = mkdirat(sub_fd, s->name, 0755) == 0;
	if (!made && errno == EEXIST) {
		if (cg_empty(s->name) == 0) {
			cg_kill(s->name);
			*step = "create its cgroup: its previous run is still exiting";
			errno = EBUSY;
			return -1;
		}
		/* (unlinkat as its system call, as fstatfs: musl's wrapper is
		 * only that) */
		if (syscall(SYS_unlinkat, sub_fd, s->name, AT_REMOVEDIR) < 0)
			return -1;
		made = mkdirat(sub_fd, s->name, 0755) == 0;
	}
	if (!made)
		return -1;
	fd = openat(sub_fd, s->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (set_limits(fd, s, want, step) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	if (made)
		syscall(SYS_unlinkat, sub_fd, s->name, AT_REMOVEDIR);
	errno = e;
	return -1;
}

int cg_open(const char *name)
{
	if (bad_name(name))
		return -1;
	return openat(sub_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int cg_path(const char *name, char *out, size_t len)
{
	if (bad_name(name))
		return -1;
	if ((size_t)snprintf(out, len, "%s/%s/%s", root_path, subtree, name) >= len) {
		errno = ENOBUFS;
		return -1;
	}
	return 0;
}

/* The value of the "KEY value" line of buf (a flat-keyed file), or NULL. */
static char *value_of(const char *key)
{
	size_t klen = strlen(key);

	for (char *p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return p + klen + 1;
	return NULL;
}

/* A figure of the file PATH in DFD: its first number (KEY ""), or the
 * value of KEY; CG_UNLIMITED for "max"; -1 if missing. */
static int64_t figure(int dfd, const char *path, const char *key)
{
	char *p = buf;
	const char *end;
	uint64_t u;

	if (read_at(dfd, path) < 0 || (*key && !(p = value_of(key))))
		return -1;
	if (!strncmp(p, "max", 3))
		return CG_UNLIMITED;
	if (conf_digits(p, &end, INT64_MAX, &u) < 0)
		return -1;
	return (int64_t)u;
}

/* (the walk below takes the struct as an array of as many figures as
 * the table has) */
_Static_assert(sizeof(struct cg_stats) == 7 * sizeof(int64_t), "cg_stats: seven int64_t");

int cg_stats(const char *name, struct cg_stats *st)
{
	/* Each figure's file and key ("": its first number), in the order of
	 * struct cg_stats' fields. */
	static const char files[] = "memory.current\0\0memory.peak\0\0memory.max\0\0"
		"pids.current\0\0pids.max\0\0cpu.stat\0usage_usec\0memory.events\0oom_kill";
	int64_t *v = (int64_t *)st;	/* seven int64_t, no padding */
	const char *f = files;
	int fd = cg_open(name);

	if (fd < 0)
		return -1;
	for (size_t i = 0; i < sizeof *st / sizeof *v; i++) {
		const char *key = f + strlen(f) + 1;

		v[i] = figure(fd, f, key);
		f = key + strlen(key) + 1;
	}
	close(fd);
	return 0;
}

/* One pass over cgroup.procs: SIGKILL every pid; returns how many were
 * listed. (noinline: smaller than LTO's copy inlined in cg_kill_procs) */
__attribute__((noinline)) static int kill_listed(int dfd)
{
	int fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	long pid = 0;
	int digits = 0, n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	/* Read in chunks: a pid may straddle two reads. The end (or an
	 * error) is one more separator, for a last pid without its newline. */
	do {
		do
			r = read(fd, buf, sizeof(buf));
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			buf[0] = '\n';
		for (ssize_t i = 0; i < (r > 0 ? r : 1); i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				pid = pid * 10 + (buf[i] - '0');
				digits++;
			} else if (digits) {
				if (pid > 1)
					kill((pid_t)pid, SIGKILL);
				n++;
				pid = 0;
				digits = 0;
			}
		}
	} while (r > 0);
	close(fd);
	return r < 0 ? -1 : n;
}

int cg_kill_procs(const char *name)
{
	int fd, n = 0;

	fd = cg_open(name);
	if (fd < 0)
		return -1;
	/* Freezing (5.2+) stops forks racing the passes; best effort. */
	write_at(fd, "cgroup.freeze", "1");
	for (int pass = 0; pass < KILL_PASSES; pass++) {
		n = kill_listed(fd);
		if (n <= 0)
			break;
	}
	write_at(fd, "cgroup.freeze", "0");
	close(fd);
	return n < 0 ? -1 : 0;
}

int cg_kill(const char *name)
{
	int fd, r;

	fd = cg_open(name);
	if (fd < 0)
		return -1;
	/* cgroup.kill (5.14+) kills the whole subtree atomically, forks included. */
	r = write_at(fd, "cgroup.kill", "1");
	close(fd);
	if (r < 0 && errno == ENOENT)
		return cg_kill_procs(name);
	return r;
}

int cg_empty(const char *name)
{
	int fd = cg_open(name);
	ssize_t n;
	char *p;

	if (fd < 0)
		return -1;
	n = read_at(fd, "cgroup.events");
	close(fd);
	if (n < 0)
		return -1;
	/* cgroup.events: "populated 0|1\nfrozen 0|1\n" (cgroup-v2.rst). */
	if ((p = value_of("populated")))
		return *p == '0';
	errno = EPROTO;
	return -1;
}

int cg_remove(const char *name)
{
	if (bad_name(name))
		return -1;
	if (syscall(SYS_unlinkat, sub_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -1;
	return 0;
}
