/* mini_test: init/mini.c's and init/mini_sys.c's strstr (here mini_strstr)
 * against the libc's own, which they replace in out/sandinit: fixed cases,
 * then random needles searched by both; its
 * clock_gettime read between two of the libc's, its fork's child seen
 * exiting by the parent, its system-call wrappers (fcntl, socket...)
 * used as sandinit does, with their flags and errors (sendmsg and recvmsg
 * against the libc's, with descriptors passed), and its byte-at-a-time
 * string functions against the libc's on random strings; its strerror's
 * text for every number as the libc's; its sigaction against the libc's
 * (handlers that return, masks, flags, errors). */
#define MINI_TEST
#include "mini.c"
#include "mini_sys.c"
#undef strstr
#undef strlen
#undef strchrnul
#undef strchr
#undef memchr
#undef strspn
#undef strcspn
#undef strcpy
#undef stpcpy
#undef strncpy
#undef getenv
#undef strerror
#undef clock_gettime
#undef fork
#undef fcntl
#undef socket
#undef socketpair
#undef accept4
#undef pipe2
#undef dup3
#undef epoll_create1
#undef epoll_ctl
#undef epoll_wait
#undef sendmsg
#undef recvmsg
#undef sigaction
#undef fchmodat
#undef fstatat
#undef fstat
#undef stat
#undef lstat
#undef syscall
#undef open
#undef openat
#undef fchdir
#undef fchown
#undef getcwd
#undef ioctl
#undef isatty
#undef prctl
#undef readlink
#undef readlinkat
#undef signalfd
#undef sigaltstack
#undef mmap
#undef munmap
#undef strcmp
#undef strncmp
#undef strcasecmp
#undef strncasecmp
#undef strtok_r
#undef atoi
#undef fdopendir
#undef readdir
#undef closedir
#undef clone
#undef memcmp
#undef memrchr
#undef strrchr
#undef strnlen
#undef strdup
#undef dup2
#undef read
#undef write
#undef close
#undef recvfrom
#undef sendto
#undef waitpid
#undef waitid
#undef poll
#undef pause
#undef sigtimedwait
#undef sigprocmask
#undef sigaddset

#include <stdint.h>
#include <stdio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <dirent.h>
#include <sys/wait.h>
#include "check.h"

static int qemu_user;	/* argv[1] "qemu-user": under QEMU user mode */

/* The wrappers as sandinit calls them: flags taken, errors as -1 and errno. */
static void syscalls(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 }, got[2];
	struct stat st;
	char path[] = "/tmp/mini_test.XXXXXX", b = 0;
	int p[2], sp[2], ep, l, c, s, d, f, e;

	CHECK(mini_pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
	CHECK(mini_fcntl(p[0], F_GETFD) == FD_CLOEXEC);
	CHECK(mini_fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CHECK(mini_fcntl(p[0], F_SETFL, O_RDONLY) == 0);
	CHECK(!(mini_fcntl(p[0], F_GETFL) & O_NONBLOCK));
	CHECK((d = mini_fcntl(p[0], F_DUPFD_CLOEXEC, 10)) >= 10);
	CHECK(mini_fcntl(d, F_GETFD) == FD_CLOEXEC);
	CHECK(mini_dup3(p[1], d, 0) == d);
	CHECK(mini_fcntl(d, F_GETFD) == 0);
	CHECK(mini_dup3(d, d, 0) == -1 && errno == EINVAL);
	CHECK(mini_dup2(d, d) == d);
	CHECK(mini_fcntl(d, F_SETFD, FD_CLOEXEC) == 0);
	CHECK(mini_dup2(p[1], d) == d);
	CHECK(mini_fcntl(d, F_GETFD) == 0);
	CHECK(mini_dup2(999, 999) == -1 && errno == EBADF);
	CHECK(mini_dup2(999, d) == -1 && errno == EBADF);
	CHECK(mini_fcntl(-1, F_GETFD) == -1 && errno == EBADF);

	CHECK((ep = mini_epoll_create1(EPOLL_CLOEXEC)) >= 0);
	CHECK(mini_fcntl(ep, F_GETFD) == FD_CLOEXEC);
	CHECK(mini_epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	CHECK(mini_epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == -1 && errno == EEXIST);
	CHECK(mini_epoll_wait(ep, got, 2, 0) == 0);
	CHECK(write(d, "x", 1) == 1);
	CHECK(mini_epoll_wait(ep, got, 2, 1000) == 1 && got[0].data.u32 == 7);

	CHECK(mini_socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
	CHECK(mini_fcntl(sp[1], F_GETFD) == FD_CLOEXEC);
	CHECK(write(sp[0], "y", 1) == 1 && read(sp[1], &b, 1) == 1 && b == 'y');
	/* a bad type: the libc's error (EINVAL; another under QEMU user mode) */
	CHECK(mini_socket(AF_UNIX, 12345, 0) == -1);
	e = errno;
	CHECK(socket(AF_UNIX, 12345, 0) == -1 && errno == e);
	CHECK((l = mini_socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) >= 0);
	CHECK(mini_fcntl(l, F_GETFL) & O_NONBLOCK);
	CHECK(mini_accept4(l, NULL, NULL, SOCK_CLOEXEC) == -1 && errno == EINVAL);
	snprintf(a.sun_path, sizeof a.sun_path, "@mini_test.%d", (int)getpid());
	a.sun_path[0] = 0;
	CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 1) == 0);
	CHECK(mini_accept4(l, NULL, NULL, SOCK_CLOEXEC) == -1 && errno == EAGAIN);
	CHECK((c = mini_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK((s = mini_accept4(l, NULL, NULL, SOCK_CLOEXEC)) >= 0);
	CHECK(mini_fcntl(s, F_GETFD) == FD_CLOEXEC);

	CHECK((f = mkstemp(path)) >= 0);
	CHECK(mini_fchmodat(AT_FDCWD, path, 0640, 0) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(mini_fchmodat(AT_FDCWD, path, 0600, AT_SYMLINK_NOFOLLOW) == -1 && errno == EINVAL);
	CHECK(mini_fchmodat(AT_FDCWD, "/nonexistent/x", 0600, 0) == -1 && errno == ENOENT);
	unlink(path);
	for (int fd = 3; fd < 64; fd++)
		close(fd);
}

/* The system calls init/mini.c makes without musl's wrappers (and their
 * canary checks): each as sandinit calls it, its result and errno as the
 * libc's where the libc's is the same call. */
static void wrappers(void)
{
	char path[] = "/tmp/mini_test.XXXXXX", link[64], cwd[PATH_MAX], buf[PATH_MAX];
	struct utsname u;
	struct stat st;
	sigset_t set;
	stack_t ss = { 0 }, old;
	static char alt[16384];
	int f, d, e, v = -1;
	void *m;

	CHECK(mini_syscall(SYS_uname, &u) == 0 && u.sysname[0] == 'L');
	CHECK(mini_syscall(SYS_close, -1) == -1 && errno == EBADF);
	CHECK(mini_syscall(SYS_getppid) == getppid());
	CHECK((f = mkstemp(path)) >= 0);
	close(f);
	CHECK((f = mini_open(path, O_RDWR | O_CLOEXEC)) >= 0);
	CHECK(fcntl(f, F_GETFD) == FD_CLOEXEC);
	CHECK(write(f, "x", 1) == 1);
	close(f);
	unlink(path);
	CHECK(mini_open(path, O_RDONLY) == -1 && errno == ENOENT);
	CHECK((f = mini_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0604)) >= 0);
	CHECK(fstat(f, &st) == 0 && (st.st_mode & 0777) == (0604 & ~umask(022)));
	CHECK(mini_fchown(f, getuid(), getgid()) == 0);
	CHECK(mini_fchown(-1, 0, 0) == -1 && errno == EBADF);
	CHECK(mini_isatty(f) == 0 && errno == ENOTTY);
	CHECK(mini_isatty(-1) == 0 && errno == EBADF);
	CHECK(mini_ioctl(f, TIOCGWINSZ, buf) == -1 && errno == ENOTTY);
	CHECK((d = mini_open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0);
	CHECK(mini_openat(d, path + 5, O_WRONLY | O_CREAT | O_EXCL, 0600) == -1 && errno == EEXIST);
	unlink(path);
	CHECK(symlink("target/x", path) == 0);
	CHECK(mini_readlink(path, link, sizeof link) == 8 && !memcmp(link, "target/x", 8));
	CHECK(mini_readlinkat(d, path + 5, link, 3) == 3 && !memcmp(link, "tar", 3));
	CHECK(mini_readlink("/tmp", link, sizeof link) == -1 && errno == EINVAL);
	unlink(path);
	CHECK(getcwd(buf, sizeof buf) != NULL);
	CHECK(mini_getcwd(cwd, sizeof cwd) == cwd && !strcmp(cwd, buf));
	CHECK(mini_getcwd(cwd, 1) == NULL && errno == ERANGE);
	CHECK(mini_fchdir(d) == 0 && mini_getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/tmp"));
	CHECK(mini_fchdir(-1) == -1 && errno == EBADF);
	CHECK(chdir(buf) == 0);
	CHECK(mini_prctl(PR_GET_DUMPABLE) == prctl(PR_GET_DUMPABLE));
	CHECK(mini_prctl(PR_GET_PDEATHSIG, &v) == 0 && v == 0);
	CHECK(mini_prctl(-5) == -1 && errno == EINVAL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK((f = mini_signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) >= 0);
	CHECK(fcntl(f, F_GETFD) == FD_CLOEXEC && (fcntl(f, F_GETFL) & O_NONBLOCK));
	CHECK(read(f, buf, sizeof buf) == -1 && errno == EAGAIN);
	CHECK(mini_signalfd(-1, &set, 0x40) == -1 && errno == EINVAL);
	close(f);
	ss.ss_sp = alt;
	ss.ss_size = sizeof alt;
	CHECK(mini_sigaltstack(&ss, NULL) == 0);
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_sp == alt && old.ss_size == sizeof alt);
	ss.ss_size = 100;
	CHECK(mini_sigaltstack(&ss, NULL) == -1 && errno == ENOMEM);
	ss.ss_flags = SS_DISABLE;
	CHECK(mini_sigaltstack(&ss, NULL) == 0);
	m = mini_mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED && ((char *)m)[8191] == 0);
	CHECK(mini_munmap(m, 8192) == 0);
	CHECK(mini_mmap(NULL, 4096, PROT_READ, MAP_SHARED, -1, 0) == MAP_FAILED && errno == EBADF);
	CHECK(mini_mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1) == MAP_FAILED &&
	      errno == EINVAL);
	e = mini_munmap((void *)1, 4096);
	CHECK(e == -1 && errno == EINVAL);
	close(d);
}

/* mini.c's clone as spawn.c's: a child on its own stack, sharing memory
 * until it execs or exits (CLONE_VM | CLONE_VFORK), its exit status seen. */
static int child_fn(void *arg)
{
	*(int *)arg = 42;
	return 7;
}

static void clones(void)
{
	static char stack[65536] __attribute__((aligned(16)));
	int seen = 0, st = -1;
	pid_t pid = mini_clone(child_fn, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &seen);

	CHECK(pid > 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7);
	CHECK(qemu_user || seen == 42);	/* QEMU user mode forks for CLONE_VM */
	CHECK(mini_clone(child_fn, stack + sizeof stack, CLONE_THREAD, &seen) == -1 && errno == EINVAL);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* The cancellation points mini.c makes system calls: data through a pipe
 * and a datagram pair, a child reaped, the errors and EINTR as musl's. */
static void points(void)
{
	struct sockaddr_un a;
	socklen_t alen = sizeof a;
	struct pollfd pf[1];
	struct timespec ts = { 0, 1000000 };
	siginfo_t si;
	sigset_t set, old;
	char b[8];
	int p[2], sp[2], st = -1, e;
	pid_t pid;

	CHECK(pipe(p) == 0 && socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) == 0);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	CHECK(mini_poll(pf, 1, 0) == 0);
	CHECK(mini_poll(pf, 1, 20) == 0);
	CHECK(mini_write(p[1], "abc", 3) == 3);
	CHECK(mini_poll(pf, 1, -1) == 1 && pf[0].revents == POLLIN);
	CHECK(mini_read(p[0], b, sizeof b) == 3 && !memcmp(b, "abc", 3));
	CHECK(mini_read(-1, b, 1) == -1 && errno == EBADF);
	CHECK(mini_write(-1, b, 1) == -1 && errno == EBADF);
	CHECK(mini_sendto(sp[0], "xy", 2, 0, NULL, 0) == 2);
	CHECK(mini_recvfrom(sp[1], b, sizeof b, 0, (struct sockaddr *)&a, &alen) == 2 && b[1] == 'y');
	CHECK(mini_recvfrom(sp[1], b, sizeof b, MSG_DONTWAIT, NULL, NULL) == -1 && errno == EAGAIN);
	errno = 1234;
	CHECK(mini_close(p[0]) == 0 && errno == 1234);
	CHECK(mini_close(p[0]) == -1 && errno == EBADF);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
	pid = fork();
	if (pid == 0)
		_exit(9);
	CHECK(mini_waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0 && si.si_status == 9);
	CHECK(mini_waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9);
	CHECK(mini_waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	CHECK(mini_sigtimedwait(&set, &si, &ts) == -1 && errno == EAGAIN);
	raise(SIGUSR1);
	CHECK(mini_sigtimedwait(&set, &si, &ts) == SIGUSR1 && si.si_signo == SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* pause: a signal's handler ends it with EINTR */
	signal(SIGALRM, on_alarm);
	alarm(1);
	e = mini_pause();
	CHECK(e == -1 && errno == EINTR);
	signal(SIGALRM, SIG_DFL);
	/* sigaddset and sigprocmask as musl's: every number, every how (the
	 * kernel's 64 signals: a sigset_t's first 8 bytes) */
	for (int sig = -2; sig < 70; sig++) {
		sigset_t s1, s2;
		int r1, e1, r2;

		memset(&s1, 0, sizeof s1);
		memset(&s2, 0, sizeof s2);
		errno = 0;
		r1 = mini_sigaddset(&s1, sig);
		e1 = errno;
		errno = 0;
		r2 = sigaddset(&s2, sig);
		CHECK(r1 == r2 && e1 == errno && !memcmp(&s1, &s2, sizeof s1));
	}
	sigfillset(&set);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0);
	for (int how = -1; how < 4; how++) {
		sigset_t o1, o2;
		int r1, e1, r2;

		memset(&o1, 0, sizeof o1);
		memset(&o2, 0, sizeof o2);
		errno = 0;
		r1 = mini_sigprocmask(how, &set, &o1);
		e1 = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = 0;
		r2 = sigprocmask(how, &set, &o2);
		CHECK(r1 == r2 && e1 == errno && !memcmp(&o1, &o2, 8));
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	CHECK(mini_sigprocmask(99, NULL, &set) == 0 && !memcmp(&set, &old, 8));
}

/* A msghdr for one byte and a control buffer, its padding set to FILL
 * (on 64-bit, after the int msg_iovlen and msg_controllen). */
static struct msghdr msg_for(struct iovec *iov, void *ctl, size_t len, int fill)
{
	struct msghdr m;

	memset(&m, fill, sizeof m);
	m.msg_name = NULL;
	m.msg_namelen = 0;
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl;
	m.msg_controllen = len;
	m.msg_flags = 0;
	return m;
}

/* One byte and N descriptors (a pipe's ends) through a control buffer
 * zeroed as sandinit's callers do, sent by SEND; then received by the
 * libc's recvmsg and mini.c's into a control buffer for one (two fit in
 * its alignment), with 64 guard bytes after it: the same bytes, lengths
 * and flags (MSG_CTRUNC for 3), the guard intact though mini.c's msghdr
 * had garbage padding. */
static int msgs_same(ssize_t (*send)(int, const struct msghdr *, int), int n)
{
	struct { union { char b[CMSG_SPACE(3 * sizeof(int))]; struct cmsghdr h; } c; } out;
	struct { union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr h; } c; unsigned char guard[64]; } in[2];
	struct msghdr got[2];
	char x = 'm', y[2] = { 0, 0 };
	struct iovec iov = { &x, 1 }, iy[2] = { { &y[0], 1 }, { &y[1], 1 } };
	struct msghdr m = msg_for(&iov, out.c.b, CMSG_SPACE((size_t)n * sizeof(int)), 0);
	struct cmsghdr *cm;
	int sp[2], p[3], ok = 1;
	size_t fit = (sizeof in[0].c.b - CMSG_LEN(0)) / sizeof(int), k = (size_t)n < fit ? (size_t)n : fit;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) || pipe(p))
		return 0;
	p[2] = p[0];
	memset(&out, 0, sizeof out);
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(cm), p, (size_t)n * sizeof(int));
	memset(in, 0x5a, sizeof in);
	for (int i = 0; i < 2; i++) {
		ssize_t r;

		ok &= send(sp[0], &m, MSG_NOSIGNAL) == 1;
		got[i] = msg_for(&iy[i], in[i].c.b, sizeof in[i].c.b, i ? 0xff : 0);
		r = i ? mini_recvmsg(sp[1], &got[i], MSG_DONTWAIT | MSG_CMSG_CLOEXEC)
		      : recvmsg(sp[1], &got[i], MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		ok &= r == 1 && y[i] == 'm';
		cm = CMSG_FIRSTHDR(&got[i]);
		ok &= cm && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(k * sizeof(int));
		ok &= cm && fcntl(*(int *)CMSG_DATA(cm), F_GETFD) == FD_CLOEXEC;
		for (size_t g = 0; g < sizeof in[i].guard; g++)
			ok &= in[i].guard[g] == 0x5a;
	}
	ok &= got[0].msg_controllen == got[1].msg_controllen;
	ok &= got[0].msg_flags == got[1].msg_flags;
	ok &= !!(got[1].msg_flags & MSG_CTRUNC) == ((size_t)n > k);
	ok &= mini_recvmsg(sp[1], &got[1], MSG_DONTWAIT) == -1 && errno == EAGAIN;
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	return ok;
}

static void msgs(void)
{
	char x = 'z';
	struct iovec iov = { &x, 1 };
	struct msghdr m = msg_for(&iov, NULL, 0, 0);
	int sp[2];

	CHECK(msgs_same(sendmsg, 1));
	CHECK(msgs_same(mini_sendmsg, 1));
	CHECK(msgs_same(mini_sendmsg, 2));
	CHECK(mini_sendmsg(-1, &m, 0) == -1 && errno == EBADF);
	CHECK(mini_recvmsg(-1, &m, 0) == -1 && errno == EBADF);
	/* QEMU user mode passes what fits without MSG_CTRUNC, and allocates a
	 * garbage msg_controllen on its stack (it crashes): the kernel's
	 * answers only on the board's own kernel */
	if (qemu_user)
		return;
	CHECK(msgs_same(mini_sendmsg, 3));
#if LONG_MAX > INT_MAX
	/* garbage padding: the libc's sendmsg zeroes it, mini.c's leaves it
	 * to its callers and the kernel refuses the length */
	m = msg_for(&iov, NULL, 0, 0xff);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0);
	CHECK(sendmsg(sp[0], &m, 0) == 1);
	CHECK(mini_sendmsg(sp[0], &m, 0) == -1);
	close(sp[0]);
	close(sp[1]);
#endif
}

static volatile sig_atomic_t caught, caught_info;

static void on_sig(int sig)
{
	caught = sig;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	caught_info = si->si_signo == sig ? sig : -1;
}

/* The disposition of SIG as the libc's and mini.c's read it: the same. */
static int disp_same(int sig)
{
	struct sigaction a, b;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	if (sigaction(sig, NULL, &a) || mini_sigaction(sig, NULL, &b))
		return 0;
	return a.sa_handler == b.sa_handler && a.sa_flags == b.sa_flags &&
	       !memcmp(&a.sa_mask, &b.sa_mask, 8);
}

static void sigs(void)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART }, old;
	int bad[] = { 0, 32, 33, 34, 65, -1 };

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGRTMIN + 3);
	CHECK(mini_sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(disp_same(SIGUSR1));
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == on_sig);
	CHECK(old.sa_flags & SA_RESTART && sigismember(&old.sa_mask, SIGUSR2) == 1);
	CHECK(sigismember(&old.sa_mask, SIGRTMIN + 3) == 1 && sigismember(&old.sa_mask, SIGINT) == 0);
	/* the handler runs and returns (the restorer) */
	CHECK(raise(SIGUSR1) == 0 && caught == SIGUSR1);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	CHECK(mini_sigaction(SIGUSR2, &sa, &old) == 0 && old.sa_handler == SIG_DFL);
	CHECK(disp_same(SIGUSR2));
	CHECK(raise(SIGUSR2) == 0 && caught_info == SIGUSR2);
	CHECK(mini_sigaction(SIGUSR2, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
	/* the libc's set, mini.c's read; SIG_IGN */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	CHECK(sigaction(SIGHUP, &sa, NULL) == 0 && disp_same(SIGHUP));
	CHECK(mini_sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN);
	CHECK(raise(SIGHUP) == 0);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		CHECK(mini_sigaction(bad[i], &sa, NULL) == -1 && errno == EINVAL);
		CHECK(sigaction(bad[i], &sa, NULL) == -1 && errno == EINVAL);
	}
	sa.sa_handler = on_sig;
	CHECK(mini_sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	sa.sa_handler = SIG_DFL;
	CHECK(mini_sigaction(SIGUSR1, &sa, NULL) == 0 && mini_sigaction(SIGHUP, &sa, NULL) == 0);
}

/* mini.c's stat family and the libc's on the same file: the same struct,
 * or the same error. */
static int stat_same(int r1, const struct stat *a, int e1, int r2, const struct stat *b, int e2)
{
	if (r1 < 0 || r2 < 0)
		return r1 == r2 && e1 == e2;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_mode == b->st_mode &&
	       a->st_nlink == b->st_nlink && a->st_uid == b->st_uid && a->st_size == b->st_size &&
	       a->st_rdev == b->st_rdev && a->st_blocks == b->st_blocks &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void stats(void)
{
	static const char *const paths[] = { "/", "/proc/self/exe", "/dev/null", "/nonexistent", "" };
	struct stat a, b;
	int r1, r2, e1, e2, fd = open("/proc/self", O_PATH | O_CLOEXEC);

	CHECK(fd >= 0);
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		r1 = mini_stat(paths[i], &a), e1 = errno;
		r2 = stat(paths[i], &b), e2 = errno;
		CHECK(stat_same(r1, &a, e1, r2, &b, e2));
		r1 = mini_lstat(paths[i], &a), e1 = errno;
		r2 = lstat(paths[i], &b), e2 = errno;
		CHECK(stat_same(r1, &a, e1, r2, &b, e2));
		r1 = mini_fstatat(fd, paths[i] + (*paths[i] == '/'), &a, AT_SYMLINK_NOFOLLOW), e1 = errno;
		r2 = fstatat(fd, paths[i] + (*paths[i] == '/'), &b, AT_SYMLINK_NOFOLLOW), e2 = errno;
		CHECK(stat_same(r1, &a, e1, r2, &b, e2));
	}
	CHECK(mini_lstat("/proc/self/exe", &a) == 0 && S_ISLNK(a.st_mode));
	CHECK(mini_stat("/proc/self/exe", &a) == 0 && S_ISREG(a.st_mode));
	CHECK(mini_fstatat(fd, "", &a, AT_EMPTY_PATH) == 0 && S_ISDIR(a.st_mode));
	CHECK(fstat(fd, &b) == 0 && stat_same(0, &a, 0, 0, &b, 0));
	CHECK(mini_fstat(fd, &a) == 0 && stat_same(0, &a, 0, 0, &b, 0));
	CHECK(mini_fstat(-1, &a) == -1 && errno == EBADF);
	close(fd);
}

/* A random string of under MAX bytes of the first N letters into S; its length. */
static size_t random_str(char *s, size_t max, int n)
{
	size_t len = (size_t)rand() % max;

	for (size_t i = 0; i < len; i++)
		s[i] = (char)('a' + rand() % n);
	s[len] = 0;
	return len;
}

/* A random string of under MAX bytes from "aAzZ@[`{ \t-+09\xff\x80". */
static void random_mixed(char *s, size_t max)
{
	static const char from[] = "aAzZ@[`{ \t-+09\xff\x80";
	size_t len = (size_t)rand() % max;

	for (size_t i = 0; i < len; i++)
		s[i] = from[rand() % (int)(sizeof from - 1)];
	s[len] = 0;
}

/* The compares, atoi and strtok_r of mini.c and the libc's: the same
 * answers on random strings (the compares' values, not only their signs). */
static void compares(void)
{
	char a[16] = "", b[16] = "", t1[40], t2[40], *s1, *s2, *p1, *p2;
	static const char *nums[] = { "0", "-0", "+7", " \t\n\v\f\r42x", "-2147483648",
				      "2147483647", "12a3", "- 1", "++1", "", "\xff" "9", "007" };

	for (unsigned seed = 1; seed <= 50000; seed++) {
		size_t n = (size_t)rand() % 10;

		random_mixed(a, 8);
		if (rand() % 3)
			random_mixed(b, 8);
		else
			strcpy(b, a);
		CHECK(mini_strcmp(a, b) == strcmp(a, b));
		CHECK(mini_strncmp(a, b, n) == strncmp(a, b, n));
		CHECK(mini_strcasecmp(a, b) == strcasecmp(a, b));
		CHECK(mini_strncasecmp(a, b, n) == strncasecmp(a, b, n));
		CHECK(mini_atoi(a) == atoi(a));
		CHECK(mini_memcmp(a, b, n) == memcmp(a, b, n));
		CHECK(mini_memrchr(a, b[0], n) == memrchr(a, b[0], n));
		CHECK(mini_strrchr(a, b[0]) == strrchr(a, b[0]));
		CHECK(mini_strnlen(a, n) == strnlen(a, n));
		s1 = mini_strdup(a);
		CHECK(s1 && s1 != a && !strcmp(s1, a));
		free(s1);
	}
	for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
		CHECK(mini_atoi(nums[i]) == atoi(nums[i]));
	for (unsigned seed = 1; seed <= 5000; seed++) {
		memset(t1, 0, sizeof t1);
		random_mixed(t1, 30);
		memcpy(t2, t1, sizeof t2);
		s1 = mini_strtok_r(t1, " \t-", &p1);
		s2 = strtok_r(t2, " \t-", &p2);
		for (;;) {
			CHECK((s1 ? s1 - t1 : -1) == (s2 ? s2 - t2 : -1));
			CHECK((p1 ? p1 - t1 : -1) == (p2 ? p2 - t2 : -1));
			if (!s1 || !s2)
				break;
			s1 = mini_strtok_r(NULL, " \t-", &p1);
			s2 = strtok_r(NULL, " \t-", &p2);
		}
		CHECK(!memcmp(t1, t2, sizeof t1));
	}
}

/* mini.c's directory stream against the libc's on /etc's and
 * /dev's entries: the same names in the same order; an error's errno. */
static int dir_same(const char *path)
{
	int f1 = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ok = 1, n = 0;
	DIR *d1 = mini_fdopendir(f1), *d2 = opendir(path);
	struct dirent *e1, *e2;

	if (!d1 || !d2)
		return 0;
	do {
		errno = 0;
		e1 = mini_readdir(d1);
		ok &= errno == 0;
		e2 = readdir(d2);
		ok &= !e1 == !e2 && (!e1 || (!strcmp(e1->d_name, e2->d_name) &&
					     e1->d_ino == e2->d_ino && e1->d_type == e2->d_type));
		n++;
	} while (e1 && e2);
	ok &= mini_closedir(d1) == 0 && closedir(d2) == 0;
	ok &= fcntl(f1, F_GETFD) == -1 && errno == EBADF;
	return ok && n > 2;
}

static void dirs(void)
{
	char path[] = "/tmp/mini_test.XXXXXX";
	int f;
	DIR *d;

	CHECK(dir_same("/etc"));
	CHECK(dir_same("/dev"));
	CHECK((f = mkstemp(path)) >= 0);
	unlink(path);
	CHECK((d = mini_fdopendir(f)) != NULL);
	errno = 0;
	CHECK(mini_readdir(d) == NULL && errno == ENOTDIR);
	CHECK(mini_closedir(d) == 0);
	CHECK(mini_closedir(mini_fdopendir(-1)) == -1 && errno == EBADF);
}

/* Each string function of mini.c and the libc's on HAY (and SET): the same
 * answer. A terminator is passed as the sought byte too. */
static int strings_same(const char *hay, const char *set, int c, size_t n)
{
	char a[80], b[80];
	int ok = 1;

	ok &= mini_strlen(hay) == strlen(hay);
	ok &= mini_strchrnul(hay, c) == strchrnul(hay, c);
	ok &= mini_strchr(hay, c) == strchr(hay, c);
	ok &= mini_memchr(hay, c, n) == memchr(hay, c, n);
	ok &= mini_strspn(hay, set) == strspn(hay, set);
	ok &= mini_strcspn(hay, set) == strcspn(hay, set);
	memset(a, 'z', sizeof a);
	memset(b, 'z', sizeof b);
	ok &= mini_strcpy(a, hay) == a && strcpy(b, hay) == b && !memcmp(a, b, sizeof a);
	ok &= mini_stpcpy(a + 1, hay) - a == stpcpy(b + 1, hay) - b && !memcmp(a, b, sizeof a);
	ok &= mini_strncpy(a, hay, n) == a && strncpy(b, hay, n) == b && !memcmp(a, b, sizeof a);
	return ok;
}

int main(int argc, char **argv)
{
	const char *h = "sandinit: unable to mount /proc: no such file";
	char hay[64], needle[8];

	CHECK(mini_strstr(h, "unable") == strstr(h, "unable"));
	CHECK(mini_strstr(h, "file") == h + strlen(h) - 4);
	CHECK(mini_strstr(h, "") == h);
	CHECK(mini_strstr("", "") != NULL);
	CHECK(mini_strstr("", "a") == NULL);
	CHECK(mini_strstr(h, "files") == NULL);
	CHECK(mini_strstr("aaab", "aab") == strstr("aaab", "aab"));
	for (unsigned seed = 1; seed <= 20000; seed++) {
		random_str(hay, 40, 3);
		random_str(needle, 5, 3);
		CHECK(mini_strstr(hay, needle) == strstr(hay, needle));
	}

	struct timespec t0, t1, t2;
	int st = -1;
	pid_t pid;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
	CHECK(mini_clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t2) == 0);
	CHECK(t0.tv_sec < t1.tv_sec || (t0.tv_sec == t1.tv_sec && t0.tv_nsec <= t1.tv_nsec));
	CHECK(t1.tv_sec < t2.tv_sec || (t1.tv_sec == t2.tv_sec && t1.tv_nsec <= t2.tv_nsec));
	CHECK(mini_clock_gettime(CLOCK_BOOTTIME, &t1) == 0);
	CHECK(mini_clock_gettime((clockid_t)-100, &t1) == -1);
	pid = mini_fork();
	if (pid == 0)
		_exit(getpid() == getppid() ? 1 : 42);
	CHECK(pid > 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	qemu_user = argc > 1 && !strcmp(argv[1], "qemu-user");
	syscalls();
	wrappers();
	compares();
	dirs();
	clones();
	points();
	msgs();
	sigs();
	stats();

	char set[6];
	static char env_a[] = "SANDINIT_SOCKET=/run/x", env_b[] = "SANDINIT=1", env_c[] = "=odd";
	char *env[] = { env_c, env_b, env_a, NULL }, **saved = __environ;

	CHECK(strings_same("", "", 0, 1));
	CHECK(strings_same("abc", "", 'c', 4));
	CHECK(strings_same("\xff\x80" "a", "\x80", 0xff, 3));
	CHECK(strings_same("\xff\x80" "a", "\x80", -1, 3));
	for (unsigned seed = 1; seed <= 20000; seed++) {
		size_t hn = random_str(hay, 40, 4);

		random_str(set, 5, 4);
		CHECK(strings_same(hay, set, rand() % 5 ? 'a' + rand() % 5 : 0,
				   (size_t)rand() % (hn + 1) + (seed % 2)));
	}
	__environ = env;
	CHECK(!strcmp(mini_getenv("SANDINIT_SOCKET"), "/run/x"));
	CHECK(!strcmp(mini_getenv("SANDINIT"), "1"));
	CHECK(mini_getenv("SANDINIT_") == NULL);
	CHECK(mini_getenv("") == NULL);
	CHECK(mini_getenv("SANDINIT=1") == NULL);
	CHECK(mini_getenv("S") == NULL);
	__environ = NULL;
	CHECK(mini_getenv("SANDINIT") == NULL);
	__environ = saved;
	/* every message as musl's, the same text (a number without one too) */
	for (int e = -300; e <= 300; e++)
		CHECK(!strcmp(mini_strerror(e), strerror(e)));
	CHECK(!strcmp(mini_strerror(INT_MIN), strerror(INT_MIN)));
	CHECK(!strcmp(mini_strerror(INT_MAX), strerror(INT_MAX)));
	CHECK(!strcmp(mini_strerror(ENOENT), "No such file or directory"));
	CHECK(!strcmp(mini_strerror(ENOTRECOVERABLE), "State not recoverable"));
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
