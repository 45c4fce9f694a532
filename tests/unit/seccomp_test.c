/* seccomp_test: the default filter refuses what SPEC §3 lists, lets
 * ordinary calls through and kills every ABI but the build's own (SPEC §9).
 *   seccomp_test       both halves below
 *   seccomp_test bpf   the first only: QEMU user mode (how another board's
 *                      build runs here) refuses to install seccomp filters
 * 1. The program as built, run by a small classic-BPF evaluator on made-up
 *    seccomp_data: this architecture's calls, another architecture's (the
 *    compat ABI: i386 on x86_64, AArch32 on aarch64), x32's.
 * 2. The filter installed in a child, which makes the calls for real, each
 *    with arguments that would fail harmlessly if the filter let it
 *    through; and a foreign ABI's call in children of their own, which the
 *    kernel must kill (and which live on without the filter). */
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

/* The program itself (prog, prog_len), for the evaluator. */
#include "../../init/seccomp.c"

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

/* A child's status ST (-1: it could not be made or waited for): a normal
 * exit (SIG 0) or killed by SIG. */
static void expect_end(const char *what, int st, int sig)
{
	if (st >= 0 && (sig ? WIFSIGNALED(st) && WTERMSIG(st) == sig
			    : WIFEXITED(st) && !WEXITSTATUS(st))) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s: status %#x, want %s\n", what, (unsigned)st,
		       sig ? "killed by SIGSYS" : "a normal exit");
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
	/* fork still works: musl and glibc use clone without CLONE_NEWUSER. */
	p = fork();
	if (p == 0)
		_exit(7);
	expect("fork", p < 0 ? -1 : waitpid(p, &st, 0), 0);
	expect("fork status", p > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : (errno = EINVAL, -1), 0);
}

/* ---- 1. the evaluator ---- */

#define BPF_BAD 0xdeadbeefu

/* Classic BPF as the kernel runs a seccomp filter, for the instructions
 * seccomp.c emits; anything else is BPF_BAD. */
static uint32_t bpf_run2(uint32_t arch, uint32_t nr, uint64_t arg0, uint64_t arg1)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = arch, .args = { arg0, arg1 } };
	unsigned pc = 0;
	uint32_t a = 0;

	while (pc < prog_len) {
		const struct sock_filter *f = &prog[pc++];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k % 4 || f->k > sizeof d - 4)
				return BPF_BAD;
			memcpy(&a, (const char *)&d + f->k, 4);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += a & f->k ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			return BPF_BAD;
		}
	}
	return BPF_BAD;
}

static uint32_t bpf_run(uint32_t arch, uint32_t nr, uint64_t arg0)
{
	return bpf_run2(arch, nr, arg0, 0);
}

static void verdict(const char *what, uint32_t got, uint32_t want)
{
	if (got == want) {
		passed++;
	} else {
		failed++;
		printf("FAIL bpf %s: got %#x, want %#x\n", what, got, want);
	}
}

#define EPERM_RET (SECCOMP_RET_ERRNO | EPERM)
#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)
#define KILL_RET SECCOMP_RET_KILL_PROCESS

static void run_bpf(void)
{
	verdict("getpid", bpf_run(SB_ARCH, SYS_getpid, 0), SECCOMP_RET_ALLOW);
	verdict("read", bpf_run(SB_ARCH, SYS_read, 0), SECCOMP_RET_ALLOW);
	verdict("reboot", bpf_run(SB_ARCH, SYS_reboot, 0), EPERM_RET);
	verdict("init_module", bpf_run(SB_ARCH, SYS_init_module, 0), EPERM_RET);
	verdict("kexec_load", bpf_run(SB_ARCH, SYS_kexec_load, 0), EPERM_RET);
	verdict("bpf", bpf_run(SB_ARCH, SYS_bpf, 0), EPERM_RET);
	verdict("ptrace", bpf_run(SB_ARCH, SYS_ptrace, 0), EPERM_RET);
	verdict("open_by_handle_at", bpf_run(SB_ARCH, SYS_open_by_handle_at, 0), EPERM_RET);
	verdict("clone", bpf_run(SB_ARCH, SYS_clone, SIGCHLD), SECCOMP_RET_ALLOW);
	verdict("clone(CLONE_NEWUSER)", bpf_run(SB_ARCH, SYS_clone, CLONE_NEWUSER | SIGCHLD), EPERM_RET);
	verdict("unshare(CLONE_NEWUSER)", bpf_run(SB_ARCH, SYS_unshare, CLONE_NEWUSER), EPERM_RET);
	verdict("clone3", bpf_run(SB_ARCH, SYS_clone3, 0), ENOSYS_RET);
	verdict("pidfd_getfd", bpf_run(SB_ARCH, SYS_pidfd_getfd, 0), EPERM_RET);
	verdict("io_uring_setup", bpf_run(SB_ARCH, SYS_io_uring_setup, 0), EPERM_RET);
	verdict("ioctl(TIOCSTI)", bpf_run2(SB_ARCH, SYS_ioctl, 0, SB_TIOCSTI), EPERM_RET);
	verdict("ioctl(TIOCGWINSZ)", bpf_run2(SB_ARCH, SYS_ioctl, 0, 0x5413), SECCOMP_RET_ALLOW);
	/* The other ABIs, with a call this one allows: killed by arch. */
#ifdef __x86_64__
	verdict("i386 getpid", bpf_run(AUDIT_ARCH_I386, 20, 0), KILL_RET);
	verdict("x32 getpid", bpf_run(SB_ARCH, 0x40000000 | SYS_getpid, 0), KILL_RET);
	verdict("aarch64 getpid", bpf_run(AUDIT_ARCH_AARCH64, 172, 0), KILL_RET);
#else
	verdict("x86_64 getpid", bpf_run(AUDIT_ARCH_X86_64, 39, 0), KILL_RET);
#endif
#ifdef __aarch64__
	verdict("AArch32 getpid", bpf_run(AUDIT_ARCH_ARM, 20, 0), KILL_RET);
	verdict("AArch32 reboot", bpf_run(AUDIT_ARCH_ARM, 88, 0), KILL_RET);
#endif
}

/* ---- 2. the kernel, foreign ABIs ---- */

#ifdef __x86_64__
/* In a child, with the filter (or, as the control, without), make x32's
 * getpid. Returns the child's wait status. (i386's int $0x80 is left to the
 * evaluator: kernels may run without the IA-32 emulation, and then the
 * call faults before seccomp sees it.) */
static int x32_getpid(int filtered)
{
	pid_t p;
	int st = 0;

	fflush(stdout);
	p = fork();
	if (p == 0) {
		if (filtered && (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 || seccomp_install() < 0))
			_exit(3);
		syscall(0x40000000 | SYS_getpid);
		_exit(0);
	}
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return -1;
	return st;
}

static void run_foreign(void)
{
	expect_end("x32 getpid without the filter", x32_getpid(0), 0);
	expect_end("x32 getpid", x32_getpid(1), SIGSYS);
}
#else
/* aarch64: an AArch64 process cannot make an AArch32 call; the QEMU tier
 * runs a 32-bit binary in a sandbox (tests/qemu_aarch64.bats). */
static void run_foreign(void)
{
}
#endif

/* seccomp_allow_only (the DHCP helper's second stage): in a child, a call
 * on the list goes through, one off it kills. */
static int allow_only_child(int call_getppid)
{
	static const int nrs[] = { SYS_getpid, SYS_exit_group, SYS_exit };
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 ||
		    seccomp_allow_only(nrs, 3) < 0)
			_exit(2);
		syscall(SYS_getpid);
		if (call_getppid)
			syscall(SYS_getppid);
		syscall(SYS_exit_group, 0);
	}
	return pid < 0 || waitpid(pid, &st, 0) < 0 ? -1 : st;
}

static void run_allow_only(void)
{
	expect_end("allow-only: calls on the list", allow_only_child(0), 0);
	expect_end("allow-only: a call off the list", allow_only_child(1), SIGSYS);
}

int main(int argc, char **argv)
{
	int pipe_fd[2], st, res[2] = { 0, 1 };
	pid_t pid;

	if (seccomp_build() < 0) {
		perror("seccomp_test");
		return 1;
	}
	run_bpf();
	if (argc > 1 && !strcmp(argv[1], "bpf")) {
		printf("%d passed, %d failed (the program only)\n", passed, failed);
		return failed != 0;
	}
	run_foreign();
	run_allow_only();
	if (pipe(pipe_fd) < 0) {
		perror("seccomp_test");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pipe_fd[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 || seccomp_install() < 0) {
			perror("seccomp_test: install");
			_exit(1);
		}
		passed = failed = 0;
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
	printf("%d passed, %d failed\n", passed + res[0], failed + res[1]);
	return failed + res[1] != 0;
}
