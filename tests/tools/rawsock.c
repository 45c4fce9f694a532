/* rawsock: send raw bytes to a unix stream socket and print the reply, for
 * the tests that feed the control socket garbage. Usage:
 *   rawsock PATH [--half] [--hold MS] < BYTES
 * --half: shut down the write side after sending; --hold: stay connected
 * without reading for MS ms first. Exits 0 once the server has replied or
 * closed, 1 if it could not connect. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[65536];
	int fd, half = 0, hold = 0;
	ssize_t n;

	if (argc < 2 || strlen(argv[1]) >= sizeof(sa.sun_path))
		return 2;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--half"))
			half = 1;
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = atoi(argv[++i]);
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("rawsock: connect");
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
	return 0;
}
