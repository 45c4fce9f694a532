/* mini_sys: the system calls sandinit makes, for the static musl build:
 * syscall() itself, clock_gettime and fork for what musl's pull in (the
 * vDSO lookup, the fork locks), the thread pointer without a TLS image,
 * directory reading on getdents64, and calls that are their system call
 * but for musl's fallbacks for kernels older than sandinit's and its
 * cancellation points (issue 15: binary size). Same contracts; host
 * builds (glibc) keep their libc's. */
#include "mini.h"
#if !defined(__GLIBC__) || defined(MINI_TEST)
/* musl's syscall(2) with its libc's error return (__syscall_ret: -1 and
 * errno), without the stack protector's canary check Debian's libc.a
 * builds it with (every musl wrapper below had one). Six arguments read
 * whatever the caller passed, as musl's does. */
long __syscall_ret(unsigned long r);

/* Defined with seven long parameters under syscall's name (mini_syscall's
 * in the test), not as variadic: the C convention passes a variadic
 * function's integers as any function's on both boards (x86_64's %al,
 * the count of vector registers, is not read), so this reads what the
 * caller passed without va_arg (0.14 KB). No IPA: link-time optimization
 * must not inline it or take its parameters for the callers', who see
 * unistd.h's variadic declaration. */
#define MINI_STR_(x) #x
#define MINI_STR(x) MINI_STR_(x)
long mini_sys7(long n, long a, long b, long c, long d, long e, long f) __asm__(MINI_STR(syscall));

__attribute__((noipa)) long mini_sys7(long n, long a, long b, long c, long d, long e, long f)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;

	__asm__ volatile("syscall" : "+a"(n) : "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b,
		      x2 __asm__("x2") = c, x3 __asm__("x3") = d, x4 __asm__("x4") = e,
		      x5 __asm__("x5") = f;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	n = x0;
#else
#error "mini.c: syscall for x86_64 and aarch64 only"
#endif
	return __syscall_ret((unsigned long)n);
}

/* By the system call: musl's looks the vDSO up first (vdso.lo, its ELF
 * walk: 0.7 KB) to save a syscall PID 1 makes a few times per event. */
int clock_gettime(clockid_t clk, struct timespec *ts)
{
	return (int)syscall(SYS_clock_gettime, clk, ts);
}

/* musl's fork is _Fork plus the atfork handlers and, when threads exist,
 * libc's internal locks (lock_ptc, the rwlocks, __timedwait: 1.5 KB);
 * sandinit registers no handler and has no threads (malloc.c). _Fork
 * blocks signals around the call (for a handler in the child before the
 * next line) and takes __abort_lock (__lock: 0.6 KB with it), to set the
 * child's struct pthread's tid and thread list: sandinit reads neither
 * (no raise, pthread_kill or thread; errno is not there: init/pid1.h), and
 * the kernel restarts a fork a signal interrupts. So the system call. */
pid_t fork(void)
{
	return (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
}

/* init/start.c calls this in the crash-test build only (tests/crash.bats'
 * abort), the release binary reads no thread pointer. musl's start
 * (__init_libc) calls __init_tls for the main thread's
 * thread pointer: its static_init_tls places the program's TLS image
 * (PT_TLS) and the thread's struct pthread in a static buffer (0.7 KB).
 * sandinit has no thread-local variables (tests/build.bats: no TLS
 * segment), so the struct alone, here; musl's __init_tp sets it up as for
 * any thread (self, the thread pointer: %fs on x86_64, tpidr_el0 above
 * the struct on aarch64; tid, locale, list links). musl's raise reads
 * the thread's id from it (the test build's abort); errno is not in it
 * (init/pid1.h) and no code linked checks a canary. 512 B hold musl
 * 1.2's struct (200 B on both boards). */
int __init_tp(void *p);
void __init_tls(size_t *aux);

void __init_tls(size_t *aux)
{
	static _Alignas(16) unsigned char tcb[512];

	(void)aux;
	__init_tp(tcb);
}

/* musl's clone, without the canary check of Debian's libc.a: its __clone
 * (assembly) does the work. With it and poll (aarch64's had one) no code
 * sandinit links has a canary check: __stack_chk_fail's object and its
 * __init_ssp (which sets the canary from AT_RANDOM) are left out, and
 * musl's start calls its empty weak one. */
int __clone(int (*fn)(void *), void *stack, int flags, void *arg, ...);

int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	void *a[3];

	va_start(ap, arg);
	for (int i = 0; i < 3; i++)
		a[i] = va_arg(ap, void *);
	va_end(ap);
	return (int)__syscall_ret((unsigned long)__clone(fn, stack, flags, arg, a[0], a[1], a[2]));
}

/* What follows is the system call alone. musl's add fallbacks for kernels
 * before 2.6.27 (no SOCK_CLOEXEC, pipe2, dup3, epoll_create1, accept4,
 * F_DUPFD_CLOEXEC; sandinit needs clone3: 5.3), or for its threads (a dup3
 * retried on EBUSY), 1.3 KB in all. */
/* fcntl, open, openat, ioctl and prctl: defined with all their parameters
 * under their names, as syscall() is (above), not as variadic: the calls
 * pass the optional ones where named ones go, and an absent one is read
 * as whatever its register holds, which the system call ignores for that
 * command (no va_arg: 0.2 KB). */
int mini_fcntl3(int fd, int cmd, unsigned long arg) __asm__(MINI_STR(fcntl));

__attribute__((noipa)) int mini_fcntl3(int fd, int cmd, unsigned long arg)
{
	return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

int socket(int domain, int type, int proto)
{
	return (int)syscall(SYS_socket, domain, type, proto);
}

int socketpair(int domain, int type, int proto, int fds[2])
{
	return (int)syscall(SYS_socketpair, domain, type, proto, fds);
}

int accept4(int fd, struct sockaddr *restrict a, socklen_t *restrict len, int flags)
{
	return (int)syscall(SYS_accept4, fd, a, len, flags);
}

int pipe2(int fds[2], int flags)
{
	return (int)syscall(SYS_pipe2, fds, flags);
}

int dup3(int old, int new, int flags)
{
	return (int)syscall(SYS_dup3, old, new, flags);
}

/* musl's retries on EBUSY, which only a thread's racing open returns. On
 * aarch64 (no dup2) dup3 refuses OLD == NEW: then dup2 is OLD if it is
 * open. */
int dup2(int old, int new)
{
#ifdef SYS_dup2
	return (int)syscall(SYS_dup2, old, new);
#else
	if (old == new)
		return fcntl(old, F_GETFD) < 0 ? -1 : old;
	return dup3(old, new, 0);
#endif
}

int epoll_create1(int flags)
{
	return (int)syscall(SYS_epoll_create1, flags);
}

int epoll_ctl(int fd, int op, int target, struct epoll_event *ev)
{
	return (int)syscall(SYS_epoll_ctl, fd, op, target, ev);
}

int epoll_wait(int fd, struct epoll_event *ev, int n, int ms)
{
	return (int)syscall(SYS_epoll_pwait, fd, ev, n, ms, 0, 0);
}

/* On 64-bit the kernel's msg_iovlen and msg_controllen (and a control
 * message's cmsg_len) are size_t, musl's an int and a padding int: musl's
 * copy the msghdr to zero its padding, and sendmsg the control messages
 * too (0.5 KB). sandinit's callers build each msghdr with an initializer
 * and its control buffer zeroed, so the padding is zero; were it not, the
 * kernel would refuse a sendmsg (EMSGSIZE, ENOBUFS or EINVAL), and
 * recvmsg zeroes it itself: a larger msg_controllen than the buffer's
 * would let the kernel write past it. */
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return syscall(SYS_sendmsg, fd, msg, flags);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
#if LONG_MAX > INT_MAX
	msg->__pad1 = msg->__pad2 = 0;
#endif
	return syscall(SYS_recvmsg, fd, msg, flags);
}

/* sigaction as its system call, with musl's restorer (rt_sigreturn) and
 * musl's refusal of its threads' signals (32 to 34): musl's also holds a
 * lock against a concurrent abort() and unblocks those signals when the
 * first handler is set, for threads sandinit does not have (0.5 KB). The
 * kernel's struct on both boards: handler, flags, restorer, 64-bit mask. */
void __restore_rt(void);

int sigaction(int sig, const struct sigaction *restrict sa, struct sigaction *restrict old)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} k, ko;
	int r;

	if ((unsigned)sig - 32 < 3) {
		errno = EINVAL;
		return -1;
	}
	if (sa) {
		k.handler = sa->sa_handler;
		k.flags = (unsigned)sa->sa_flags | SA_RESTORER;
		k.restorer = __restore_rt;
		memcpy(&k.mask, &sa->sa_mask, sizeof(k.mask));
	}
	r = (int)syscall(SYS_rt_sigaction, sig, sa ? &k : NULL, old ? &ko : NULL, sizeof(k.mask));
	if (old && !r) {
		old->sa_handler = ko.handler;
		old->sa_flags = (int)ko.flags;
		memcpy(&old->sa_mask, &ko.mask, sizeof(ko.mask));
	}
	return r;
}

/* open and openat read the mode whatever the flags (the kernel uses it
 * only with O_CREAT or O_TMPFILE); musl's set FD_CLOEXEC again for kernels
 * without O_CLOEXEC. */
int mini_open3(const char *path, int flags, unsigned mode) __asm__(MINI_STR(open));
int mini_openat4(int fd, const char *path, int flags, unsigned mode) __asm__(MINI_STR(openat));

__attribute__((noipa)) int mini_open3(const char *path, int flags, unsigned mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

__attribute__((noipa)) int mini_openat4(int fd, const char *path, int flags, unsigned mode)
{
	return (int)syscall(SYS_openat, fd, path, flags, mode);
}

/* musl's fall back to /proc/self/fd/N for an O_PATH descriptor, which
 * kernels before 3.5 refused. */
int fchdir(int fd)
{
	return (int)syscall(SYS_fchdir, fd);
}

int fchown(int fd, uid_t u, gid_t g)
{
	return (int)syscall(SYS_fchown, fd, u, g);
}

/* Into the caller's buffer only (sandinit has no getcwd(NULL, 0)); musl's
 * ENOENT for a directory outside the root ("(unreachable)/..."). */
char *getcwd(char *buf, size_t size)
{
	if (syscall(SYS_getcwd, buf, size) < 0)
		return NULL;
	if (buf[0] != '/') {
		errno = ENOENT;
		return NULL;
	}
	return buf;
}

int mini_ioctl3(int fd, int req, void *arg) __asm__(MINI_STR(ioctl));

__attribute__((noipa)) int mini_ioctl3(int fd, int req, void *arg)
{
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

int isatty(int fd)
{
	struct winsize w;

	if (!ioctl(fd, TIOCGWINSZ, &w))
		return 1;
	if (errno != EBADF)
		errno = ENOTTY;
	return 0;
}

int mini_prctl5(int op, unsigned long a, unsigned long b, unsigned long c, unsigned long d)
	__asm__(MINI_STR(prctl));

__attribute__((noipa)) int mini_prctl5(int op, unsigned long a, unsigned long b, unsigned long c,
				       unsigned long d)
{
	return (int)syscall(SYS_prctl, op, a, b, c, d);
}

/* sandinit's buffers are never empty: musl's turns a size of 0 into a
 * one-byte buffer (the system call refuses 0 with EINVAL). */
ssize_t readlinkat(int fd, const char *restrict path, char *restrict buf, size_t size)
{
	return syscall(SYS_readlinkat, fd, path, buf, size);
}

ssize_t readlink(const char *restrict path, char *restrict buf, size_t size)
{
	return readlinkat(AT_FDCWD, path, buf, size);
}

/* musl's falls back to signalfd(2) and fcntl for kernels before 2.6.27;
 * the kernel's mask is 8 bytes (_NSIG / 8). */
int signalfd(int fd, const sigset_t *set, int flags)
{
	return (int)syscall(SYS_signalfd4, fd, set, 8, flags);
}

/* The kernel refuses a stack below its MINSIGSTKSZ as musl's does (ENOMEM),
 * and takes SS_ONSTACK, which musl's refuses (sandinit passes no flag). */
int sigaltstack(const stack_t *restrict ss, stack_t *restrict old)
{
	return (int)syscall(SYS_sigaltstack, ss, old);
}

/* musl's waits for its threads' pending munmaps before a MAP_FIXED one
 * and refuses a length over PTRDIFF_MAX (the kernel's ENOMEM too); its
 * turning of the kernel's EPERM for an anonymous map into ENOMEM is kept. */
void *mmap(void *a, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = syscall(SYS_mmap, a, len, prot, flags, fd, off);

	if (r == -1 && errno == EPERM && !a && (flags & MAP_ANONYMOUS) && !(flags & MAP_FIXED))
		errno = ENOMEM;
	return (void *)r;
}

int munmap(void *a, size_t len)
{
	return (int)syscall(SYS_munmap, a, len);
}

/* A directory stream on getdents64(2), musl's buffer size: fdopendir
 * takes a descriptor opened O_DIRECTORY | O_CLOEXEC, as sandinit's
 * callers open it (musl's checks it with fstat and F_GETFL and sets
 * FD_CLOEXEC itself; another descriptor's error comes from readdir). */
struct __dirstream {
	int fd, pos, end;
	_Alignas(8) char buf[2048];	/* getdents64 keeps each entry 8-aligned in it */
};

DIR *fdopendir(int fd)
{
	DIR *d = malloc(sizeof(*d));

	if (d) {
		d->fd = fd;
		d->pos = d->end = 0;
	}
	return d;
}

/* At the end NULL and errno as it was; on an error NULL and its errno,
 * but for ENOENT (the directory removed), musl's end. */
struct dirent *readdir(DIR *d)
{
	struct dirent *de;

	if (d->pos >= d->end) {
		int e = errno;
		long n = syscall(SYS_getdents64, d->fd, d->buf, sizeof(d->buf));

		if (n <= 0) {
			if (n < 0 && errno == ENOENT)
				errno = e;
			return NULL;
		}
		d->end = (int)n;
		d->pos = 0;
	}
	de = (void *)(d->buf + d->pos);
	d->pos += de->d_reclen;
	return de;
}

int closedir(DIR *d)
{
	int r = close(d->fd);

	free(d);
	return r;
}

/* musl's cancellation points (__syscall_cp: pthread_cancel's check,
 * for threads sandinit does not have) as the system calls; close keeps
 * musl's EINTR as success (the descriptor is gone either way on Linux)
 * and errno as it was then. */
ssize_t read(int fd, void *buf, size_t n)
{
	return syscall(SYS_read, fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return syscall(SYS_write, fd, buf, n);
}

int close(int fd)
{
	int e = errno;

	if (syscall(SYS_close, fd) && errno != EINTR)
		return -1;
	errno = e;
	return 0;
}

ssize_t recvfrom(int fd, void *restrict buf, size_t n, int flags, struct sockaddr *restrict a,
		 socklen_t *restrict alen)
{
	return syscall(SYS_recvfrom, fd, buf, n, flags, a, alen);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *a, socklen_t alen)
{
	return syscall(SYS_sendto, fd, buf, n, flags, a, alen);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	return (pid_t)syscall(SYS_wait4, pid, status, options, 0);
}

int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	return (int)syscall(SYS_waitid, type, id, info, options, 0);
}

/* aarch64 has ppoll only (musl's converts the timeout as here). */
int poll(struct pollfd *fds, nfds_t n, int ms)
{
#ifdef SYS_poll
	return (int)syscall(SYS_poll, fds, n, ms);
#else
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	return (int)syscall(SYS_ppoll, fds, n, ms >= 0 ? &ts : NULL, NULL, 8);
#endif
}

int pause(void)
{
	return poll(NULL, 0, -1);
}

/* Retried on EINTR, as musl's. */
int sigtimedwait(const sigset_t *restrict set, siginfo_t *restrict si, const struct timespec *restrict ts)
{
	int r;

	do
		r = (int)syscall(SYS_rt_sigtimedwait, set, si, ts, 8);
	while (r < 0 && errno == EINTR);
	return r;
}

/* musl's through pthread_sigmask, which returns the error, and checks HOW
 * as the kernel does; as musl's, the old mask never shows musl's thread
 * signals (32 to 34), nor can sigaddset add them. */
int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	int r = (int)syscall(SYS_rt_sigprocmask, how, set, old, 8);

	if (!r && old)
		*(unsigned long *)(void *)old &= ~0x380000000UL;
	return r;
}

int sigaddset(sigset_t *set, int sig)
{
	unsigned s = (unsigned)sig - 1;

	if (s >= 64 || s - 31 < 3) {
		errno = EINVAL;
		return -1;
	}
	*(unsigned long *)(void *)set |= 1UL << s;
	return 0;
}

/* The rest of musl's wrappers sandinit links, each its one system call
 * (musl's: the same call through __syscall_ret, 24 to 42 B each; these
 * tail-call syscall). The path ones as their *at calls, which aarch64
 * has alone; access's faccessat takes no flags (as access's 0). */
#define CALL(ret, name, params, ...) \
	ret name params \
	{ \
		return (ret)syscall(__VA_ARGS__); \
	}
#ifndef MINI_TEST
CALL(int, kill, (pid_t pid, int sig), SYS_kill, pid, sig)
CALL(pid_t, getpid, (void), SYS_getpid)
CALL(pid_t, getsid, (pid_t pid), SYS_getsid, pid)
CALL(pid_t, setsid, (void), SYS_setsid)
CALL(int, setns, (int fd, int type), SYS_setns, fd, type)
CALL(int, unshare, (int flags), SYS_unshare, flags)
CALL(int, mount, (const char *src, const char *dst, const char *type, unsigned long flags, const void *data),
     SYS_mount, src, dst, type, flags, data)
CALL(int, umount2, (const char *dst, int flags), SYS_umount2, dst, flags)
CALL(int, mkdirat, (int fd, const char *path, mode_t mode), SYS_mkdirat, fd, path, mode)
CALL(int, mkdir, (const char *path, mode_t mode), SYS_mkdirat, AT_FDCWD, path, mode)
CALL(int, unlink, (const char *path), SYS_unlinkat, AT_FDCWD, path, 0)
CALL(int, rmdir, (const char *path), SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR)
CALL(int, chdir, (const char *path), SYS_chdir, path)
CALL(int, chroot, (const char *path), SYS_chroot, path)
CALL(int, access, (const char *path, int mode), SYS_faccessat, AT_FDCWD, path, mode)
CALL(int, chmod, (const char *path, mode_t mode), SYS_fchmodat, AT_FDCWD, path, mode)
CALL(mode_t, umask, (mode_t mode), SYS_umask, mode)
CALL(int, uname, (struct utsname *u), SYS_uname, u)
CALL(int, sethostname, (const char *name, size_t len), SYS_sethostname, name, len)
CALL(int, reboot, (int type), SYS_reboot, 0xfee1dead, 672274793, type)
CALL(int, symlinkat, (const char *target, int fd, const char *path), SYS_symlinkat, target, fd, path)
CALL(int, fchownat, (int fd, const char *path, uid_t u, gid_t g, int flag), SYS_fchownat, fd, path, u, g, flag)
CALL(int, setpriority, (int which, id_t who, int prio), SYS_setpriority, which, who, prio)
CALL(int, setfsuid, (uid_t u), SYS_setfsuid, u)
CALL(int, setfsgid, (gid_t g), SYS_setfsgid, g)
CALL(int, bind, (int fd, const struct sockaddr *a, socklen_t len), SYS_bind, fd, a, len)
CALL(int, getsockname, (int fd, struct sockaddr *restrict a, socklen_t *restrict len), SYS_getsockname, fd, a, len)
CALL(int, setsockopt, (int fd, int level, int name, const void *v, socklen_t len), SYS_setsockopt, fd, level, name, v,
     len)
CALL(int, dup, (int fd), SYS_dup, fd)
#endif

/* musl's emulates AT_SYMLINK_NOFOLLOW through O_PATH and /proc; sandinit
 * passes no flag, and a flag here fails with EINVAL, as the system call
 * (it takes none) would say. */
int fchmodat(int fd, const char *path, mode_t mode, int flag)
{
	if (flag) {
		errno = EINVAL;
		return -1;
	}
	return (int)syscall(SYS_fchmodat, fd, path, mode);
}

/* The stat family: musl's copies the kernel's struct field by field into
 * its own, the same layout on x86_64 and aarch64, and falls back to
 * /proc/self/fd for fstat on an O_PATH descriptor (before Linux 3.6). */
int fstatat(int fd, const char *restrict path, struct stat *restrict st, int flag)
{
	return (int)syscall(SYS_newfstatat, fd, path, st, flag);
}

int fstat(int fd, struct stat *st)
{
	return (int)syscall(SYS_fstat, fd, st);
}

int stat(const char *restrict path, struct stat *restrict st)
{
	return fstatat(AT_FDCWD, path, st, 0);
}

int lstat(const char *restrict path, struct stat *restrict st)
{
	return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}
#endif
