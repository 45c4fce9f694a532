/* logview_test: a line rendered at its longest (time prefix of any int64
 * boot time, a 32-byte ring name, a 1024-byte line) fits LOGVIEW_LINE_MAX;
 * run under ASan, a buffer of exactly that size catches an overflow. The
 * kernel's records come from a stand-in for /dev/kmsg (below). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "kmsg.h"
#include "log.h"
#include "logview.h"

/* A stand-in for /dev/kmsg (kmsg.c is not linked): the kernel keeps the
 * records of sequence numbers KFIRST..KNEXT-1; a reader (an fd of
 * /dev/null) has its own next one and, like the kernel's, skips on to the
 * oldest kept when the one it wants was overwritten. Unreadable (as
 * without /dev/kmsg) unless KMSG_ON. */
#define KMAX 16384
static struct krec {
	int64_t us;
	int sev;
	char text[32];
} krecs[KMAX];
static uint64_t kfirst, knext, kpos[256];
static int kmsg_on;

static void kput(int64_t us, int sev, const char *text)
{
	struct krec *k = &krecs[knext++ % KMAX];

	k->us = us;
	k->sev = sev;
	snprintf(k->text, sizeof(k->text), "%s", text);
	if (knext - kfirst > KMAX)
		kfirst = knext - KMAX;
}

int kmsg_open(void)
{
	int fd;

	if (!kmsg_on) {
		errno = ENOENT;
		return -1;
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 256) {
		close(fd);
		errno = EMFILE;
		return -1;
	}
	if (fd >= 0)
		kpos[fd] = kfirst;
	return fd;
}

int kmsg_next(int fd, struct kmsg_rec *r)
{
	struct krec *k;

	if (kpos[fd] < kfirst)
		kpos[fd] = kfirst;
	if (kpos[fd] >= knext)
		return 0;
	k = &krecs[kpos[fd] % KMAX];
	*r = (struct kmsg_rec){ .seq = kpos[fd]++, .us = k->us, .sev = k->sev,
				.text = k->text, .len = strlen(k->text) };
	return 1;
}

int kmsg_rewind(int fd)
{
	kpos[fd] = kfirst;
	return 0;
}

/* `log -p err` over lines of which none match but the last: each read
 * examines LOGVIEW_SCAN_MAX lines at most, says there is more, and the
 * reads in turn reach the last line. */
static void scan_cap(void)
{
	static struct ring r;
	char *args[] = { "-p", "err", "many" };
	char buf[LOGVIEW_LINE_MAX * 2], err[128];
	int code, done, reads = 0, lines = 3 * LOGVIEW_SCAN_MAX;
	struct logview *v;
	size_t n, got = 0;

	CHECK(ring_init(&r, 1 << 20, "many") == 0);
	for (int i = 0; i < lines; i++)
		ring_line(&r, LOG_STDOUT, LOG_SEV_INFO, i, "info", 4, 0);
	ring_line(&r, LOG_STDERR, LOG_SEV_ERR, lines, "the error", 9, 0);
	v = logview_open(args, 3, err, sizeof(err), &code);
	CHECK(v != NULL);
	n = logview_read(v, buf, sizeof(buf), &done);
	CHECK(n == 0);
	CHECK(done == -1);
	do {
		reads++;
		got += n;
		if (n)
			CHECK(n == 10 && !memcmp(buf, "the error\n", 10));
		n = logview_read(v, buf, sizeof(buf), &done);
	} while (done != 1 && reads < 100);
	got += n;
	CHECK(got == 10);
	CHECK(reads == 3);
	logview_close(v);
	ring_free(&r);
}

/* Everything V gives, read to its end, into BUF. */
static size_t read_all(struct logview *v, char *buf, size_t size)
{
	size_t got = 0;
	int done = 0;

	while (done != 1 && size - got >= LOGVIEW_LINE_MAX)
		got += logview_read(v, buf + got, size - got, &done);
	buf[got] = 0;
	return got;
}

static struct logview *view(char **args, int nargs)
{
	char err[128];
	int code;

	return logview_open(args, nargs, err, sizeof(err), &code);
}

/* -n N reads back from the ends: the last N of one ring whose oldest
 * lines are gone (its records wrapped), of the merged view in time order
 * (a tie: the ring read last going forward), with -p, more than there are,
 * and none. */
static void last_n(void)
{
	static struct ring a, b;
	char line[32], buf[1 << 16];
	struct logview *v;

	CHECK(ring_init(&a, 4096, "a") == 0);
	CHECK(ring_init(&b, 4096, "b") == 0);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(line, sizeof(line), "a%d", i);

		ring_line(&a, i % 10 ? LOG_STDOUT : LOG_STDERR, i % 10 ? LOG_SEV_INFO : LOG_SEV_ERR,
			  2 * i, line, (size_t)n, 0);
		n = snprintf(line, sizeof(line), "b%d", i);
		ring_line(&b, LOG_STDOUT, LOG_SEV_INFO, 2 * i + (i == 999 ? 0 : 1), line,
			  (size_t)n, 0);
	}
	CHECK(a.tail > 0);
	v = view((char *[]){ "-n", "3", "a" }, 3);
	CHECK(v != NULL);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "a997\na998\na999\n"));
	logview_close(v);
	v = view((char *[]){ "-n", "3", "-p", "err", "a" }, 5);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "a970\na980\na990\n"));
	logview_close(v);
	/* a999 and b999 at the same time: the later ring (b, the first in
	 * the list) goes first, as in the whole view */
	v = view((char *[]){ "-n", "4" }, 2);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "a: a998\nb: b998\nb: b999\na: a999\n"));
	logview_close(v);
	v = view(NULL, 0);
	{
		static char all[1 << 16];
		size_t n = read_all(v, all, sizeof(all));

		CHECK(n > 32 && !strcmp(all + n - 32, "a: a998\nb: b998\nb: b999\na: a999\n"));
	}
	logview_close(v);
	v = view((char *[]){ "-n", "100000", "b" }, 3);
	read_all(v, buf, sizeof(buf));
	logview_close(v);
	v = view((char *[]){ "b" }, 1);
	{
		static char all[1 << 16];

		read_all(v, all, sizeof(all));
		CHECK(!strcmp(buf, all));
		CHECK(!strncmp(all, "b", 1) && strstr(all, "b999\n"));
	}
	logview_close(v);
	v = view((char *[]){ "-n", "0", "b" }, 3);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, ""));
	logview_close(v);
	ring_free(&a);
	ring_free(&b);
}

/* Many rings with many equal times: the merge (a heap) reads them in time
 * order, of equal times in the rings' order, and -n K is the last K lines
 * of that whole view, whatever K. */
#define NR 37
static void many_rings(void)
{
	static struct ring rs[NR];
	static char all[1 << 18], buf[1 << 18];
	char name[16], line[32];
	const char *p, *prev = NULL;
	struct logview *v;
	size_t n;
	int order[NR], k = 0;

	for (int r = 0; r < NR; r++) {
		snprintf(name, sizeof(name), "r%02d", r);
		CHECK(ring_init(&rs[r], 8192, name) == 0);
		for (int j = 0; j < 60; j++) {
			int l = snprintf(line, sizeof(line), "%d", j);

			ring_line(&rs[r], LOG_STDOUT, j % 3 ? LOG_SEV_INFO : LOG_SEV_ERR,
				  3 * j + r % 4, line, (size_t)l, 0);
		}
	}
	/* each ring's place in the list the merge breaks ties by */
	for (struct ring *r = ring_first(); r; r = r->next)
		if (r >= rs && r < rs + NR)
			order[r - rs] = k++;
	v = view((char *[]){ "-t" }, 1);
	n = read_all(v, all, sizeof(all));
	logview_close(v);
	CHECK(n > 0);
	int lines = 0, sorted = 1;

	for (p = all; *p; p = strchr(p, '\n') + 1) {
		long us = atol(p + 1 + strspn(p + 1, " ")) * 1000000 + atol(strchr(p, '.') + 1);
		int ring = atoi(strchr(p, 'r') + 1);

		if (prev) {
			long pus = atol(prev + 1 + strspn(prev + 1, " ")) * 1000000 +
				   atol(strchr(prev, '.') + 1);
			int pring = atoi(strchr(prev, 'r') + 1);

			sorted &= pus < us || (pus == us && order[pring] < order[ring]);
		}
		prev = p;
		lines++;
	}
	CHECK(sorted);
	CHECK(lines == NR * 60);
	static const char *const ks[] = { "1", "17", "500", "2219", "100000" };

	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		size_t want = (size_t)atoi(ks[i]), got;
		const char *tail = all + n;

		for (size_t m = 0; m < want && tail > all; m++)
			for (tail--; tail > all && tail[-1] != '\n'; tail--)
				;
		v = view((char *[]){ "-t", "-n", (char *)ks[i] }, 3);
		got = read_all(v, buf, sizeof(buf));
		logview_close(v);
		CHECK(got == (size_t)(all + n - tail) && !strcmp(buf, tail));
	}
	/* and with -p: the last 5 err lines of the err view */
	v = view((char *[]){ "-p", "err" }, 2);
	n = read_all(v, all, sizeof(all));
	logview_close(v);
	p = all + n;
	for (int m = 0; m < 5 && p > all; m++)
		for (p--; p > all && p[-1] != '\n'; p--)
			;
	v = view((char *[]){ "-n", "5", "-p", "err" }, 4);
	read_all(v, buf, sizeof(buf));
	logview_close(v);
	CHECK(n > 0 && !strcmp(buf, p));
	for (int r = 0; r < NR; r++)
		ring_free(&rs[r]);
}

/* Everything V gives, to its end or (following) until nothing is there. */
static size_t read_now(struct logview *v, char *buf, size_t size)
{
	size_t got = 0;
	int done = -1;

	while (done == -1 && size - got >= LOGVIEW_LINE_MAX) {
		got += logview_read(v, buf + got, size - got, &done);
		if (!done && logview_ready(v))
			done = -1;
	}
	buf[got] = 0;
	return got;
}

/* The kernel's records, read at each request from (a stand-in for)
 * /dev/kmsg: `log kernel` whole, -p, -n (read forward once to find them,
 * then again from the oldest), more than it keeps, followed (a record that
 * comes later, none twice), merged by time with the rings (of equal times
 * after them) with and without -n, overwritten records passed over, and
 * read in parts of LOGVIEW_SCAN_MAX. */
static void kernel(void)
{
	static struct ring a;
	static char all[1 << 20], buf[1 << 20];
	char line[32];
	struct logview *v;
	size_t n;

	CHECK(view((char *[]){ "kernel" }, 1) == NULL);	/* no /dev/kmsg */
	kmsg_on = 1;
	CHECK(ring_init(&a, 4096, "a") == 0);
	for (int i = 0; i < 10; i++) {
		snprintf(line, sizeof(line), "k%d", i);
		kput(10 * i, i % 3 ? 6 : 3, line);
		snprintf(line, sizeof(line), "a%d", i);
		ring_line(&a, LOG_STDOUT, LOG_SEV_INFO, 10 * i + (i == 9 ? 0 : 5), line, strlen(line), 0);
	}
	v = view((char *[]){ "kernel" }, 1);
	CHECK(v != NULL);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "k0\nk1\nk2\nk3\nk4\nk5\nk6\nk7\nk8\nk9\n"));
	logview_close(v);
	v = view((char *[]){ "-t", "-p", "err", "kernel" }, 4);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "[    0.000000] k0\n[    0.000030] k3\n[    0.000060] k6\n"
			   "[    0.000090] k9\n"));
	logview_close(v);
	v = view((char *[]){ "-n", "3", "kernel" }, 3);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "k7\nk8\nk9\n"));
	logview_close(v);
	v = view((char *[]){ "-n", "2", "-p", "err", "kernel" }, 5);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "k6\nk9\n"));
	logview_close(v);
	v = view((char *[]){ "-n", "0", "kernel" }, 3);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, ""));
	logview_close(v);
	v = view((char *[]){ "-n", "1000", "kernel" }, 3);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "k0\nk1\nk2\nk3\nk4\nk5\nk6\nk7\nk8\nk9\n"));
	logview_close(v);
	/* merged: a9 and k9 at the same time, the ring first */
	v = view((char *[]){ "-n", "5" }, 2);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "a: a7\nkernel: k8\na: a8\na: a9\nkernel: k9\n"));
	logview_close(v);
	v = view(NULL, 0);
	n = read_all(v, all, sizeof(all));
	CHECK(n > 0 && strstr(all, "kernel: k0\na: a0\nkernel: k1\na: a1\n"));
	logview_close(v);
	v = view((char *[]){ "-n", "4", "-p", "err" }, 4);
	read_all(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "kernel: k0\nkernel: k3\nkernel: k6\nkernel: k9\n"));
	logview_close(v);
	/* followed: the records there, then one that comes after a read
	 * found none (the loop's watch on its reader says so) */
	v = view((char *[]){ "-f", "-n", "2", "kernel" }, 4);
	CHECK(logview_kernel_fd(v) >= 0);
	read_now(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "k8\nk9\n"));
	CHECK(!logview_ready(v));
	kput(100, 6, "k10");
	read_now(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, "k10\n"));
	read_now(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, ""));
	{
		int fd = logview_kernel_fd(v);

		logview_close(v);
		CHECK(fcntl(fd, F_GETFD) < 0);	/* its reader closed */
	}
	/* -n 3 while the kernel overwrites records between two reads: the one
	 * already read ahead (k9) comes, the lost one (k10) is passed over */
	v = view((char *[]){ "-n", "3", "kernel" }, 3);
	{
		int done;

		n = logview_read(v, buf, LOGVIEW_LINE_MAX, &done);
		CHECK(n == 3 && !memcmp(buf, "k8\n", 3));
		for (int i = 0; i < KMAX; i++)
			kput(200 + i, 6, "new");
		n += read_all(v, buf + n, sizeof(buf) - n);
		CHECK(!strncmp(buf, "k8\nk9\nnew\n", 10));
		CHECK(n == 6 + (size_t)KMAX * 4);
	}
	logview_close(v);
	/* one err record after KMAX - 1 others: read in parts of
	 * LOGVIEW_SCAN_MAX records */
	for (int i = 0; i < KMAX; i++)
		kput(100000 + i, i == KMAX - 1 ? 3 : 6, i == KMAX - 1 ? "the error" : "info");
	{
		int done, reads = 0;

		v = view((char *[]){ "-p", "err", "kernel" }, 3);
		n = 0;
		do {
			n += logview_read(v, buf + n, sizeof(buf) - n, &done);
			reads++;
		} while (done != 1 && reads < 100);
		buf[n] = 0;
		CHECK(!strcmp(buf, "the error\n"));
		CHECK(reads > KMAX / LOGVIEW_SCAN_MAX && reads < 100);
		logview_close(v);
		/* and -n 1 of them: the first read (counting) in parts too */
		v = view((char *[]){ "-n", "1", "-p", "err", "kernel" }, 5);
		n = logview_read(v, buf, sizeof(buf), &done);
		CHECK(n == 0 && done == -1);
		read_all(v, buf, sizeof(buf));
		CHECK(!strcmp(buf, "the error\n"));
		logview_close(v);
	}
	ring_free(&a);
	kmsg_on = 0;
}

int main(void)
{
	static struct ring r;
	char name[LOG_NAME_MAX + 1], text[LOG_LINE_MAX], *buf;
	char *args[] = { "-t" };
	struct logview *v;
	char err[128];
	int code, done;
	size_t n;

	memset(name, 'n', LOG_NAME_MAX);
	name[LOG_NAME_MAX] = 0;
	memset(text, 'x', sizeof(text));
	CHECK(ring_init(&r, 1 << 16, name) == 0);
	/* The latest time a record keeps (48 bits of µs, 2.8 * 10^8 s): a
	 * prefix of 19 bytes (16 up to 10^6 s). */
	ring_line(&r, LOG_STDOUT, LOG_SEV_INFO, ((int64_t)1 << 48) - 1, text, sizeof(text), 0);
	v = logview_open(args, 1, err, sizeof(err), &code);
	CHECK(v != NULL);
	buf = malloc(LOGVIEW_LINE_MAX);
	n = logview_read(v, buf, LOGVIEW_LINE_MAX, &done);
	CHECK(n > LOG_LINE_MAX + LOG_NAME_MAX);
	CHECK(n <= LOGVIEW_LINE_MAX);
	CHECK(n && buf[n - 1] == '\n');
	CHECK(!memcmp(buf, "[281474976.710655] nnnn", 23));
	CHECK(done);
	free(buf);
	logview_close(v);
	ring_free(&r);
	scan_cap();
	last_n();
	many_rings();
	kernel();
	printf("logview_test: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
