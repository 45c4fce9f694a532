/* pty: `initctl exec` with a terminal: the sandbox's pty and initctl's relay,
 * or pipes in place of the terminal on stdout and stderr. */
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* After the command's exit, what it wrote may still be on its way through
 * the pty (tty_flip_buffer_push is deferred): read on until this long
 * passes without any. */
#define DRAIN_MS 200

int pty_open(const struct winsize *ws, int *slave)
{
	int unlock = 0, n;
	/* Non-blocking: the sandbox could put a FIFO (or worse) there. */
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	*slave = -1;
	if (m < 0)
		return -1;
	/* A multiplexer answers TIOCGPTN; nothing else does (tty_ioctl(4)). */
	if (ioctl(m, TIOCGPTN, &n) < 0 || ioctl(m, TIOCSPTLCK, &unlock) < 0) {
		errno = ENOTTY;
		goto fail;
	}
	/* The peer by the master, not by a path the sandbox could swap. */
	*slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0 || ioctl(m, TIOCSWINSZ, ws) < 0 || fcntl(m, F_SETFL, O_RDWR) < 0)
		goto fail;
	return m;
fail:
	close_fail(*slave);
	return close_fail(m);
}

/* The master, sent on SOCK with a byte; what comes before it (the middle
 * process's error messages) goes to stderr. -1 once SOCK ends without. */
static int take_master(int sock)
{
	char buf[512];
	int fd;
	ssize_t n = recv_fds(sock, buf, sizeof(buf), &fd, 1);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -2;
	if (n > 0 && fd < 0)
		write_all(2, buf, (size_t)n);
	return n > 0 && fd < 0 ? -2 : fd;
}

static void copy_size(int master)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Move what FROM has to TO; 0 at FROM's end (or the pty's EIO), -1 if TO
 * failed, 1 otherwise. */
static int pass(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n <= 0)
		return 0;
	return write_all(to, buf, (size_t)n) < 0 ? -1 : 1;
}

/* (noinline: smaller than LTO's copy inlined in its caller, initctl.c's) */
__attribute__((noinline)) int pty_relay(int ctl_fd, int sock, int (*frame)(int fd, int *code))
{
	struct termios orig, raw;
	int raw_set = 0, master = -1, code = 1, done = 0, in_open = 1, sig;
	sigset_t set;

	/* SIGWINCH to follow the size; the others end initctl, and the
	 * terminal must be given back first. */
	sigemptyset(&set);
	for (const char *s = (const char[]){ SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT, 0 }; *s; s++)
		sigaddset(&set, *s);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sig = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	fcntl(sock, F_SETFL, O_NONBLOCK);
	while (!done) {
		struct pollfd p[4] = {
			{ .fd = ctl_fd, .events = POLLIN },
			{ .fd = master >= 0 ? master : sock, .events = POLLIN },
			{ .fd = master >= 0 && in_open ? 0 : -1, .events = POLLIN },
			{ .fd = sig, .events = POLLIN },
		};

		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[3].revents) {
			struct signalfd_siginfo si;

			while (read(sig, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGWINCH && master >= 0)
					copy_size(master);
				else if (si.ssi_signo != SIGWINCH)
					done = 1;	/* code stays 1 */
			}
		}
		if (p[1].revents && master < 0) {
			master = take_master(sock);
			if (master == -1) {
				p[1].fd = -1;	/* no pty: the exit frame says why */
				sock = -1;
			} else if (master >= 0) {
				fcntl(master, F_SETFL, O_NONBLOCK);
				/* (tcgetattr and tcsetattr TCSANOW are these
				 * ioctls) */
				if (ioctl(0, TCGETS, &orig) == 0) {
					raw = orig;
					cfmakeraw(&raw);
					raw_set = ioctl(0, TCSETS, &raw) == 0;
				}
				/* It may have changed since the request. */
				copy_size(master);
			}
			if (master < 0)
				master = -1;
		} else if (p[1].revents && pass(master, 1) <= 0) {
			master = close_fail(master);
			in_open = 0;
		}
		if (p[2].revents && master >= 0 && pass(0, master) <= 0)
			in_open = 0;
		if (p[0].revents && frame(ctl_fd, &code))
			done = 2;
	}
	/* The command's last words may trail its exit. */
	if (done == 2 && master >= 0) {
		struct pollfd p = { .fd = master, .events = POLLIN };

		while (poll(&p, 1, DRAIN_MS) > 0 && pass(master, 1) > 0)
			;
	}
	if (raw_set)
		ioctl(0, TCSETS, &orig);
	close_fail(master);
	return code;
}

int pty_relay_pipes(int ctl_fd, int rd[3], int (*frame)(int fd, int *code))
{
	int code = 1, done = 0;

	for (;;) {
		struct pollfd p[4] = { { .fd = done ? -1 : ctl_fd, .events = POLLIN } };
		int n = 0;

		for (int i = 1; i < 3; i++) {
			p[i] = (struct pollfd){ .fd = rd[i], .events = POLLIN };
			n += rd[i] >= 0;
		}
		if (done && !n)
			break;
		/* After the exit frame: until every pipe ends (its last
		 * writer, maybe a child left behind, closed it) or is quiet. */
		n = poll(p, 3, done ? DRAIN_MS : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (int i = 1; i < 3; i++) {
			if (p[i].revents && pass(rd[i], i) <= 0) {
				rd[i] = close_fail(rd[i]);
			}
		}
		if (p[0].revents && frame(ctl_fd, &code))
			done = 1;
	}
	for (int i = 1; i < 3; i++)
		close_fail(rd[i]);
	return code;
}
