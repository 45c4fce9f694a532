/* initctl: the control client (SPEC §5), run as `initctl` or `sandinit ctl`. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "pty.h"
#include "util.h"

/* A literal, not an array: main.c's CTL_DEFAULT_SOCKET is its tail, one
 * string in the binary. */
#define USAGE                                                                          \
	"usage: initctl [--socket PATH] COMMAND\n"                                     \
	"  status [NAME] | start|stop|restart NAME | exec NAME CMD [ARG...]\n"         \
	"  log [-ft] [-n N] [-p LEVEL] [NAME|kernel] | reload|poweroff|reboot|halt\n" \
	"socket: PATH, else $SANDINIT_SOCKET, else " CTL_DEFAULT_SOCKET

/* A non-tty exec's connection, while its command runs (forward). */
static int exec_fd = -1;

/* One reply frame of FD: its data to stdout or stderr; 1 and *CODE at the
 * exit frame (or the connection's end), else 0. */
static int read_frame(int fd, int *code)
{
	char hdr[5], buf[65536];
	uint32_t left;

	*code = 1;
	if (read_full(fd, hdr, 5) < 0) {
		dprintf(2, "initctl: sandinit hung up\n");
		return 1;
	}
	memcpy(&left, hdr + 1, 4);
	if (hdr[0] == 'x') {
		unsigned char b = 1;

		exec_fd = -1;	/* the command has ended: nothing to forward */

		if (left == 1 && read_full(fd, &b, 1) == 0)
			*code = b;
		return 1;
	}
	while (left) {
		size_t want = left < sizeof(buf) ? left : sizeof(buf);

		if (read_full(fd, buf, want) < 0)
			return 1;
		write_all(hdr[0] == '2' ? 2 : 1, buf, want);
		left -= (uint32_t)want;
	}
	return 0;
}

/* Without a terminal on stdin, a terminal on stdout or stderr still stays
 * ours (SPEC §5): the command gets a pipe's write end in FDS[i] instead,
 * whose read end RD[i] initctl relays; one pipe for both when they are the
 * same terminal, so that their order holds. */
static int tty_pipes(int fds[3], int rd[3])
{
	struct stat a, b;
	int p[2];

	for (int i = 1; i < 3; i++) {
		if (!isatty(i))
			continue;
		if (i == 2 && rd[1] >= 0 && fstat(1, &a) == 0 && fstat(2, &b) == 0 &&
		    a.st_rdev == b.st_rdev) {
			fds[2] = fds[1];
			continue;
		}
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		rd[i] = p[0];
		fds[i] = p[1];
	}
	return 0;
}

/* SIGHUP, SIGINT, SIGQUIT, SIGTERM to a non-tty exec: to its command, by a
 * byte to PID 1 (ctl.c's exec_input); initctl goes on to exit with the
 * command's status. (A pty's relay ends at them instead: the command's
 * terminal hangs up.) */
static void forward(int sig)
{
	unsigned char b = (unsigned char)sig;
	int e = errno;

	/* PID 1 may have closed its end (after the exit frame, or
	 * while output drains): not a SIGPIPE of ours. */
	if (exec_fd >= 0)
		(void)!send(exec_fd, &b, 1, MSG_NOSIGNAL);
	errno = e;
}

static void forward_signals(int fd)
{
	struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };

	exec_fd = fd;
	sigemptyset(&sa.sa_mask);
	/* One ignored stays ignored (nohup, a shell's background job). */
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction old;

		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

/* A request past a bound: said, status 1. */
static int too_many(int max, const char *what, size_t given)
{
	dprintf(2, "initctl: at most %d %s in a request (%zu given)\n", max, what, given);
	return 1;
}

/* A call that failed, on OBJ (or ""): said, status 1. */
static int cannot(const char *what, const char *obj)
{
	dprintf(2, "initctl: unable to %s%s: %m\n", what, obj);
	return 1;
}

int ctl_client(const char *path, int argc, char **argv)
{
	struct sockaddr_un sa;
	char *req, size[16], *targv[CTL_MAX_ARGS + 3];
	size_t len = 4;
	uint32_t l;
	int fd, code, nfds = 0, fds[3] = { 0, 1, 2 }, pty[2] = { -1, -1 }, rd[3] = { -1, -1, -1 };

	if (argc > CTL_MAX_ARGS)
		return too_many(CTL_MAX_ARGS, "words", (size_t)argc);
	/* The server's commands; a log's words at most -f -t -n N -p LEVEL
	 * -- NAME. */
	if (argc < 1 || !ctl_known(argv[0], argc) || (!strcmp(argv[0], "log") && argc > 8)) {
		dprintf(2, "%s\n", USAGE);
		return 2;
	}
	if (!strcmp(argv[0], "exec")) {
		struct winsize ws = { 0 };

		nfds = 3;
		/* A terminal stays ours: the command gets a pty of the
		 * sandbox's, whose master comes back on a socket of ours. */
		if (isatty(0) && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pty) == 0) {
			ioctl(0, TIOCGWINSZ, &ws);
			snprintf(size, sizeof(size), "%u:%u", ws.ws_row, ws.ws_col);
			targv[0] = argv[0];
			targv[1] = "-t";
			targv[2] = size;
			memcpy(targv + 3, argv + 1, (size_t)argc * sizeof(*argv));
			argv = targv;
			argc += 2;
			fds[0] = pty[1];
			nfds = 1;
		} else if (tty_pipes(fds, rd) < 0) {
			return cannot("make a pipe", "");
		}
	}
	/* (the client's: gone with it) */
	req = malloc(4 + CTL_MAX_REQUEST);
	if (!req)
		return 1;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (len + n <= 4 + CTL_MAX_REQUEST)
			memcpy(req + len, argv[i], n);
		len += n;
	}
	if (len - 4 > CTL_MAX_REQUEST)
		return too_many(CTL_MAX_REQUEST, "bytes", len - 4);
	if (unix_addr(&sa, path) < 0) {
		dprintf(2, "initctl: socket path too long: %s\n", path);
		return 2;
	}
	l = (uint32_t)(len - 4);
	memcpy(req, &l, 4);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || syscall(SYS_connect, fd, &sa, sizeof(sa)) < 0) {
		return cannot("connect to ", path);
	}
	{
		/* exec: our stdin, stdout and stderr become the command's. */
		ssize_t n = send_fds(fd, req, len, fds, nfds);

		if (n > 0 && (size_t)n < len)
			n = write_all(fd, req + n, len - (size_t)n) < 0 ? -1 : (ssize_t)len;
		/* A refusal may close before we are done: its reply still counts. */
		if (n < 0 && errno != EPIPE && errno != ECONNRESET)
			return cannot("send", "");
	}
	if (pty[0] >= 0) {
		close(pty[1]);
		return pty_relay(fd, pty[0], read_frame);
	}
	if (nfds == 3)
		forward_signals(fd);
	if (rd[1] >= 0 || rd[2] >= 0) {
		for (int i = 1; i < 3; i++)
			if (fds[i] != i && (i == 1 || fds[i] != fds[1]))
				close(fds[i]);
		return pty_relay_pipes(fd, rd, read_frame);
	}
	while (!read_frame(fd, &code))
		;
	return code;
}
