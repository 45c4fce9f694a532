/* log: PID 1's console lines and the per-service ring buffers. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int console_fd = STDOUT_FILENO;

void log_console_init(void)
{
	/* A serial console takes ~11 KB/s: a chatty service must not stall PID 1
	 * behind it. PID 1 writes a terminal through a non-blocking description
	 * of its own (fd 1's stays blocking for the rescue shell); what does not
	 * fit is dropped from the console, never from the ring. A pipe too (a
	 * reader that stops must not stop PID 1); a file (the host tests) is
	 * written as it is. */
	struct stat st;

	if (isatty(STDOUT_FILENO) || (fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode))) {
		int fd = open("/proc/self/fd/1", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

		if (fd >= 0)
			console_fd = fd;
	}
}

void log_raw(const char *buf, size_t len)
{
	/* The console may be gone (EIO on a hung-up tty), or full (EAGAIN):
	 * nothing to do then. */
	int e = errno;

	write_all(console_fd, buf, len);
	errno = e;
}

void log_msg(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX + 32];
	va_list ap;
	int n;
	int e = errno;

	memcpy(buf, "sandinit: ", 10);
	va_start(ap, fmt);
	errno = e;	/* so %m still means the caller's errno */
	n = vsnprintf(buf + 10, sizeof(buf) - 11, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(buf) - 12)
		n = sizeof(buf) - 12;
	buf[10 + n] = '\n';
	log_raw(buf, 10 + (size_t)n + 1);
	errno = e;
}

int ring_init(struct ring *r, size_t size)
{
	memset(r, 0, sizeof(*r));
	/* Pages of its own, touched only as the service writes: an idle
	 * service costs no resident memory (malloc would touch its edges). */
	r->buf = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->buf == MAP_FAILED) {
		r->buf = NULL;
		return -1;
	}
	r->size = size;
	return 0;
}

void ring_free(struct ring *r)
{
	if (r->buf)
		munmap(r->buf, r->size ? r->size : 1);
	r->buf = NULL;
	r->size = r->head = r->len = 0;
}

static void ring_put(struct ring *r, const char *buf, size_t len)
{
	if (r->size == 0)
		return;
	if (len >= r->size) {
		memcpy(r->buf, buf + len - r->size, r->size);
		r->head = 0;
		r->len = r->size;
		return;
	}
	size_t first = r->size - r->head;

	if (first > len)
		first = len;
	memcpy(r->buf + r->head, buf, first);
	memcpy(r->buf, buf + first, len - first);
	r->head = (r->head + len) % r->size;
	r->len = r->len + len > r->size ? r->size : r->len + len;
}

/* The console lines of one ring_feed, written together: a chunk of many
 * short lines costs one write(2), not one a line. At most PIPE_BUF bytes
 * a write: on a pipe that is all or nothing, so a full pipe drops whole
 * lines, never half of one (a line is at most 32 + 2 + LOG_LINE_MAX + 1). */
static char batch[PIPE_BUF];
static size_t batched;

static void batch_flush(void)
{
	if (batched)
		log_raw(batch, batched);
	batched = 0;
}

static void line_out(struct ring *r, const char *name)
{
	size_t nl = strlen(name), n = nl + 3 + r->linelen;

	if (n > sizeof(batch) - batched)
		batch_flush();
	memcpy(batch + batched, name, nl);
	memcpy(batch + batched + nl, ": ", 2);
	memcpy(batch + batched + nl + 2, r->line, r->linelen);
	batch[batched + n - 1] = '\n';
	batched += n;
	r->linelen = 0;
}

void ring_feed(struct ring *r, const char *name, const char *buf, size_t len)
{
	ring_put(r, buf, len);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			line_out(r, name);
			continue;
		}
		if (r->linelen == sizeof(r->line))
			line_out(r, name);
		r->line[r->linelen++] = buf[i];
	}
	batch_flush();
}

void ring_flush(struct ring *r, const char *name)
{
	if (r->linelen)
		line_out(r, name);
	batch_flush();
}

void ring_spans(const struct ring *r, const char **a, size_t *alen,
		const char **b, size_t *blen)
{
	size_t start = (r->head + r->size - r->len) % (r->size ? r->size : 1);

	if (start + r->len <= r->size) {
		*a = r->buf + start;
		*alen = r->len;
		*b = NULL;
		*blen = 0;
	} else {
		*a = r->buf + start;
		*alen = r->size - start;
		*b = r->buf;
		*blen = r->len - *alen;
	}
}
