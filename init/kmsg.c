/* kmsg: the kernel's messages, where the kernel keeps them (SPEC §4). The
 * kernel's own buffer (128 KiB or more, records with their sequence
 * number, level and time) is what `initctl log kernel` shows: each request
 * reads it through a reader of its own (logview.c), so PID 1 keeps no copy.
 * The kernel prints to the console those its console log level lets
 * through (loglevel=, quiet): PID 1 does not print them again, but while
 * there is a log file (`log-file`: every console line) it reads them into
 * it. */
#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "logfile.h"
#include "loop.h"
#include "util.h"

/* Records handed to the log file in a pass of the loop (one read(2) each). */
#define KMSG_BURST 64

/* A read must take a whole record (else EINVAL, and the reader stays
 * where it is): 8 KiB was the kernel's largest before 6.1's 2 KiB. Every
 * reader reads into this one, in turn. */
static char buf[8192] PAGE_BUF;
static struct watch w = { .fd = -1 };
static int opened;	/* the log file's reader was opened once */
static int console_level = 4;	/* what `quiet` leaves, until read */

int kmsg_parse(const char *rec, size_t len, struct kmsg_rec *r)
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
	r->sev = (int)(v[0] & 7);
	r->seq = v[1];
	r->us = (int64_t)(v[2] & 0xffffffffffffULL);
	r->text = semi + 1;
	nl = memchr(r->text, '\n', (size_t)(rec + len - r->text));
	r->len = (size_t)((nl ? nl : rec + len) - r->text);
	return 0;
}

__attribute__((noinline)) int kmsg_open(void)
{
	return open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

int kmsg_next(int fd, struct kmsg_rec *rec)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		/* EPIPE: records were overwritten before this reader got
		 * them; the next read goes on from the oldest left. */
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (n <= 0)
			return 0;
		if (kmsg_parse(buf, (size_t)n, rec) == 0)
			return 1;
	}
}

int kmsg_rewind(int fd)
{
	return syscall(SYS_lseek, fd, 0, SEEK_SET) < 0 ? -1 : 0;
}

static void on_kmsg(struct watch *wt, uint32_t events)
{
	struct kmsg_rec r;

	(void)events;
	for (int i = 0; i < KMSG_BURST && kmsg_next(wt->fd, &r); i++)
		if (r.sev < console_level)
			logfile_line(r.us, "kernel", r.text, r.len);
}

int kmsg_logfile(int on)
{
	char printk[16];

	if (!on) {
		loop_close(&w);
		return 0;
	}
	if (w.fd >= 0)
		return 0;
	/* the console's level: the first figure of kernel.printk */
	if (read_str("/proc/sys/kernel/printk", printk, sizeof(printk)) > 0 && printk[0] >= '0' &&
	    printk[0] <= '9')
		console_level = printk[0] - '0';
	w.fd = kmsg_open();
	if (w.fd < 0)
		return -1;
	w.fn = on_kmsg;
	/* After a stop, the lines meanwhile were not for a file (as a
	 * file's lines are dropped while nothing can take them). */
	if ((opened && syscall(SYS_lseek, w.fd, 0, SEEK_END) < 0) || loop_add(&w) < 0) {
		close_fail(w.fd);
		w.fd = -1;
		return -1;
	}
	opened = 1;
	return 0;
}
