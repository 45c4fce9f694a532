/* kmsg: the kernel's messages (/dev/kmsg) into the ring named kernel
 * (SPEC §4). The kernel prints to the console those its console log level
 * lets through (loglevel=, quiet): PID 1 does not print them again, but
 * hands them to the log file (`log-file`: every console line). */
#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "logfile.h"
#include "loop.h"
#include "util.h"

#define KMSG_RING_SIZE (64 << 10)
/* Records read in a pass of the loop (one read(2) each). */
#define KMSG_BURST 64

static struct ring ring;
static struct watch w = { .fd = -1 };
static int console_level = 4;	/* what `quiet` leaves, until read */

int kmsg_parse(const char *rec, size_t len, int *sev, int64_t *us, const char **text,
	       size_t *textlen)
{
	/* "PRI,SEQ,TS_USEC,FLAGS;MESSAGE\n" and " KEY=VALUE\n" lines
	 * (Documentation/ABI/testing/dev-kmsg). */
	const char *semi = memchr(rec, ';', len), *p = rec, *nl;
	unsigned long long v[3] = { 0, 0, 0 };

	if (!semi)
		return -1;
	for (int i = 0; i < 3; i++) {
		int digits = 0;

		while (p < semi && *p >= '0' && *p <= '9' && digits < 20) {
			v[i] = v[i] * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (!digits || p >= semi || (*p != ',' && *p != ';'))
			return -1;
		p++;
	}
	*sev = (int)(v[0] & 7);
	*us = (int64_t)(v[2] & 0xffffffffffffULL);
	*text = semi + 1;
	nl = memchr(*text, '\n', (size_t)(rec + len - *text));
	*textlen = (size_t)((nl ? nl : rec + len) - *text);
	return 0;
}

static void on_kmsg(struct watch *wt, uint32_t events)
{
	static char buf[8192] PAGE_BUF;	/* off the stack (util.h) */

	(void)events;
	for (int i = 0; i < KMSG_BURST; i++) {
		ssize_t n = read(wt->fd, buf, sizeof(buf));
		const char *text;
		size_t len;
		int64_t us;
		int sev;

		/* EPIPE: records were overwritten before we read them; the
		 * next read goes on from the oldest left. */
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (n <= 0)
			return;
		if (kmsg_parse(buf, (size_t)n, &sev, &us, &text, &len) < 0)
			continue;
		ring_line(&ring, LOG_KERNEL, sev, us, text, len, 0);
		/* what the kernel printed on the console goes into the
		 * log file too */
		if (sev < console_level)
			logfile_line(us, "kernel", text, len);
	}
}

int kmsg_init(void)
{
	char printk[16] = "";
	int fd = open("/proc/sys/kernel/printk", O_RDONLY | O_CLOEXEC);

	/* the console's level: the first figure of kernel.printk */
	if (fd >= 0) {
		if (read(fd, printk, sizeof(printk) - 1) > 0 && printk[0] >= '0' && printk[0] <= '9')
			console_level = atoi(printk);
		close(fd);
	}
	w.fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w.fd < 0)
		return -1;
	w.fn = on_kmsg;
	if (ring_init(&ring, KMSG_RING_SIZE, "kernel") < 0 || loop_add(&w) < 0) {
		int e = errno;

		close(w.fd);
		w.fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}
