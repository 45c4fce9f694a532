/* seccomp: the default filter of SPEC §3 as classic BPF, built once in PID 1
 * and installed in each service process just before execve. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp.h"
#include "util.h"

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

/* The one ABI a service may use. Every other is killed: i386 on x86_64
 * (int $0x80) and AArch32 on aarch64 come with another AUDIT_ARCH; x32
 * shares x86_64's and sets bit 30 of the number (__X32_SYSCALL_BIT). */
#if defined(__x86_64__)
#define SB_ARCH AUDIT_ARCH_X86_64
#define SB_NR_ABI_BITS 0x40000000
#elif defined(__aarch64__)
#define SB_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp.c: add this architecture's AUDIT_ARCH"
#endif

/* Numbers newer than some libcs' tables; equal on x86_64 and aarch64. */
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#define SYS_io_uring_enter 426
#define SYS_io_uring_register 427
#endif
/* ioctl(2) requests (asm-generic/ioctls.h, x86_64 and aarch64 alike). */
#define SB_TIOCSTI 0x5412
#define SB_TIOCLINUX 0x541C

/* Fail with EPERM. SPEC §3's list first; then calls that are only ever
 * useful to break out (open_by_handle_at, the x86 port I/O calls, uselib).
 * By name: a call this architecture does not have (iopl, ioperm, uselib on
 * aarch64; kexec_file_load where the kernel has none) has no SYS_ name. */
static const unsigned short denied[] = {
	SYS_init_module, SYS_finit_module, SYS_delete_module,
	SYS_kexec_load,
#ifdef SYS_kexec_file_load
	SYS_kexec_file_load,
#endif
	SYS_reboot,
	SYS_swapon, SYS_swapoff, SYS_bpf, SYS_perf_event_open,
	SYS_keyctl, SYS_add_key, SYS_request_key,
	SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev,
	SYS_clock_settime, SYS_clock_adjtime, SYS_settimeofday, SYS_adjtimex,
	SYS_acct, SYS_quotactl, SYS_quotactl_fd, SYS_userfaultfd,
	SYS_open_by_handle_at,
	/* Another process's descriptors; io_uring, whose calls a filter
	 * cannot see. */
	SYS_pidfd_getfd, SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register,
#ifdef SYS_iopl
	SYS_iopl,
#endif
#ifdef SYS_ioperm
	SYS_ioperm,
#endif
#ifdef SYS_uselib
	SYS_uselib,
#endif
};

#define NDENIED (int)ARRAY_SIZE(denied)
#ifdef SB_NR_ABI_BITS
#define HEAD 4	/* arch, its check, nr, the x32 check */
#else
#define HEAD 3
#endif

/* Where each jump leads: the instructions after the denied calls' checks,
 * in the order seccomp_build writes them. Every jump is forward and at
 * most 255 on (classic BPF): the last label is the farthest. */
enum {
	AT_CLONE3 = HEAD + NDENIED, AT_IOCTL_NR, AT_UNSHARE, AT_CLONE,
	L_ARG0, AT_NEWUSER, L_IOCTL, AT_TIOCSTI, AT_TIOCLINUX,
	L_ALLOW, L_EPERM, L_ENOSYS, L_KILL, PROG_LEN,
	L_NEXT = 0,
};
_Static_assert(L_KILL - 1 <= 255, "seccomp: a jump beyond 255 instructions");

static struct sock_filter prog[PROG_LEN];
static unsigned short prog_len;

static void stmt(unsigned short code, uint32_t k)
{
	prog[prog_len++] = (struct sock_filter)BPF_STMT(code, k);
}

/* A jump to the labels JT and JF (L_NEXT: the next instruction). */
static void jump(unsigned short code, uint32_t k, int jt, int jf)
{
	unsigned at = prog_len;

	prog[prog_len++] = (struct sock_filter)BPF_JUMP(code, k, jt ? jt - at - 1 : 0,
							jf ? jf - at - 1 : 0);
}

int seccomp_build(void)
{
	if (prog_len)
		return 0;
	/* A foreign arch means syscall numbers we did not check: kill. */
	stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	jump(BPF_JMP | BPF_JEQ | BPF_K, SB_ARCH, L_NEXT, L_KILL);
	stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef SB_NR_ABI_BITS
	/* x32 calls reach the same kernel code under other numbers. */
	jump(BPF_JMP | BPF_JSET | BPF_K, SB_NR_ABI_BITS, L_KILL, L_NEXT);
#endif
	for (int i = 0; i < NDENIED; i++)
		jump(BPF_JMP | BPF_JEQ | BPF_K, denied[i], L_EPERM, L_NEXT);
	/* clone3's flags are in memory the filter cannot read: ENOSYS makes
	 * musl and glibc fall back to clone, whose flags it can. */
	jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, L_ENOSYS, L_NEXT);
	jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, L_IOCTL, L_NEXT);
	jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, L_ARG0, L_NEXT);
	jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, L_ARG0, L_ALLOW);
	/* L_ARG0: both take the flags in arg 0; CLONE_NEWUSER is in its low
	 * word. */
	stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	jump(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, L_EPERM, L_ALLOW);
	/* L_IOCTL: typing into a terminal (TIOCSTI) or the console's
	 * selection and keyboard (TIOCLINUX). The kernel takes the request
	 * as an unsigned int: the low word of arg 1 (both arches are
	 * little-endian) is all of it. */
	stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
	jump(BPF_JMP | BPF_JEQ | BPF_K, SB_TIOCSTI, L_EPERM, L_NEXT);
	jump(BPF_JMP | BPF_JEQ | BPF_K, SB_TIOCLINUX, L_EPERM, L_ALLOW);
	stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
	stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	return 0;
}

int seccomp_install(void)
{
	struct sock_fprog fp;

	if (!prog_len && seccomp_build() < 0)
		return -1;
	fp.len = prog_len;
	fp.filter = prog;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp);
}

int seccomp_allow_only(const int *nrs, int n)
{
	struct sock_filter f[40];
	struct sock_fprog fp;
	unsigned short len = 0, k;

	if (n > 32) {
		errno = E2BIG;
		return -1;
	}
	f[len++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	/* (the arch's jump lands past every syscall check: on the kill) */
	k = len++;
	f[len++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (int i = 0; i < n; i++)
		if (nrs[i] >= 0)
			f[len++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[i], 0, 0);
	/* Each match jumps to the allow at the end. */
	for (unsigned short i = 3; i < len; i++)
		f[i].jt = (unsigned char)(len + 1 - i - 1);
	f[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SB_ARCH, 0, (unsigned char)(len - k - 1));
	f[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	fp.len = len;
	fp.filter = f;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp);
}
