/* sandbox_harness: the spawner's child sequence, alone, for testing mount.c,
 * privs.c and seccomp.c before (and apart from) spawn.c: clone into every
 * namespace, write the id maps, mnt_sandbox, fork, privs_apply,
 * (with -d: dev_grant first, as supervise does, and dev_revoke at the end),
 * seccomp_install, execve. Run as root:
 *   sandbox_harness [-r ROOT] [-w] [-p] [-b SRC:DST[:rw]] [-t DST[:BYTES]]
 *                   [-d DEV] [-u UID:GID] [-c HEXCAPS] [-S] [-n NOFILE]
 *                   [-C DIR] [-H HOST] [-m HOSTID] -- PATH ARG...
 * Exit: the service's status (128+sig if killed), 111 if setup failed. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../init/device.h"
#include "../../init/mount.h"
#include "../../init/privs.h"
#include "../../init/seccomp.h"

#define MAXV 16
/* Docker's default set: chown dac_override fowner fsetid kill setgid setuid
 * setpcap net_bind_service net_raw sys_chroot mknod audit_write setfcap. */
#define DOCKER_CAPS 0xa80425fbULL

struct report {
	int err;
	char step[512];
};

static int err_fd = -1;

static void fail(const char *step)
{
	struct report r;

	memset(&r, 0, sizeof r);
	r.err = errno;
	snprintf(r.step, sizeof r.step, "%s", step ? step : "?");
	if (write(err_fd, &r, sizeof r) < 0)
		_exit(126);
	_exit(127);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

static void lo_up(void)
{
	struct ifreq r;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&r, 0, sizeof r);
	strcpy(r.ifr_name, "lo");
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &r) == 0) {
		r.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &r) < 0)
			fail("bring lo up");
	}
	if (s >= 0)
		close(s);
}

static int status_of(int st)
{
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* PID 1 of the sandbox: set up, fork the service, reap until it exits. */
static int sandbox(const struct svc_conf *s, char **argv)
{
	static char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/",
				"TERM=linux", NULL };
	const char *step = "sethostname";
	pid_t svc, p;
	int st;

	if (sethostname(s->hostname, strlen(s->hostname)) < 0)
		fail(step);
	/* Its root's identity for the files it makes, as spawn.c gives the
	 * child (setfsuid there, in PID 1's user namespace; here the maps are
	 * already written, so root of the new one). */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		fail("become root in its user namespace");
	if (mnt_sandbox(s, -1, &step) < 0)
		fail(step);
	lo_up();
	svc = fork();
	if (svc < 0)
		fail("fork the service");
	if (svc == 0) {
		if (privs_apply(s, &step) < 0)
			fail(step);
		if (s->seccomp && seccomp_install() < 0)
			fail("install the seccomp filter");
		if (chdir(s->workdir) < 0)
			fail("chdir to the workdir");
		execve(argv[0], argv, envp);
		fail("execve");
	}
	close(err_fd);
	for (;;) {
		p = waitpid(-1, &st, 0);
		if (p == svc)
			return status_of(st);
		if (p < 0 && errno != EINTR)
			return 111;
	}
}

int main(int argc, char **argv)
{
	static struct conf_bind binds[MAXV];
	static struct conf_tmpfs tmpfs[MAXV];
	static struct conf_device devices[MAXV];
	struct svc_conf s;
	const char *step = "";
	unsigned long hostid = 100000;
	char map[64], path[64];
	int opt, sync_fd[2], rep[2], st;
	struct report r;
	pid_t pid;
	ssize_t n;

	memset(&s, 0, sizeof s);
	strcpy(s.name, "probe");
	s.hostname = s.name;
	s.readonly = 1;
	s.caps = DOCKER_CAPS;
	s.seccomp = 1;
	s.workdir = "/";
	s.binds = binds;
	s.tmpfs = tmpfs;
	s.devices = devices;
	while ((opt = getopt(argc, argv, "r:wpb:t:d:u:c:Sn:C:H:m:")) != -1) {
		char *c;

		switch (opt) {
		case 'r': s.root = optarg; break;
		case 'w': s.readonly = 0; break;
		case 'p': s.proc = PROC_PID_ONLY; break;
		case 'b':
			if (s.nbinds == MAXV || !(c = strchr(optarg, ':')))
				return 2;
			*c++ = '\0';
			binds[s.nbinds].src = optarg;
			binds[s.nbinds].dst = c;
			if ((c = strchr(c, ':'))) {
				*c++ = '\0';
				binds[s.nbinds].rw = !strcmp(c, "rw");
			}
			s.nbinds++;
			break;
		case 't':
			if (s.ntmpfs == MAXV)
				return 2;
			if ((c = strchr(optarg, ':'))) {
				*c++ = '\0';
				tmpfs[s.ntmpfs].size = strtoull(c, NULL, 0);
			}
			tmpfs[s.ntmpfs++].dst = optarg;
			break;
		case 'd':
			if (s.ndevices == MAXV)
				return 2;
			devices[s.ndevices++].path = optarg;
			break;
		case 'u':
			s.uid = s.gid = strtoul(optarg, &c, 10);
			if (*c == ':')
				s.gid = strtoul(c + 1, NULL, 10);
			break;
		case 'c': s.caps = strtoull(optarg, NULL, 16); s.caps_set = 1; break;
		case 'S': s.seccomp = 0; break;
		case 'n': s.nofile = strtoull(optarg, NULL, 10); break;
		case 'C': s.workdir = optarg; break;
		case 'H': s.hostname = optarg; break;
		case 'm': hostid = strtoul(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: sandbox_harness [options] -- PATH ARG...\n");
		return 2;
	}
	if (seccomp_build() < 0 || pipe2(sync_fd, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		perror("sandbox_harness");
		return 111;
	}
	/* as PID 1 does: the device nodes granted, then the bind sources and
	 * devices from its own mounts */
	if (dev_grant(&s, (uid_t)(hostid + s.uid), &step) < 0) {
		fprintf(stderr, "sandinit: %s: unable to %s: %s\n", s.name, step, strerror(errno));
		return 111;
	}
	if (mnt_prepare(&s, -1, &step) < 0) {
		fprintf(stderr, "sandbox_harness: unable to %s: %s\n", step, strerror(errno));
		dev_revoke(s.name);
		return 111;
	}
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
				 CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		perror("sandbox_harness: clone");
		return 111;
	}
	if (pid == 0) {
		char c;

		close(sync_fd[1]);
		close(rep[0]);
		err_fd = rep[1];
		if (read(sync_fd[0], &c, 1) != 1)
			_exit(111);
		close(sync_fd[0]);
		_exit(sandbox(&s, argv + optind));
	}
	close(sync_fd[0]);
	close(rep[1]);
	snprintf(map, sizeof map, "0 %lu 65536\n", hostid);
	/* setgroups stays allowed, as PID 1 leaves it (SPEC §3 uidmap): the
	 * child drops its supplementary groups itself. */
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	if (write_file(path, map) < 0)
		perror("sandbox_harness: uid_map");
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	if (write_file(path, map) < 0)
		perror("sandbox_harness: gid_map");
	if (write(sync_fd[1], "x", 1) != 1)
		perror("sandbox_harness: release");
	close(sync_fd[1]);

	n = read(rep[0], &r, sizeof r);
	if (n == (ssize_t)sizeof r)
		fprintf(stderr, "sandinit: %s: unable to %s: %s\n", s.name, r.step, strerror(r.err));
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			dev_revoke(s.name);
			return 111;
		}
	}
	dev_revoke(s.name);
	return n == (ssize_t)sizeof r ? 111 : status_of(st);
}
