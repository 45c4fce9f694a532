/* seccomp_test: the default filter, installed in a child, refuses what SPEC
 * §3 lists and lets ordinary calls through. Every refused call is made with
 * arguments that would fail harmlessly if the filter let it through. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../init/seccomp.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

static int passed, failed;

static void expect(const char *what, long r, int want)
{
	int e = r < 0 ? errno : 0;

	if (e == want) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s: got %s, want %s\n", what, e ? strerror(e) : "success",
		       want ? strerror(want) : "success");
	}
}

static void run(void)
{
	struct timespec ts = { 0, 0 };
	pid_t p;
	int st;

	expect("getpid", syscall(SYS_getpid), 0);
	expect("reboot", syscall(SYS_reboot, 0, 0, 0, NULL), EPERM);
	expect("init_module", syscall(SYS_init_module, NULL, 0, ""), EPERM);
	expect("finit_module", syscall(SYS_finit_module, -1, "", 0), EPERM);
	expect("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, ~0UL), EPERM);
	expect("keyctl", syscall(SYS_keyctl, -1, 0, 0, 0, 0), EPERM);
	expect("add_key", syscall(SYS_add_key, NULL, NULL, NULL, 0, 0), EPERM);
	expect("ptrace", syscall(SYS_ptrace, -1, 0, 0, 0), EPERM);
	expect("process_vm_readv", syscall(SYS_process_vm_readv, 0, NULL, 0, NULL, 0, 0), EPERM);
	expect("clock_settime", syscall(SYS_clock_settime, -1, NULL), EPERM);
	expect("settimeofday", syscall(SYS_settimeofday, NULL, NULL), EPERM);
	expect("bpf", syscall(SYS_bpf, -1, NULL, 0), EPERM);
	expect("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, 0, 0, 0), EPERM);
	expect("swapon", syscall(SYS_swapon, NULL, 0), EPERM);
	expect("userfaultfd", syscall(SYS_userfaultfd, -1), EPERM);
	expect("unshare(CLONE_NEWUSER)", syscall(SYS_unshare, CLONE_NEWUSER), EPERM);
	expect("unshare(CLONE_NEWUSER|CLONE_NEWNS)", syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS), EPERM);
	expect("unshare(0)", syscall(SYS_unshare, 0), 0);
	expect("clone(CLONE_NEWUSER)", syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), EPERM);
	expect("clone3", syscall(SYS_clone3, NULL, 0), ENOSYS);
	expect("clock_gettime", syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts), 0);
#ifdef __x86_64__
	expect("x32 getpid", syscall(0x40000000 | SYS_getpid), EPERM);
#endif
	/* fork still works: musl and glibc use clone without CLONE_NEWUSER. */
	p = fork();
	if (p == 0)
		_exit(7);
	expect("fork", p < 0 ? -1 : waitpid(p, &st, 0), 0);
	expect("fork status", p > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : (errno = EINVAL, -1), 0);
}

int main(void)
{
	int pipe_fd[2], st, res[2] = { 0, 1 };
	pid_t pid;

	if (seccomp_build() < 0 || pipe(pipe_fd) < 0) {
		perror("seccomp_test");
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		close(pipe_fd[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 || seccomp_install() < 0) {
			perror("seccomp_test: install");
			_exit(1);
		}
		run();
		res[0] = passed;
		res[1] = failed;
		if (write(pipe_fd[1], res, sizeof res) != sizeof res)
			_exit(1);
		fflush(stdout);
		_exit(0);
	}
	close(pipe_fd[1]);
	if (pid < 0 || read(pipe_fd[0], res, sizeof res) != sizeof res || waitpid(pid, &st, 0) < 0 ||
	    !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("FAIL the child died\n");
		res[1]++;
	}
	printf("%d passed, %d failed\n", res[0], res[1]);
	return res[1] != 0;
}
