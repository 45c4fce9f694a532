/* log: PID 1's console lines and the rings of timed lines (SPEC §5 `log`). */
#ifndef SANDINIT_LOG_H
#define SANDINIT_LOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_LINE_MAX 1024
#define LOG_NAME_MAX 32
/* syslog(3) severities (LOG_ERR...), as kept with each line. */
#define LOG_SEV_ERR 3
#define LOG_SEV_WARNING 4
#define LOG_SEV_INFO 6

enum log_stream { LOG_STDOUT, LOG_STDERR, LOG_SYSLOG, LOG_KERNEL };

/* A ring of records, each an 8-byte header (text length, stream,
 * severity, boot time in µs), the text, its '\n' included if it had one
 * (a line cut at LOG_LINE_MAX has none), and its length again in 2 bytes. It keeps the last SIZE bytes of
 * text (the oldest line perhaps in part: its first SKIP bytes gone) in CAP
 * bytes, while the headers fit. HEAD and TAIL count bytes ever written: a
 * reader's position stays valid while it is >= TAIL. The service's two
 * streams assemble their lines before BUF (the same mapping). */
struct ring {
	char *buf;
	size_t size, cap, text, skip;
	uint64_t head, tail;
	unsigned id;		/* 0: not set up; else unique for PID 1's life */
	unsigned char pid1;	/* PID 1's own (sandinit, syslog): a service's of its name shadows it */
	uint16_t part[2];	/* bytes of the partial stdout, stderr line */
	char name[LOG_NAME_MAX + 1];
	struct ring *next;	/* every ring set up, for the merged view */
};

/* One record as read back. */
struct log_rec {
	int64_t us;
	int stream, sev;
	size_t len;		/* of TEXT, its '\n' included */
};

/* `NAME: TEXT\n` as the console shows it (SPEC §4): in TEXT a control
 * character (C0 but tab, DEL) or a byte that is not part of valid UTF-8 (a
 * C1 control, alone or encoded) as `\xNN`, so that no service drives the
 * operator's terminal. Into DST of SIZE bytes (more than NAME's length + 3),
 * TEXT cut before the first byte that does not fit; returns the length. TEXT
 * takes at most LOG_VISIBLE_MAX for a LOG_LINE_MAX line. */
#define LOG_VISIBLE_MAX (4 * LOG_LINE_MAX)
size_t log_named(char *dst, size_t size, const char *name, const char *text, size_t len);

/* Once /proc is mounted: the console's own non-blocking description, and
 * PID 1's own ring. */
void log_console_init(void);
/* `sandinit: ...` on the console (PID 1's stdout) and in the ring named
 * sandinit. Never fails, never blocks for long. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write raw bytes to the console. */
void log_raw(const char *buf, size_t len);
/* CLOCK_BOOTTIME in µs: the rings' time. */
int64_t log_now_us(void);
/* US as a line's time prefix `[%5lld.%06lld] ` into BUF (24 bytes at
 * most, its NUL included: LOGVIEW_TIME_MAX); returns its length. */
size_t log_stamp(char *buf, int64_t us);
/* US as seconds (right-aligned in WIDTH) '.' microseconds (6 digits), no
 * NUL: the stamp's, and `status NAME`'s cpu. */
size_t log_secs(char *buf, int64_t us, int width);

/* Set up R (SIZE bytes of records) under NAME, listed for the merged view. */
int ring_init(struct ring *r, size_t size, const char *name);
void ring_free(struct ring *r);
/* Append LEN bytes a service wrote to STREAM (LOG_STDOUT, LOG_STDERR):
 * each complete line into the ring and to the console as `NAME: line` (a
 * line longer than LOG_LINE_MAX is cut). */
void ring_feed(struct ring *r, int stream, const char *buf, size_t len);
/* Flush final partial lines (at the service's exit). */
void ring_flush(struct ring *r);
/* Append one whole line (no '\n' in TEXT) of STREAM and SEV at US; to the
 * console too if CONSOLE. */
void ring_line(struct ring *r, int stream, int sev, int64_t us, const char *text,
	       size_t len, int console);
/* Read the record at POS (TAIL <= POS < HEAD) into REC and TEXT (at least
 * LOG_LINE_MAX + 1 bytes); returns the position of the next. */
uint64_t ring_read(const struct ring *r, uint64_t pos, struct log_rec *rec, char *text);
/* The time and the severity of the record at POS. */
int64_t ring_time(const struct ring *r, uint64_t pos);
int ring_sev(const struct ring *r, uint64_t pos);
/* The position of the record before the one at POS (TAIL < POS <= HEAD). */
uint64_t ring_prev(const struct ring *r, uint64_t pos);
/* The rings set up, first to last; and the one with ID, or NULL. */
struct ring *ring_first(void);
struct ring *ring_by_id(unsigned id);
/* PID 1's own. */
extern struct ring log_pid1_ring;

#endif
