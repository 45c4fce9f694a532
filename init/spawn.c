/* spawn: start one service: clone3 into its namespaces and cgroup, let net
 * wire it, then the child's setup sequence (its user namespace and id maps,
 * its mounts, locked) and the small reaper that is PID 1 inside the sandbox. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "cgroup.h"
#include "conf_value.h"
#include "log.h"
#include "mount.h"
#include "net.h"
#include "netlink.h"
#include "privs.h"
#include "seccomp.h"
#include "util.h"
#include "vt.h"
#include "spawn_int.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SIOCGSKNETNS
#define SIOCGSKNETNS 0x894C
#endif

/* Made by the child rather than by PID 1's clone. */
#define NS_BY_CHILD (NS_USER | NS_NET | NS_UTS | NS_IPC | NS_CGROUP)



/* The child's last words: the step and errno, then exit. */
static void __attribute__((noreturn)) child_fail(int fd, const char *step)
{
	struct spawn_failure f = { .err = errno };

	snprintf(f.step, sizeof(f.step), "%s", step);
	write_all(fd, &f, sizeof(f));
	_exit(127);
}

/* execve(2) with PATH looked up as the service's environment says. */
__attribute__((noinline)) void spawn_exec_path(char *const argv[], char *const envp[], const char *path)
{
	char buf[4096];

	/* PID 1's nice is not the service's (boot.h, PID1_NICE). */
	setpriority(PRIO_PROCESS, 0, 0);
	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
		return;
	}
	int saved = ENOENT;

	for (const char *p = path; p && *p;) {
		const char *end = strchrnul(p, ':');

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), p, argv[0]) <
		    (int)sizeof(buf)) {
			execve(buf, argv, envp);
			/* As sh(1): an entry not there, not a directory or
			 * a loop is passed over; one found but not runnable
			 * (EACCES, ENOEXEC...) is what we say in the end. */
			if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP &&
			    errno != ENAMETOOLONG)
				saved = errno;
		}
		p = *end ? end + 1 : end;
	}
	errno = saved;
}

/* S's identity, privileges and filter, the last step before its exec (the
 * service's or initctl exec's): in a sandbox every one; on the host
 * (`namespaces none`) its user, no groups and `nofile`. */
int spawn_identity(const struct svc_conf *s, const char **step)
{
	if (!s->namespaces)
		return privs_user(s, step);
	if (privs_apply(s, step) < 0)
		return -1;
	*step = "install seccomp filter";
	return s->seccomp ? seccomp_install() : 0;
}

/* The service's `tty`, opened by PID 1 before the clone (spawn_service), so
 * that it is the host's node whatever the sandbox's /dev holds; -1 none. */
static int tty_fd = -1;

/* PATH as a terminal: non-blocking, so that a serial line without carrier
 * cannot hold PID 1 (as getty opens it), then blocking for the service. */
static int open_tty(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), e;

	if (fd < 0)
		return -1;
	if (!isatty(fd) || fcntl(fd, F_SETFL, O_RDWR) < 0) {
		e = errno == EINVAL ? ENOTTY : errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* In the service process: descriptors, identity, privileges, exec. */
static void __attribute__((noreturn))
run_service(const struct svc_conf *s, const struct spawn_io *io, int err_fd)
{
	const char *step = "exec";

	setsid();
	if (tty_fd >= 0)
		ioctl(tty_fd, TIOCSCTTY, 1);
	{
		int in = tty_fd >= 0 ? tty_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
		int out = tty_fd >= 0 ? tty_fd : io->out_fd;
		int err = tty_fd >= 0 ? tty_fd : io->err_fd;

		if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			child_fail(err_fd, "set up stdio");
	}
	/* `ready fd N` may be the number of a descriptor of PID 1's we hold:
	 * the ready pipe's own (dup2 onto itself keeps O_CLOEXEC), or the
	 * status pipe's, which moves out of its way first. */
	if (io->ready_fd >= 0) {
		if (err_fd == s->ready_fd && (err_fd = fcntl(err_fd, F_DUPFD_CLOEXEC, 3)) < 0)
			_exit(127);
		if (io->ready_fd == s->ready_fd ? fcntl(s->ready_fd, F_SETFD, 0) < 0
		    : dup2(io->ready_fd, s->ready_fd) < 0)
			child_fail(err_fd, "set up the ready fd");
	}

	if (chdir(s->workdir ? s->workdir : "/") < 0)
		child_fail(err_fd, "chdir to workdir");
	if (spawn_identity(s, &step) < 0)
		child_fail(err_fd, step);
	spawn_exec_path(s->argv, s->envp, s->path);
	child_fail(err_fd, stepf("exec %s", s->argv[0]));	/* (errno kept) */
}

/* The service's process, made by the sandbox's reaper with CLONE_VM |
 * CLONE_VFORK (as posix_spawn does): it runs on its own stack in the
 * reaper's memory, which is suspended until the exec, so that memory (a copy
 * of PID 1's) is neither copied again nor torn down by the exec. It writes
 * nothing the reaper reads. */
struct service_args {
	const struct svc_conf *s;
	const struct spawn_io *io;
	int err_fd;
};
#ifndef __SANITIZE_ADDRESS__
static char service_stack[32768] PAGE_BUF;
#endif

static int service_main(void *arg)
{
	const struct service_args *a = arg;
	sigset_t none;

	/* The reaper blocked every signal before making us (see there). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	run_service(a->s, a->io, a->err_fd);
}

/* The service's process (service_main). With AddressSanitizer, whose stack
 * bookkeeping does not know the borrowed stack, a plain fork. */
static pid_t make_service(struct service_args *a)
{
#ifdef __SANITIZE_ADDRESS__
	pid_t pid = fork();

	if (pid == 0)
		service_main(a);
	return pid;
#else
	return clone(service_main, service_stack + sizeof(service_stack),
		     CLONE_VM | CLONE_VFORK | SIGCHLD, a);
#endif
}

/* PID 1 of the sandbox: forward signals to the service, reap orphans, exit
 * with the service's status (128+N for a death by signal N). An exit
 * status cannot tell `exit 130` from SIGINT, nor can it die by the signal
 * itself (init of its pid namespace: the kernel drops it), so the service's
 * raw wait status goes first to PID 1 over REPORT_FD (-1: none; the pod's
 * outer reaper, whose child is the inner one). */
static void __attribute__((noreturn)) reaper(pid_t svc, int report_fd)
{
	sigset_t all;
	siginfo_t si;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	/* It runs sandinit's memory inside the sandbox: keep nothing of PID 1's
	 * open but the report socket, and keep the service from reading it
	 * through /proc. */
	if (report_fd >= 0)
		report_fd = dup2(report_fd, 0) == 0 ? 0 : -1;
	syscall(SYS_close_range, report_fd >= 0 ? 1U : 0U, ~0U, 0U);
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_NAME, "sandinit-reaper");
	/* Its teardown at exit is the service's, not PID 1's work. */
	setpriority(PRIO_PROCESS, 0, 0);
	for (;;) {
		/* Reap first: the service may have ended before the signals
		 * were blocked, its SIGCHLD then discarded (SIG_DFL). */
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);

			if (p <= 0)
				break;
			if (p == svc) {
				if (report_fd >= 0)
					write_all(report_fd, &st, sizeof(st));
				_exit(exit_code(st));
			}
		}
		int sig;

		do
			sig = sigwaitinfo(&all, &si);
		while (sig < 0);
		if (sig != SIGCHLD)
			kill(svc, sig);
	}
}

/* Hand PID 1 the new network namespace and a netlink socket made in it:
 * PID 1 links and configures it with them, without /proc access to us
 * (ptrace rights) and without entering it. */
static void send_net(int net_fd, int err_fd)
{
	struct nl n;
	int fds[2];

	/* From the socket (SIOCGSKNETNS), not /proc/self/ns: the template's
	 * /proc is a stand-in that does not show us (mount.c). */
	if (nl_open(&n) < 0 || (fds[0] = ioctl(n.fd, SIOCGSKNETNS)) < 0)
		child_fail(err_fd, "open its network namespace");
	fds[1] = n.fd;
	if (send_fds(net_fd, "n", 1, fds, 2) != 1)
		_exit(127);	/* PID 1 gave up on us */
	close(fds[0]);
	nl_close(&n);
}

/* A pod member: the pod's namespaces belong to its user namespace: enter
 * those it shares (SPEC §3 `join`) but that one, and make the rest of ours
 * (the cgroup namespace in the pod's user namespace: enter_userns). With a
 * pid namespace of its own, this process stays its reaper and returns in
 * the child. */
static void child_join(const struct svc_conf *s, const struct spawn_io *io, int tmpl,
		       int err_fd)
{
	const unsigned shared = NS_USER | NS_NET | NS_UTS | NS_IPC;
	unsigned long rest = spawn_ns_flags(s->namespaces & ~shared & ~NS_CGROUP);
	int nsfd[SPAWN_NS_COUNT];
	const char *kind;

	/* Opened in PID 1's mount namespace (its /proc shows the pod), then
	 * into the template's, which the unshare below copies. */
	if (spawn_ns_open(io->join_pid, shared, 0, nsfd, &kind) < 0)
		child_fail(err_fd, "join the pod's namespaces");
	spawn_userns_fd = nsfd[spawn_ns_index(NS_USER)];
	nsfd[spawn_ns_index(NS_USER)] = -1;
	if (tmpl >= 0 && setns(tmpl, CLONE_NEWNS) < 0)
		child_fail(err_fd, "enter the mount template");
	if (spawn_ns_enter(nsfd, &kind) < 0)
		child_fail(err_fd, "join the pod's namespaces");
	if (unshare((int)rest) < 0)
		child_fail(err_fd, "unshare");
	if (rest & CLONE_NEWPID) {
		pid_t inner = fork();

		if (inner < 0)
			child_fail(err_fd, "fork into the pid namespace");
		if (inner > 0) {
			/* The outer reaper, no more privileged than the pod. */
			if (setns(spawn_userns_fd, CLONE_NEWUSER) < 0 || spawn_ns_root() < 0) {
				kill(inner, SIGKILL);
				child_fail(err_fd, "join the pod's user namespace");
			}
			close(spawn_userns_fd);
			close(err_fd);
			reaper(inner, -1);
		}
	}
}

/* The namespaces needed before the mounts, off PID 1's serial path: the user
 * namespace (not entered yet) and the network namespace (sysfs shows the
 * mounter's), the dearest to make. PID 1 links and configures it when told
 * (send_net), while the mounts are made. With a user namespace, the proc of
 * the sandbox's pid namespace its maps were written through, else -1. */
static int child_net(const struct svc_conf *s, int net_fd, int err_fd)
{
	const char *step = "set up";
	int proc = -1;

	if (s->namespaces & NS_USER) {
		step = "mount /proc";
		proc = mnt_proc_open();
		if (proc < 0 || spawn_ns_userns(s, proc, &step) < 0)
			child_fail(err_fd, step);
	} else if (s->namespaces & NS_NET && unshare(CLONE_NEWNET) < 0) {
		child_fail(err_fd, "create its network namespace");
	}
	if (s->namespaces & NS_NET) {
		if (net_fd >= 0)
			send_net(net_fd, err_fd);
		if (net_loopback(s, &step) < 0)
			child_fail(err_fd, step);
	}
	return proc;
}

/* After the mounts: into the user namespace (spawn_userns_fd) as its root, with
 * the mount namespace copied there, then the namespaces that belong to it
 * (MASK: uts ipc cgroup; a pod's uts and ipc are joined already). */
static void enter_userns(const struct svc_conf *s, unsigned mask, int err_fd)
{
	unsigned long flags = spawn_ns_flags(mask);

	if (spawn_userns_fd >= 0) {
		if (setns(spawn_userns_fd, CLONE_NEWUSER) < 0)
			child_fail(err_fd, "enter its user namespace");
		spawn_userns_fd = close_fail(spawn_userns_fd);
		if (spawn_ns_root() < 0)
			child_fail(err_fd, "become root in the user namespace");
		if (s->namespaces & NS_MOUNT)
			flags |= CLONE_NEWNS;
	}
	if (flags && unshare((int)flags) < 0) {
		int e = errno;
		const char *what = spawn_ns_step(flags, e);

		errno = e;
		child_fail(err_fd, what);
	}
	if (mask & NS_UTS) {
		const char *h = s->hostname ? s->hostname : s->name;

		if (sethostname(h, strlen(h)) < 0)
			child_fail(err_fd, "set hostname");
	}
}

/* The mounts are made as the sandbox's root (ID on the host) would make
 * them, though from PID 1's user namespace: what they create is its, and
 * files the host's root owns are not its to change (setfsuid(2) drops the
 * capabilities over files, the rest stay). */
static int mount_identity(unsigned id)
{
	setfsgid(id);
	setfsuid(id);
	return (unsigned)setfsuid((uid_t)-1) == id && (unsigned)setfsgid((gid_t)-1) == id ? 0 : -1;
}

/* With a pid namespace: this process is its PID 1, the reaper, and the
 * service its child; SYNC_FD (PID 1's socket) then brings PID 1 the
 * service's wait status. */
/* (noinline: smaller than LTO's copy inlined in child_main) */
static void __attribute__((noreturn, noinline))
child_start(const struct svc_conf *s, const struct spawn_io *io, int sync_fd, int err_fd)
{
	struct service_args a = { s, io, err_fd };
	sigset_t all;
	pid_t svc;
	const int keep[] = { sync_fd, err_fd, io->out_fd, io->err_fd, io->ready_fd, tty_fd };

	/* PID 1's descriptors from 3 up go now but those the service and the
	 * reaper use (its exec and the reaper closed them anyway): the
	 * service's clone then copies, and the reaper closes, a handful, not
	 * the pipes of every service PID 1 holds (O(services) a sandbox). */
	for (unsigned lo = 3, hi; lo; lo = hi + 1) {
		hi = ~0U;
		for (int i = 0; i < 6; i++)
			if (keep[i] >= (int)lo && (unsigned)keep[i] < hi)
				hi = (unsigned)keep[i];
		if (hi > lo)
			syscall(SYS_close_range, lo, hi - 1, 0U);
	}
	if (!(s->namespaces & NS_PID)) {
		/* (a stop that came during the set-up ends us here) */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		close(sync_fd);
		run_service(s, io, err_fd);
	}
	/* The reaper's nice (reaper()), set before the service can look at
	 * it. Signals still blocked (child_main): a stop sent during the
	 * set-up is pending, for the reaper to forward. */
	setpriority(PRIO_PROCESS, 0, 0);
	svc = make_service(&a);
	if (svc < 0)
		child_fail(err_fd, "fork the service");
	/* Only the service holds these now: its exec closes them. */
	close(err_fd);
	close(io->out_fd);
	close(io->err_fd);
	close_fail(io->ready_fd);
	reaper(svc, sync_fd);
}

/* In the sandbox's first process, in PID 1's user namespace: the namespaces the mounts need, the mounts, the user namespace
 * and what belongs to it, then the service. */
static void __attribute__((noreturn, noinline))
child_main(const struct svc_conf *s, const struct spawn_io *io,
	   int tmpl, int sync_fd, int net_fd, int err_fd)
{
	const char *step = "set up";
	int proc = -1, overlay = s->namespaces & NS_MOUNT && s->readonly == RO_OVERLAY;
	char b;
	sigset_t all;

	/* Every signal blocked (PID 1's are by signalfd; all of them here) until
	 * the service or its reaper is there to take one (child_start): as init
	 * of its pid namespace, unblocked and at SIG_DFL, this process would
	 * have a stop dropped by the kernel. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (io->join_pid)
		child_join(s, io, tmpl, err_fd);
	else
		proc = child_net(s, net_fd, err_fd);
	/* (its lower layer idmapped through the user namespace it runs in:
	 * its own, or its pod's) */
	if (overlay && mnt_overlay_make(s, spawn_userns_fd, io->root_id, io->id_count, &step) < 0)
		child_fail(err_fd, step);
	/* A helper of either (the user namespace's, the overlay's) took the
	 * service's pid (SPEC §6). */
	if (s->namespaces & NS_PID && (proc >= 0 || overlay)) {
		step = "reset its ns_last_pid";
		if ((proc < 0 && (proc = mnt_proc_open()) < 0) || spawn_ns_pid_reset(proc) < 0)
			child_fail(err_fd, step);
	}
	mnt_set_proc(proc);
	if (spawn_userns_fd >= 0 && mount_identity(io->root_id) < 0)
		child_fail(err_fd, "take its identity for its mounts");
	mnt_set_ids(io->root_id, io->id_count);
	if (s->namespaces & NS_MOUNT &&
	    (tmpl >= 0 ? mnt_sandbox_in_template(s, io->syslog_fd, &step) :
			 mnt_sandbox(s, io->syslog_fd, &step)) < 0)
		child_fail(err_fd, step);
	enter_userns(s, s->namespaces & (io->join_pid ? NS_CGROUP : NS_UTS | NS_IPC | NS_CGROUP),
		     err_fd);
	/* PID 1 releases us a second time once the links are made. */
	if (net_fd >= 0 && read_retry(sync_fd, &b, 1) != 1)
		_exit(127);	/* PID 1 gave up on us */
	close_fail(net_fd);
	child_start(s, io, sync_fd, err_fd);
}

/* The mount templates (mount.h: read-only, and writable for `readonly
 * no`), PID 1's own mount namespace, and PID 1's mountinfo, whose POLLPRI
 * says PID 1's mounts changed since the templates were made from them. */
static int tmpl_fds[2] = { -1, -1 }, self_mnt = -1, mountinfo = -1;
static int tmpl_broken;

/* The template (RW: the writable one), made now if there is none or PID
 * 1's mounts changed; -1 if it cannot be made (said once; every sandbox then
 * builds its own view). */
__attribute__((noinline)) static int mount_template(int rw)
{
	struct pollfd p = { .fd = mountinfo, .events = POLLPRI };
	const char *step = "enter a new mount namespace";
	int fd = -1, r = -1, e;

	if (tmpl_broken)
		return -1;
	if (self_mnt < 0) {
		self_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		mountinfo = p.fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
		if (self_mnt < 0 || mountinfo < 0)
			goto broken;
	}
	/* (a poll that reports the change also clears it: both go) */
	if (poll(&p, 1, 0) > 0) {
		for (int i = 0; i < 2; i++) {
			close_fail(tmpl_fds[i]);
			tmpl_fds[i] = -1;
		}
	}
	if (tmpl_fds[rw] >= 0)
		return tmpl_fds[rw];
	/* Made by PID 1 itself, in a copy of its mount namespace it leaves
	 * at once: no helper process to wait for. */
	if (unshare(CLONE_NEWNS) == 0) {
		fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		r = fd < 0 ? -1 : mnt_template(rw, &step);
		e = errno;
		if (setns(self_mnt, CLONE_NEWNS) < 0)
			boot_unable("return to its mount namespace");
		errno = e;
	}
	if (r == 0)
		return tmpl_fds[rw] = fd;
	log_msg("mount template: unable to %s: %m", step);	/* (sandinit.8) */
	close_fail(fd);
broken:
	close_fail(self_mnt);
	close_fail(mountinfo);
	self_mnt = mountinfo = -1;
	tmpl_broken = 1;
	return -1;
}

static pid_t clone_into(unsigned long long flags, int cgroup_fd)
{
	struct clone_args args = {
		.flags = flags,
		.exit_signal = SIGCHLD,
	};
	long r;

	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (unsigned long long)cgroup_fd;
	}
	r = syscall(SYS_clone3, &args, sizeof(args));
	if (r < 0 && errno == ENOSYS && cgroup_fd < 0)
		r = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
	return (pid_t)r;
}

/* The descriptors between PID 1 and a child: the sync socket (the release
 * once its links are made; the reaper's report), the status pipe, the net
 * socket. */
struct spawn_fds {
	int sync[2], err[2], net[2];
};

/* (errno kept: close_fail) */
static void fds_close(struct spawn_fds *f)
{
	for (int i = 0; i < 2; i++) {
		close_fail(f->sync[i]);
		close_fail(f->err[i]);
		close_fail(f->net[i]);
	}
}

/* PID 1 reads the status pipe and the net socket (LINKED) from its loop:
 * non-blocking (a stale event must not block it); the child's writes are
 * a few bytes into an empty pipe. The child blocks on the sync socket. */
static int fds_open(struct spawn_fds *f, int linked)
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->sync) < 0 ||
	       pipe2(f->err, O_CLOEXEC | O_NONBLOCK) < 0 ||
	       (linked && (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f->net) < 0 ||
			   fcntl(f->net[0], F_SETFL, O_NONBLOCK) < 0)) ? -1 : 0;
}

/* In PID 1 before S's clone: what S binds, taken from PID 1's mounts while
 * it is in them, and the template S's view starts from (*TMPL, -1 if
 * none), entered: CLONE_NEWNS copies its few mounts, not PID 1's. A pod
 * member enters it itself, once it has opened the pod's namespaces
 * (child_join). -1 with errno and *STEP. */
static int mounts_before(const struct svc_conf *s, const struct spawn_io *io, int *tmpl,
			 const char **step)
{
	int resolv = -1;

	*tmpl = -1;
	if (!(s->namespaces & NS_MOUNT))
		return 0;
	*tmpl = mnt_fits_template(s) ? mount_template(!s->readonly) : -1;
	if (mnt_prepare(s, tty_fd, step) < 0)
		return -1;
	*step = "copy the resolv.conf mount";
	if (io->resolv && (resolv = mnt_clone_file(io->resolv)) < 0)
		return -1;
	mnt_set_resolv(resolv);
	if (*tmpl >= 0 && !io->join_pid && setns(*tmpl, CLONE_NEWNS) < 0)
		*tmpl = -1;
	return 0;
}

/* In PID 1 after the clone: the copies closed (the child has its own),
 * back in its own mount namespace. */
static void mounts_after(const struct spawn_io *io, int tmpl)
{
	int e = errno;

	mnt_release();
	if (tmpl >= 0 && !io->join_pid && setns(self_mnt, CLONE_NEWNS) < 0)
		boot_unable("return to its mount namespace");
	errno = e;
}

/* What clone(2) with FLAGS failing means: "create its namespaces" with
 * spawn_ns_step's hints (ENOSPC: a namespace count limit; EINVAL, EPERM:
 * a kind the kernel lacks or refuses). */
static const char *clone_step(unsigned long long flags)
{
	return flags ? spawn_ns_step(0, errno) : "clone";
}

/* (noinline: smaller than LTO's two inlined copies) */
__attribute__((noinline)) static void tty_close(void)
{
	tty_fd = close_fail(tty_fd);
}

int spawn_service(const struct svc_conf *s,
		  const struct spawn_io *io, struct spawn_child *out,
		  const char **step)
{
	/* A pod member enters or makes every one itself (child_join). */
	unsigned long long flags = io->join_pid ? 0 : spawn_ns_flags(s->namespaces & ~NS_BY_CHILD);
	int linked = s->namespaces & NS_NET && s->nnets && !io->join_pid;
	struct spawn_fds f = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	int tmpl = -1;
	pid_t pid;

	*step = "open its tty";
	if (s->tty && (tty_fd = open_tty(s->tty)) < 0)
		return -1;
	out->vt = 0;
	if (tty_fd >= 0 && vt_start(tty_fd, s->tty_graphics, &out->vt, step) < 0)
		goto fail;
	*step = "create pipes";
	if (fds_open(&f, linked) < 0 || mounts_before(s, io, &tmpl, step) < 0)
		goto fail;
	pid = clone_into(flags, io->cgroup_fd);
	if (pid == 0) {
		close(f.sync[1]);
		close(f.err[0]);
		if (linked)
			close(f.net[0]);
		child_main(s, io, tmpl, f.sync[0], f.net[1], f.err[1]);
	}
	mounts_after(io, tmpl);
	if (pid < 0) {
		*step = clone_step(flags);
		goto fail;
	}
	tty_close();
	out->pid = pid;
	out->status_fd = f.err[0];
	out->net_fd = f.net[0];
	out->sync_fd = linked || s->namespaces & NS_PID ? f.sync[1] : -1;
	f.err[0] = f.net[0] = -1;
	if (out->sync_fd >= 0)
		f.sync[1] = -1;
	fds_close(&f);
	return 0;
fail:
	mnt_release();
	tty_close();
	fds_close(&f);
	return -1;
}

/* PID's pid in its own (innermost) pid namespace: the last of NSpid in
 * proc(5)'s /proc/PID/status; 0 if unknown. */
__attribute__((noinline)) static pid_t inner_pid(pid_t pid)
{
	char path[64], buf[2048], *l;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_str(path, buf, sizeof(buf)) <= 0 || !(l = strstr(buf, "\nNSpid:")))
		return 0;
	l[strcspn(l + 1, "\n") + 1] = 0;
	l = strrchr(l, '\t');
	return l ? (pid_t)atoi(l + 1) : 0;
}

/* The child of PID that is NSPID in its own pid namespace, or 0. */
pid_t spawn_child_at(pid_t pid, pid_t nspid)
{
	char path[64], buf[512];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	n = read_str(path, buf, sizeof(buf));
	/* Oldest first: the one sought was made before any orphan came. Only
	 * whole numbers (followed by a space) count, not a truncated one. */
	for (const char *p = buf, *end; n > 0 && *p; p = end + 1) {
		uint64_t c;

		if (conf_digits(p, &end, INT32_MAX, &c) < 0 || *end != ' ')
			break;
		if (inner_pid((pid_t)c) == nspid)
			return (pid_t)c;
	}
	return 0;
}

pid_t spawn_service_pid(const struct svc_conf *s, pid_t first)
{
	pid_t reaper = first, svc;

	if (!(s->namespaces & NS_PID))
		return first;
	/* A pod member's first process made the pid namespace (unshare) and
	 * forked its reaper into it (child_main). */
	if (s->join >= 0)
		reaper = spawn_child_at(first, 1);
	svc = reaper ? spawn_child_at(reaper, 2) : 0;
	return svc ? svc : first;
}

int spawn_link(const struct conf *c, const struct svc_conf *s,
	       int release_fd, int netns_fd, int nl_fd, const char **step)
{
	if (net_attach(c, s, netns_fd, nl_fd, step) < 0)
		return -1;
	*step = "release the child";
	if (write_all(release_fd, "x", 1) < 0)
		return errno == EPIPE ? -2 : -1;	/* -2: it has exited meanwhile */
	return 0;
}

int spawn_exit_status(const struct svc_conf *s, int status, int sync_fd)
{
	int st;

	/* Taken only if it agrees with the reaper's own exit: a report is
	 * no more than which of the two a status of 129 to 192 was. */
	if (!(s->namespaces & NS_PID) || sync_fd < 0 || !WIFEXITED(status) ||
	    recv(sync_fd, &st, sizeof(st), MSG_DONTWAIT) != (ssize_t)sizeof(st) ||
	    (exit_code(st) & 0xff) != WEXITSTATUS(status))
		return status;
	return st;
}
