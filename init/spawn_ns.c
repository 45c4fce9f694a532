/* spawn_ns: a sandbox's namespaces (spawn_int.h): the kinds in the order
 * they are made and entered, opening and entering another process's, and
 * the user namespace a helper makes so that the sandbox's mounts are made
 * from PID 1's and locked when the child enters it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn_int.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* (9 B an entry, the names in it rather than pointed to) */
#define SHIFT(flag) ((unsigned char)__builtin_ctz(flag))
static const struct {
	unsigned char shift;	/* its CLONE_NEW* flag's bit */
	unsigned char bit;
	char file[7];	/* under /proc/PID/ns, for exec (pid: PID_FILE) */
} ns_table[] = {
	/* The pid and time namespaces belong to PID 1's user namespace
	 * (made by its clone, or a pod member's unshare, before the user
	 * namespace is entered: child_main): entered first, while that is
	 * still allowed. pid_for_children: a pod member's first process stays
	 * outside the pid namespace it made, its children are in it. */
	{ SHIFT(CLONE_NEWPID), NS_PID, "pid" },
	{ SHIFT(CLONE_NEWTIME), NS_TIME, "time" },
	{ SHIFT(CLONE_NEWUSER), NS_USER, "user" },
	{ SHIFT(CLONE_NEWNS), NS_MOUNT, "mnt" },
	{ SHIFT(CLONE_NEWNET), NS_NET, "net" },
	{ SHIFT(CLONE_NEWUTS), NS_UTS, "uts" },
	{ SHIFT(CLONE_NEWIPC), NS_IPC, "ipc" },
	{ SHIFT(CLONE_NEWCGROUP), NS_CGROUP, "cgroup" },
};
/* The file's tail after entry I's name. */
#define PID_FILE(i) (ns_table[i].bit == NS_PID ? "_for_children" : "")

void spawn_ns_close(int fds[])
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++)
		close_fail(fds[i]);	/* (errno kept) */
}

/* The namespaces of PID of the kinds in MASK, opened into FDS (ns_table
 * order, -1 for the others). All opened before the first setns: once in
 * PID's user namespace, its non-dumpable reaper's /proc/PID/ns is no longer
 * ours to open (EACCES). With SKIP_SHARED, a kind this kernel lacks (ENOENT)
 * and one we already share stay -1: it needs no entering, and once in PID's
 * user namespace we could not enter the host's. -1 with errno and *KIND on
 * failure (anything but that ENOENT: the caller must not go on in PID 1's
 * namespaces). */
int spawn_ns_open(pid_t pid, unsigned mask, int skip_shared, int fds[],
		   const char **kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++)
		fds[i] = -1;
	for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++) {
		char p[64];
		struct stat theirs, ours;

		if (!(mask & ns_table[i].bit))
			continue;
		*kind = ns_table[i].file;
		snprintf(p, sizeof(p), "/proc/%d/ns/%s%s", (int)pid, ns_table[i].file, PID_FILE(i));
		fds[i] = open(p, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 && (!skip_shared || errno != ENOENT))
			goto fail;
		snprintf(p, sizeof(p), "/proc/self/ns/%s%s", ns_table[i].file, PID_FILE(i));
		if (skip_shared && fds[i] >= 0 &&
		    (fstat(fds[i], &theirs) < 0 || stat(p, &ours) < 0 ||
		     theirs.st_ino == ours.st_ino)) {
			fds[i] = close_fail(fds[i]);
		}
	}
	return 0;
fail:
	spawn_ns_close(fds);
	return -1;
}

/* setns into each of FDS (spawn_ns_open) in ns_table order, the user namespace
 * first; closes them. -1 with errno and *KIND on failure. */
int spawn_ns_enter(int fds[], const char **kind)
{
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++) {
		if (fds[i] < 0 || r < 0)
			continue;
		*kind = ns_table[i].file;
		if (setns(fds[i], 0) < 0)
			r = -1;
	}
	spawn_ns_close(fds);
	return r;
}

/* The clone flags of the kinds in MASK. */
unsigned long spawn_ns_flags(unsigned mask)
{
	unsigned long flags = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++)
		if (mask & ns_table[i].bit)
			flags |= 1UL << ns_table[i].shift;
	return flags;
}

/* Root of the user namespace just made or entered. */
int spawn_ns_root(void)
{
	return id_gid(0) < 0 || id_uid(0) < 0 ? -1 : 0;
}

/* The user namespace the sandbox ends in, open until the child enters it
 * (enter_userns), or -1. The child makes its mounts from PID 1's user
 * namespace, in a mount namespace of that one's; entering the user
 * namespace then and copying the mount namespace there locks each mount it
 * made, as the kernel locks the mounts that come from a more privileged
 * mount namespace (mount_namespaces(7)): its flags (read-only, nosuid,
 * nodev, noexec, atime) stay as they are, and none can be unmounted to
 * show what it covers, even by a service given CAP_SYS_ADMIN. */
int spawn_userns_fd = -1;

/* The helper that makes the user namespace: it only has to exist while its
 * maps are written; it leaves when GO's write end closes. It shares our
 * descriptor table (CLONE_FILES): a copy of it, with every service's pipes
 * PID 1 holds, would be made and closed again in each sandbox. */
static int userns_helper(void *arg)
{
	int *go = arg;
	char b;

	while (read(go[0], &b, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* The helper, in new namespaces FLAGS. It shares our memory, on a stack of
 * its own, and only waits (with AddressSanitizer: a plain copy). */
static pid_t make_helper(unsigned long flags, int go[2])
{
#ifdef __SANITIZE_ADDRESS__
	pid_t pid = (pid_t)syscall(SYS_clone, flags | CLONE_FILES | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		userns_helper(go);
	return pid;
#else
	static char stack[4096] PAGE_BUF;

	return clone(userns_helper, stack + sizeof(stack), (int)flags | CLONE_VM | CLONE_FILES | SIGCHLD, go);
#endif
}

/* PID's id maps, through PROC (a proc showing PID): 0..COUNT-1 to BASE..
 * Written as a privileged parent, so /proc/PID/setgroups stays `allow`
 * (user_namespaces(7)): daemons inside drop their groups (SPEC §3
 * `uidmap`); the service starts with none (privs_apply). */
static int write_maps(int proc, pid_t pid, unsigned base, unsigned count)
{
	static const char *const map[] = { "uid_map", "gid_map" };
	char path[64], line[64];
	int fd, r;

	snprintf(line, sizeof(line), "0 %u %u\n", base, count);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%d/%s", (int)pid, map[i]);
		fd = openat(proc, path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		r = write_all(fd, line, strlen(line));
		close(fd);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* S's user namespace (spawn_userns_fd), its maps written, and with `net` its
 * network namespace, entered now: made by a helper, so that the network
 * namespace belongs to the user namespace (the service's capabilities
 * reach it) while we stay outside. PROC: a proc of our pid namespace. */
int spawn_ns_userns(const struct svc_conf *s, int proc, const char **step)
{
	unsigned long flags = CLONE_NEWUSER | (s->namespaces & NS_NET ? CLONE_NEWNET : 0);
	unsigned count = s->uidmap_count ? s->uidmap_count : CONF_UID_RANGE;
	int go[2], net = -1, r = -1, e, st;
	char path[64];
	pid_t h;

	*step = "create its user namespace";
	if (pipe2(go, O_CLOEXEC) < 0)
		return -1;
	h = make_helper(flags, go);
	e = errno;
	if (h < 0) {
		close(go[0]);
		close(go[1]);
		*step = spawn_ns_step(flags, e);
		errno = e;
		return -1;
	}
	*step = "write the id maps";
	if (write_maps(proc, h, s->uidmap_host, count) == 0) {
		*step = "open its namespaces";
		snprintf(path, sizeof(path), "%d/ns/user", (int)h);
		spawn_userns_fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof(path), "%d/ns/net", (int)h);
		if (spawn_userns_fd >= 0 && (!(flags & CLONE_NEWNET) ||
				       (net = openat(proc, path, O_RDONLY | O_CLOEXEC)) >= 0))
			r = 0;
	}
	e = errno;
	close(go[1]);
	while (waitpid(h, &st, 0) < 0 && errno == EINTR)
		;
	close(go[0]);
	if (r == 0 && net >= 0) {
		*step = "enter its network namespace";
		r = setns(net, CLONE_NEWNET);
		e = errno;
	}
	close_fail(net);
	errno = e;
	return r;
}

/* The helpers the sandbox's first process forked into its new pid
 * namespace (spawn_ns_userns's, the overlay's: mnt_overlay_make) took its
 * pids from 2, the service's (SPEC §6, spawn_service_pid): handed out again
 * from 2. Allowed to the namespace's creator while it has its capabilities
 * (before enter_userns); the file exists with CONFIG_CHECKPOINT_RESTORE. */
int spawn_ns_pid_reset(int proc)
{
	int fd = openat(proc, "sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write_all(fd, "1", 1) < 0)
		return close_fail(fd);
	close(fd);
	return 0;
}

/* The index of KIND in ns_table. */
__attribute__((noinline)) size_t spawn_ns_index(unsigned kind)
{
	size_t i = 0;

	while (ns_table[i].bit != kind)
		i++;
	return i;
}

/* "create its uts ipc ... namespaces", for clone FLAGS and errno E, with
 * a hint for ENOSPC (a count limit: 0 where the administrator turned a
 * kind off, as user.max_user_namespaces) and EINVAL (a kind the kernel
 * lacks). EPERM (a security module's or a container's refusal, more often
 * than a missing kind) gets none: its %m says it. The longest text is
 * "create its" with every kind and the ENOSPC hint, 98 B. */
const char *spawn_ns_step(unsigned long flags, int e)
{
	static char what[128];
	int n = snprintf(what, sizeof(what), "create its");

	_Static_assert(sizeof("create its namespaces (a limit in /proc/sys/user/ is reached)") +
			       SPAWN_NS_COUNT * sizeof(" cgroup") <= sizeof(what),
		       "spawn_ns_step: the longest text fits");

	for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++)
		if (flags >> ns_table[i].shift & 1)
			n += snprintf(what + n, sizeof(what) - (size_t)n, " %s",
				      ns_table[i].file);
	snprintf(what + n, sizeof(what) - (size_t)n, " namespaces%s",
		 e == ENOSPC ? " (a limit in /proc/sys/user/ is reached)" :
		 e == EINVAL ? " (not in this kernel?)" : "");
	return what;
}

_Static_assert(ARRAY_SIZE(ns_table) == SPAWN_NS_COUNT, "SPAWN_NS_COUNT");
