/* spawn: start one service: clone3 into its namespaces and cgroup, let net
 * wire it, then the child's setup sequence (its user namespace and id maps,
 * its mounts, locked) and the small reaper that is PID 1 inside the sandbox. */
#ifndef SANDINIT_SPAWN_H
#define SANDINIT_SPAWN_H

#include <sys/ioctl.h>
#include <sys/types.h>
#include "conf.h"

/* What a failing child sends up its CLOEXEC status pipe before _exit(127). */
struct spawn_failure {
	int err;
	char step[200];
};

struct spawn_io {
	int out_fd;		/* becomes stdout (unless tty) */
	int err_fd;		/* becomes stderr (unless tty) */
	int syslog_fd;		/* bound at its /dev/log (mount.c), or -1 */
	int ready_fd;		/* becomes fd s->ready_fd, or -1 */
	int cgroup_fd;		/* CLONE_INTO_CGROUP target, or -1 */
	pid_t join_pid;		/* a process of the `join` service, or 0 */
	unsigned root_id;	/* the host id its user namespace maps 0 to */
	unsigned id_count;	/* and how many ids it maps */
	const char *resolv;	/* a file every sandbox gets as /etc/resolv.conf, or NULL */
};

struct spawn_child {
	pid_t pid;		/* as PID 1 sees it */
	int status_fd;		/* EOF: exec succeeded; data: a spawn_failure */
	int net_fd;		/* a unix socket that brings its network
				 * namespace and a netlink socket in it
				 * (spawn_link), or -1 */
	int sync_fd;		/* a unix socket: releases the child
				 * (spawn_link); then, with a pid namespace,
				 * its reaper sends the service's wait status
				 * here before it exits (spawn_exit_status);
				 * -1 if neither */
	int vt;			/* N: its tty is the VT /dev/ttyN, which
				 * the start switched to (and put in
				 * graphics mode), set even when the start
				 * fails after that; 0 none */
};

/* Start S. On failure -1 with errno and *STEP; nothing is left running. */
int spawn_service(const struct svc_conf *s,
		  const struct spawn_io *io, struct spawn_child *out,
		  const char **step);

/* Once NET_FD has brought the child's network namespace and a netlink
 * socket made in it (NETNS_FD, NL_FD: the caller keeps both): create and
 * configure S's links (net_attach), then release the child through
 * RELEASE_FD (the caller closes it; the child has been making its mounts
 * meanwhile and waits for this before it starts the service). -1 with errno
 * and *STEP on failure; -2 if the child has exited meanwhile (its status
 * report or its exit says why). */
int spawn_link(const struct conf *c, const struct svc_conf *s,
	       int release_fd, int netns_fd, int nl_fd, const char **step);

/* The wait status of S's service, given STATUS, that of its sandbox's first
 * process, and SYNC_FD (spawn_child): with a pid namespace the reaper's exit
 * says only 128+N for a death by signal N, its report says which it was. */
int spawn_exit_status(const struct svc_conf *s, int status, int sync_fd);

/* Run ARGV inside the sandbox of the service whose first process is PID
 * (`initctl exec`), with FDS as stdin/out/err; or, given PTY (a window
 * size), with a new pty of the sandbox's (pty_open) whose master goes over
 * the unix socket FDS[0] (which also carries the errors before it). Returns
 * the pid of a child of PID 1 that exits with the command's status. */
pid_t spawn_exec_in(const struct svc_conf *s, pid_t pid, const int fds[3],
		    const struct winsize *pty, char *const argv[], const char **step);

/* The service's own process (as PID 1 sees it) in the sandbox whose first
 * process is FIRST: below its reaper(s), found by its place in its pid
 * namespace (the reaper is 1 there, the service 2), never by anything the
 * service can change (its comm). FIRST itself while the service is being
 * made or S has no pid namespace of its own. */
pid_t spawn_service_pid(const struct svc_conf *s, pid_t first);

#endif
