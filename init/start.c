/* start: the program's entry, in place of musl's crt1 and __libc_start_main
 * (issue 15: binary size). musl's start (__init_libc, 0.6 KB with its
 * stages) reads the auxiliary vector for what sandinit does not use: the
 * vDSO (init/mini_sys.c's clock_gettime is the system call), the page size
 * (init/malloc.c asks the kernel for whole pages), AT_RANDOM for the stack
 * protector's canary (nothing linked checks one: tests/build.bats), hwcap,
 * secure mode (PID 1 and initctl are not set-id); the compiler's crtbegin
 * (0.2 KB) registers transactional-memory clones and frame tables there are
 * none of; and .init_array, .fini_array and atexit hold nothing, so exit is
 * _exit (no stdio to flush: init/fmt.c writes each message at once).
 * What is left of musl's start: the environment. No thread pointer: no
 * code linked reads one (no thread, errno is init/pid1.h's, no canary is
 * checked: tests/build.bats), but for the crash-test build's abort, whose
 * raise reads the thread's id (init/mini_sys.c's __init_tls). The
 * Makefile links out/sandinit with -nostartfiles; host builds (glibc) and
 * the unit tests keep their libc's start. */
#include <stdlib.h>
#if !defined(__GLIBC__)
#include <unistd.h>

int main(int argc, char **argv);
void __init_tls(size_t *aux);
_Noreturn void start_c(long *sp);

extern char **__environ;

/* The kernel's initial stack: argc, argv[], NULL, envp[], NULL, auxv. The
 * ABI wants the stack 16-aligned at a call, and the outermost frame marked
 * (a zero frame pointer, and on aarch64 a zero link register). */
#if defined(__x86_64__)
__asm__(".text\n.global _start\n.type _start,@function\n_start:\n"
	"	xor %ebp,%ebp\n"
	"	mov %rsp,%rdi\n"
	"	and $-16,%rsp\n"
	"	call start_c\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n.type _start,%function\n_start:\n"
	"	mov x29,#0\n"
	"	mov x30,#0\n"
	"	mov x0,sp\n"
	"	and sp,x0,#-16\n"
	"	b start_c\n");
#else
#error "init/start.c: no entry for this architecture"
#endif

__attribute__((used, externally_visible)) _Noreturn void start_c(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);

	__environ = argv + argc + 1;
#ifdef SANDINIT_TEST_CRASH
	__init_tls(0);	/* 0.1 KB: only for abort */
#endif
	exit(main(argc, argv));
}

_Noreturn void exit(int status)
{
	_exit(status);
}

/* errno (init/pid1.h), and musl's way to it for its own objects still
 * linked (__syscall_ret's ___errno_location). */
int sandinit_errno;

int *__errno_location(void)
{
	return &sandinit_errno;
}

__attribute__((const)) int *___errno_location(void) __attribute__((alias("__errno_location")));
#endif
