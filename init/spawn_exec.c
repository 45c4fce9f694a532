/* spawn_exec: initctl exec's command inside a running service's sandbox
 * (SPEC §5): its cgroup, namespaces, identity and filter, a pty of the
 * sandbox's own when the operator has a terminal. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "pty.h"
#include "spawn_int.h"
#include "util.h"

/* What went wrong, to initctl (our stderr), as "initctl: unable to WHAT:
 * ERRNO", then exit 127. (always_inline: LTO's calls to it were larger
 * than its body) */
static inline void __attribute__((noreturn, always_inline)) exec_fail(const char *what)
{
	dprintf(2, "initctl: unable to %s: %m\n", what);
	_exit(127);
}

/* initctl exec's command, inside the sandbox: S's identity and filter. */
/* (noinline: smaller than LTO's copy inlined in spawn_exec_in) */
static void __attribute__((noreturn, noinline))
exec_command(const struct svc_conf *s, char *const argv[], int tty)
{
	const char *step = "exec";
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	/* A pty of the sandbox's own (pty_open): stdio and controlling
	 * terminal, so that ^C and the window size reach the command. */
	if (tty >= 0 && (dup2(tty, 0) < 0 || dup2(tty, 1) < 0 || dup2(tty, 2) < 0 ||
			 ioctl(0, TIOCSCTTY, 0) < 0))
		exec_fail("take the pty");
	if (chdir(s->workdir ? s->workdir : "/") < 0)
		chdir("/");
	if (spawn_identity(s, &step) < 0)
		exec_fail(step);
	spawn_exec_path(argv, s->envp, s->path);
	int e = errno;

	dprintf(2, "initctl: unable to %s: %m\n", stepf("exec %s", argv[0]));
	/* The shell's convention: 127 not found, 126 found but not run. */
	_exit(e == ENOENT ? 127 : 126);
}

/* Into S's cgroup, with FDS as stdin/out/err and nothing else of PID 1's open.
 * Writing "0" to cgroup.procs moves the writer (cgroups(7)). Opened before
 * close_range, which takes PID 1's cgroup descriptor too; written after dup2,
 * so a failure is reported to initctl. */
static void exec_cgroup_stdio(const struct svc_conf *s, const int fds[3])
{
	int procs = -1, cg = cg_open(s->name);

	if (cg >= 0) {
		procs = openat(cg, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		close(cg);
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			_exit(127);
	if (cg >= 0 && (procs < 0 || write_all(procs, "0", 1) < 0))
		exec_fail(stepf("enter %s's cgroup", s->name));
	syscall(SYS_close_range, 3U, ~0U, 0U);
}

/* SIG to CMD's group; to CMD itself before its setsid() has made the group
 * (ESRCH): its signals are blocked until just then, so one is not lost. */
static void to_group(pid_t cmd, int sig)
{
	if (kill(-cmd, sig) < 0 && errno == ESRCH)
		kill(cmd, sig);
}

/* The middle process waits for CMD, the leader of its own session and
 * process group, and passes on what PID 1 sends it (ctl.c): HUP, INT, QUIT
 * or TERM that initctl got, to CMD's group; USR1 when initctl went away, as
 * a terminal's hangup (what the pty path gets from the kernel when initctl's
 * master closes): HUP and CONT to the group, KILL to what is left of it
 * GRACE_S later, so that nothing started by that exec stays behind. CMD
 * stays a zombie until then: its pid, the group's id, is not reused. */
static int __attribute__((noreturn, noinline)) exec_wait(pid_t cmd, const sigset_t *set, int grace_s)
{
	int64_t end = 0;
	int st, hung = 0;

	for (;;) {
		int64_t ms = hung ? end - now_ms() : 0;
		struct timespec left = { ms > 0 ? ms / 1000 : 0, ms > 0 ? ms % 1000 * 1000000 : 0 };
		siginfo_t si;
		int sig = sigtimedwait(set, &si, hung ? &left : NULL);

		if (sig < 0 && errno == EAGAIN) {
			to_group(cmd, SIGKILL);
			break;
		}
		if (sig == SIGUSR1 && !hung) {
			hung = 1;
			end = now_ms() + (int64_t)grace_s * 1000;
			to_group(cmd, SIGHUP);
			to_group(cmd, SIGCONT);
		} else if (sig > 0 && sig != SIGCHLD && sig != SIGUSR1) {
			to_group(cmd, sig);
		}
		si.si_pid = 0;
		if (!hung && waitid(P_PID, (id_t)cmd, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == cmd)
			break;
	}
	while (waitpid(cmd, &st, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	_exit(exit_code(st));
}

/* The signals the middle process takes (exec_wait). */
static const unsigned char passed[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGCHLD };

pid_t spawn_exec_in(const struct svc_conf *s, pid_t pid, const int fds[3],
		    const struct winsize *pty, char *const argv[], const char **step)
{
	int nsfd[SPAWN_NS_COUNT];
	const char *kind = "";
	sigset_t set;
	pid_t mid, cmd;
	int tty = -1;

	/* A pod member's first process stays in the mount namespace its
	 * sandbox's mounts were made in (child_join): its reaper's is the
	 * sandbox's. */
	if (s->join >= 0 && s->namespaces & NS_PID && (cmd = spawn_child_at(pid, 1)) > 0)
		pid = cmd;
	mid = fork();
	if (mid != 0) {
		*step = "fork";
		return mid;
	}
	/* The middle process: enter the sandbox, then fork so the command is
	 * inside its pid namespace too; wait for it and pass its status on.
	 * It and the command, until execve, hold a copy of PID 1's memory
	 * (every service's env): not dumpable, so that nothing in the sandbox
	 * reads it through /proc (as the reaper). */
	prctl(PR_SET_DUMPABLE, 0);
	/* Blocked from the fork on (PID 1's mask blocks them already), so
	 * none sent before exec_wait is lost: taken there by sigtimedwait. */
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(passed); i++)
		sigaddset(&set, passed[i]);
	sigprocmask(SIG_SETMASK, &set, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	exec_cgroup_stdio(s, fds);
	if (spawn_ns_open(pid, ~0U, 1, nsfd, &kind) < 0)
		exec_fail(stepf("open %s's %s namespace", s->name, kind));
	if (spawn_ns_enter(nsfd, &kind) < 0)
		exec_fail(stepf("enter %s's %s namespace", s->name, kind));
	if (s->namespaces & NS_USER && spawn_ns_root() < 0)
		_exit(127);
	if (pty) {
		/* Made in the sandbox's devpts; initctl gets the master over
		 * the socket that is our stdio, and relays it. */
		int m = pty_open(pty, &tty);

		if (m < 0)
			exec_fail(stepf("make a pty in %s", s->name));
		/* Its user may open it again (/dev/stdin); a root-owned one
		 * still serves it as it is. */
		if (fchown(tty, s->uid, s->gid) < 0)
			errno = 0;
		if (send_fds(0, "p", 1, &m, 1) != 1)
			_exit(127);
		close(m);
	}
	cmd = fork();
	if (cmd == 0)
		exec_command(s, argv, tty);
	if (cmd < 0)
		_exit(127);
	close_fail(tty);
	exec_wait(cmd, &set, s->stop_timeout);
}
