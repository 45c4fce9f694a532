/* privs: a service's identity, capabilities, no_new_privs and rlimits, set in
 * the service process (root of its user namespace) just before seccomp and
 * execve. Raw capset(2): no libcap. */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "privs.h"
#include "util.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* prctl(2) OP with two arguments, the rest 0 (as the options used here
 * require). noinline: the calls pass three, not five and a count. */
__attribute__((noinline)) static int pr(int op, unsigned long a, unsigned long b)
{
	return prctl(op, a, b, 0L, 0L);
}

/* The highest capability the running kernel knows. Probed with
 * PR_CAPBSET_READ (EINVAL past the last) rather than read from
 * /proc/sys/kernel/cap_last_cap, absent under `proc pid-only`. */
static int last_cap(void)
{
	int lo = 0, hi = 63;

	/* The valid ones are 0..last: bisect (6 calls, not 40). */
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;

		if (pr(PR_CAPBSET_READ, (unsigned long)mid, 0) >= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static int capset_all(uint64_t caps)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int i;

	for (i = 0; i < 2; i++) {
		data[i].effective = data[i].permitted = data[i].inheritable =
			(uint32_t)(caps >> (32 * i));
	}
	return (int)syscall(SYS_capset, &hdr, data);
}

int privs_drop_all(void)
{
	if (pr(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0) < 0)
		return -1;
	return capset_all(0);
}

/* PID 1's RLIMIT_NOFILE as its launcher left it (the kernel's 1024:4096 at
 * a boot): a service without `nofile` gets it, not PID 1's raised one
 * (select(2) users assume a soft limit of FD_SETSIZE). */
static struct rlimit launch_nofile;

void privs_raise_nofile(rlim_t n)
{
	struct rlimit *l = &launch_nofile;

	if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, l) < 0)
		return;
	/* Best effort, silent: without CAP_SYS_RESOURCE (a container, the
	 * host tests) the launcher's hard limit is the ceiling, and PID 1
	 * takes all of it; a line on every such start would be noise. */
	if (id_nofile(n > l->rlim_max ? n : l->rlim_max) < 0)
		id_nofile(l->rlim_max);
}

static int set_nofile(const struct svc_conf *s, const char **step)
{
	/* Raising the hard limit needs CAP_SYS_RESOURCE in the initial user
	 * namespace: the ceiling is what PID 1 had. */
	*step = "set RLIMIT_NOFILE";
	if (s->nofile)
		return id_nofile(s->nofile);
	return launch_nofile.rlim_max ?
	       (int)syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &launch_nofile, NULL) : 0;
}

int privs_user(const struct svc_conf *s, const char **step)
{
	if (set_nofile(s, step) < 0)
		return -1;
	*step = "drop supplementary groups";
	if (id_nogroups() < 0)
		return -1;
	*step = "set user";
	return id_gid(s->gid) < 0 || id_uid(s->uid) < 0 ? -1 : 0;
}

int privs_apply(const struct svc_conf *s, const char **step)
{
	int cap, last = last_cap();
	uint64_t keep = s->caps, held;

	if (last < 63)
		keep &= (UINT64_C(1) << (last + 1)) - 1;
	held = keep;
	if (set_nofile(s, step) < 0)
		return -1;

	/* Needs CAP_SETPCAP in the effective set: before the uid switch. */
	*step = "drop capability bounding set";
	for (cap = 0; cap <= last; cap++) {
		if (!(keep >> cap & 1) && pr(PR_CAPBSET_DROP, (unsigned long)cap, 0) < 0)
			return -1;
	}

	/* None of PID 1's (it dropped its own at start, but the child
	 * never relies on that). */
	*step = "drop supplementary groups";
	if (id_nogroups() < 0)
		return -1;

	/* KEEPCAPS keeps the permitted set across a switch away from uid 0;
	 * the effective set is emptied and restored by capset below. */
	*step = "set keepcaps";
	if (pr(PR_SET_KEEPCAPS, 1, 0) < 0)
		return -1;
	*step = "setresgid";
	if (id_gid(s->gid) < 0)
		return -1;
	*step = "setresuid";
	if (id_uid(s->uid) < 0)
		return -1;
	*step = "set keepcaps";
	if (pr(PR_SET_KEEPCAPS, 0, 0) < 0)
		return -1;

	/* A non-root user holds none of the default set, only what `caps`
	 * names (as Docker and systemd's User=); its bounding set keeps the
	 * default. Permitted too: no_new_privs then caps a file's
	 * capabilities at it. */
	if (s->uid != 0 && !s->caps_set)
		held = 0;
	*step = "set capabilities";
	if (capset_all(held) < 0)
		return -1;

	/* execve recomputes the sets. Uid 0 gets the bounding set back as
	 * permitted and effective; any other uid keeps only the ambient set,
	 * so raise the held capabilities there (capabilities(7)). */
	*step = "set ambient capabilities";
	if (pr(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0) < 0)
		return -1;
	if (s->uid != 0) {
		for (cap = 0; cap <= last; cap++) {
			if ((held >> cap & 1) &&
			    pr(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap) < 0)
				return -1;
		}
	}

	*step = "set no_new_privs";
	if (pr(PR_SET_NO_NEW_PRIVS, 1, 0) < 0)
		return -1;
	*step = NULL;
	return 0;
}
