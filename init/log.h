/* log: PID 1's console lines and the per-service ring buffers. */
#ifndef SANDINIT_LOG_H
#define SANDINIT_LOG_H

#include <stddef.h>

#define LOG_LINE_MAX 1024

/* A service's output: a ring of its last SIZE bytes, and the line being
 * assembled for the console. */
struct ring {
	char *buf;
	size_t size, head, len;	/* head: next write position */
	char line[LOG_LINE_MAX];
	size_t linelen;
};

/* Once /proc is mounted: the console's own non-blocking description. */
void log_console_init(void);
/* `sandinit: ...` on the console (PID 1's stdout). Never fails, never
 * blocks for long: the console is opened O_NONBLOCK-tolerant by boot. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write raw bytes to the console. */
void log_raw(const char *buf, size_t len);

int ring_init(struct ring *r, size_t size);
void ring_free(struct ring *r);
/* Append LEN bytes of NAME's output: into the ring, and each complete line
 * to the console as `NAME: line` (a line longer than LOG_LINE_MAX is cut). */
void ring_feed(struct ring *r, const char *name, const char *buf, size_t len);
/* Flush a final partial line (at the service's exit). */
void ring_flush(struct ring *r, const char *name);
/* Copy the ring's contents, oldest first, into two spans. */
void ring_spans(const struct ring *r, const char **a, size_t *alen,
		const char **b, size_t *blen);

#endif
