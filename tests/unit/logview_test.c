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
	printf("logview_test: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
