/* logview_test: a line rendered at its longest (time prefix of any int64
 * boot time, a 32-byte ring name, a 1024-byte line) fits LOGVIEW_LINE_MAX;
 * run under ASan, a buffer of exactly that size catches an overflow. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "log.h"
#include "logview.h"

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
	printf("logview_test: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
