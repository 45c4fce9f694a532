/* rawsock: send raw bytes to a unix stream socket and print the reply, for
 * the tests that feed the control socket garbage. Usage:
 *   rawsock PATH [--half] [--hold MS] [--fds] [--time] < BYTES
 * --fds: pass /dev/null as three descriptors (exec's) with the first read;
 * --half: shut down the write side after sending; --hold: stay connected
 * without reading for MS ms first; --time: say on stderr "ms=N", the ms
 * from its connect to the server's reply or close (the server's time, not
 * the machine's to start this program). Exits 0 once the server has
 * replied or closed, 1 if it could not connect. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[65536];
	int fd, half = 0, hold = 0, fds = 0, timed = 0;
	long long t0;
	ssize_t n;

	if (argc < 2 || strlen(argv[1]) >= sizeof(sa.sun_path))
		return 2;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--half"))
			half = 1;
		else if (!strcmp(argv[i], "--fds"))
			fds = 1;
		else if (!strcmp(argv[i], "--time"))
			timed = 1;
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = atoi(argv[++i]);
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("rawsock: connect");
		return 1;
	}
	t0 = now_ms();
	if (fds && (n = read(0, buf, sizeof(buf))) > 0) {
		int nul = open("/dev/null", O_RDWR), fdv[3] = { nul, nul, nul };
		char cb[CMSG_SPACE(sizeof(fdv))] = { 0 };
		struct iovec iov = { buf, (size_t)n };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb,
				     .msg_controllen = sizeof(cb) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(fdv));
		memcpy(CMSG_DATA(cm), fdv, sizeof(fdv));
		if (sendmsg(fd, &mh, 0) != n)
			return 1;
	}
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) < 0)
			break;
	if (half)
		shutdown(fd, SHUT_WR);
	if (hold) {
		struct timespec ts = { hold / 1000, (hold % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (timed)
		fprintf(stderr, "ms=%lld\n", now_ms() - t0);
	return 0;
}
