/* log: PID 1's console lines and the rings of timed lines (SPEC §5 `log`). */
#include "log.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logfile.h"
#include "loop.h"
#include "util.h"

#define HDR 8
#define TRL 2	/* the text's length again, after it: read back from the end */
#define PID1_RING_SIZE (64 << 10)
/* Before the records, the partial lines of stdout and stderr, each with
 * room for its '\n'. */
#define PARTS 4096

static int console_fd = STDOUT_FILENO;
static pid_t log_owner;	/* PID 1: the loop's console watch is its own */
static struct ring *rings;
static unsigned last_id;
struct ring log_pid1_ring;

int64_t log_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

size_t log_secs(char *buf, int64_t us, int width)
{
	char t[32], *p = t + sizeof(t);
	uint64_t v = us < 0 ? 0 : (uint64_t)us;
	size_t n;

	/* right to left: the microseconds, '.', the seconds, the spaces */
	for (int i = 0; i < 6; i++, v /= 10)
		*--p = (char)('0' + v % 10);
	*--p = '.';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	while (p > t && (size_t)(t + sizeof(t) - p) < 7 + (size_t)width)
		*--p = ' ';
	n = (size_t)(t + sizeof(t) - p);
	memcpy(buf, p, n);
	return n;
}

size_t log_stamp(char *buf, int64_t us)
{
	size_t n = log_secs(buf + 1, us, 5);

	buf[0] = '[';
	memcpy(buf + n + 1, "] ", 3);
	return n + 3;
}

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
	log_owner = getpid();
	if (!log_pid1_ring.id && ring_init(&log_pid1_ring, PID1_RING_SIZE, "sandinit") == 0)
		log_pid1_ring.pid1 = 1;
}

/* The rest of a console line a full console took only part of: written
 * before anything else, so no other line (nor another process's) starts
 * in the middle of it. */
static char cut[32 + 2 + LOG_LINE_MAX + 1];
static size_t cut_len;

/* Write what fits; return how much. */
static size_t console_try(const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(console_fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return done;
}

/* BUF onto the console; the rest of a line it took only part of is kept
 * in CUT. */
static void console_put_rest(const char *buf, size_t len)
{
	size_t n = console_try(buf, len);

	if (n && n < len && buf[n - 1] != '\n' && errno == EAGAIN) {
		const char *nl = memchr(buf + n, '\n', len - n);
		size_t rest = nl ? (size_t)(nl + 1 - (buf + n)) : len - n;

		if (rest > sizeof(cut))
			rest = sizeof(cut);
		memcpy(cut, buf + n, rest);
		cut[rest - 1] = '\n';
		cut_len = rest;
	}
}

static void console_put(const char *buf, size_t len);

/* The loop watches the console while a cut line waits: its rest goes out
 * once there is room, not only when the next line comes (which may be
 * never). */
static struct watch console_w = { .fd = -1 };

static void on_console(struct watch *w, uint32_t events)
{
	(void)w;
	(void)events;
	console_put("", 0);
}

static void console_put(const char *buf, size_t len)
{
	if (cut_len) {
		size_t n = console_try(cut, cut_len);

		memmove(cut, cut + n, cut_len - n);
		cut_len -= n;
		/* Gone (EIO on a hung-up tty): the rest with it. */
		if (cut_len && errno != EAGAIN)
			cut_len = 0;
	}
	/* While it is still full, these lines are dropped from the console,
	 * never from the ring. */
	if (!cut_len)
		console_put_rest(buf, len);
	/* The watch is PID 1's: a child of it that logs (the rescue program
	 * that cannot be run) shares its epoll set, and must not leave an
	 * entry there that nobody handles. */
	if ((cut_len != 0) == (console_w.fd >= 0) || getpid() != log_owner)
		return;
	if (cut_len) {
		console_w.fd = console_fd;
		console_w.fn = on_console;
		if (loop_add_events(&console_w, EPOLLOUT) < 0)
			console_w.fd = -1;
	} else {
		loop_del(&console_w);
		console_w.fd = -1;
	}
}

void log_raw(const char *buf, size_t len)
{
	/* The console may be gone (EIO on a hung-up tty), or full (EAGAIN):
	 * what does not fit is dropped, whole lines but for the one it took
	 * only part of. */
	int e = errno;

	console_put(buf, len);
	logfile_write(buf, len);
	errno = e;
}

/* The length of the UTF-8 sequence at P (LEFT bytes on) if it is valid
 * and not a C1 control (U+0080..U+009F), else 0: shortest form, no
 * surrogate, at most U+10FFFF. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	static const uint32_t least[] = { 0, 0, 0xa0, 0x800, 0x10000 };
	size_t k = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	uint32_t c = p[0] & (0x7f >> k);

	if (p[0] < 0xc2 || p[0] > 0xf4 || k > left)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	return c < least[k] || c > 0x10ffff || (c >= 0xd800 && c < 0xe000) ? 0 : k;
}

static size_t visible(char *dst, size_t size, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)text;
	size_t n = 0;

	for (size_t i = 0, k; i < len; i += k) {
		if (p[i] >= 0x80)
			k = utf8_len(p + i, len - i);
		else
			k = p[i] >= 0x20 && p[i] != 0x7f ? 1 : p[i] == '\t';
		if (k) {
			if (n + k > size)
				break;
			memcpy(dst + n, p + i, k);
			n += k;
			continue;
		}
		if (n + 4 > size)
			break;
		dst[n++] = '\\';
		dst[n++] = 'x';
		dst[n++] = hex[p[i] >> 4];
		dst[n++] = hex[p[i] & 15];
		k = 1;
	}
	return n;
}

size_t log_named(char *dst, size_t size, const char *name, const char *text, size_t len)
{
	size_t nl = strlen(name), n;

	memcpy(dst, name, nl);
	memcpy(dst + nl, ": ", 2);
	n = nl + 2 + visible(dst + nl + 2, size - nl - 3, text, len);
	dst[n++] = '\n';
	return n;
}

/* The console lines of one ring_feed, written together: a chunk of many
 * short lines costs one write(2), not one a line. At most PIPE_BUF bytes
 * a write: on a pipe that is all or nothing, so a full pipe drops whole
 * lines, never half of one (a line is at most 32 + 2 + LOG_LINE_MAX + 1). */
static char batch[PIPE_BUF] PAGE_BUF;
static size_t batched;

static void batch_flush(void)
{
	if (batched)
		log_raw(batch, batched);
	batched = 0;
}

/* A line as `NAME: text` (log_named): cut at PIPE_BUF when that makes it
 * longer. */
static void console_line(const char *name, const char *text, size_t len)
{
	char line[sizeof(batch)];
	size_t n = log_named(line, sizeof(line), name, text, len);

	if (n > sizeof(batch) - batched)
		batch_flush();
	memcpy(batch + batched, line, n);
	batched += n;
}

/* The severity of a line of PID 1's, from the words STYLE.md has its
 * messages use: a failure says "unable to", a loss or a kill says so. */
static int pid1_sev(const char *msg)
{
	/* each list one string, its words apart by NULs, ended by an empty
	 * one (no table of pointers) */
	static const char words[] = "unable to\0OOM killer\0 is invalid\0failed \0"
				    "not applied\0\0"
				    "exited with\0by signal\0did not stop\0"
				    "still there\0dropped\0does not end\0ignored\0"
				    "someone else\0";
	const char *w = words;

	for (int sev = LOG_SEV_ERR; sev <= LOG_SEV_WARNING; sev++, w++)
		for (; *w; w += strlen(w) + 1)
			if (strstr(msg, w))
				return sev;
	return LOG_SEV_INFO;
}

/* (no vector registers saved for va_arg: fmt.c reads no floating point) */
__attribute__((target("general-regs-only")))
void log_msg(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	int n;
	int e = errno;

	va_start(ap, fmt);
	errno = e;	/* so %m still means the caller's errno */
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (log_pid1_ring.id)
		ring_line(&log_pid1_ring, LOG_STDOUT, pid1_sev(buf), log_now_us(), buf,
			  (size_t)n, 1);
	else
		console_line("sandinit", buf, (size_t)n);
	batch_flush();
	errno = e;
}

int ring_init(struct ring *r, size_t size, const char *name)
{
	char *map;

	memset(r, 0, sizeof(*r));
	/* Pages of its own, touched only as the service writes: an idle
	 * service costs no resident memory (malloc would touch its edges).
	 * The two partial lines come first. */
	/* Room for the headers and trailers of lines of 32 bytes on average. */
	r->cap = size + size * (HDR + TRL) / 32;
	map = mmap(NULL, r->cap + PARTS, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return -1;
	r->buf = map + PARTS;
	r->size = size;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->id = ++last_id;
	r->next = rings;
	rings = r;
	return 0;
}

void ring_free(struct ring *r)
{
	if (!r->id)
		return;
	for (struct ring **p = &rings; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			break;
		}
	}
	munmap(r->buf - PARTS, r->cap + PARTS);
	memset(r, 0, sizeof(*r));
}

struct ring *ring_first(void)
{
	return rings;
}

struct ring *ring_by_id(unsigned id)
{
	for (struct ring *r = rings; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

/* Copy LEN bytes at ring position POS, wrapping. */
static void put(struct ring *r, uint64_t pos, const void *src, size_t len)
{
	size_t at = (size_t)(pos % r->cap), first = r->cap - at;

	if (first > len)
		first = len;
	memcpy(r->buf + at, src, first);
	memcpy(r->buf, (const char *)src + first, len - first);
}

static void get(const struct ring *r, uint64_t pos, void *dst, size_t len)
{
	size_t at = (size_t)(pos % r->cap), first = r->cap - at;

	if (first > len)
		first = len;
	memcpy(dst, r->buf + at, first);
	memcpy((char *)dst + first, r->buf, len - first);
}

/* The header: 11 bits of length, 2 of stream, 3 of severity; 48 bits of
 * µs (8.9 years of uptime), little-endian. After the text its length again
 * (16 bits): a reader that wants the last N lines walks back from HEAD. */
__attribute__((noinline)) static size_t rec_len(const struct ring *r, uint64_t pos)
{
	unsigned char h[2];

	get(r, pos, h, 2);
	return (size_t)(h[0] | (h[1] & 7) << 8);
}

/* Drop the oldest record. */
static void drop_oldest(struct ring *r)
{
	size_t len = rec_len(r, r->tail);

	r->tail += HDR + len + TRL;
	r->text -= len;
	r->skip = 0;
}

static void ring_put(struct ring *r, int stream, int sev, int64_t us, const char *text,
		     size_t len)
{
	unsigned char h[HDR];
	uint64_t t = us < 0 ? 0 : (uint64_t)us;

	if (!r->id || HDR + len + TRL > r->cap || len > r->size)
		return;
	while (r->head - r->tail + HDR + len + TRL > r->cap)
		drop_oldest(r);
	/* The text kept is the last SIZE bytes, as without the headers: the
	 * oldest line may be kept in part. */
	while (r->text - r->skip + len > r->size) {
		size_t excess = r->text - r->skip + len - r->size;

		if (rec_len(r, r->tail) - r->skip <= excess)
			drop_oldest(r);
		else
			r->skip += excess;
	}
	h[0] = (unsigned char)len;
	h[1] = (unsigned char)((len >> 8) | (unsigned)stream << 3 | (unsigned)sev << 5);
	t = htole64(t);
	memcpy(h + 2, &t, 6);
	put(r, r->head, h, HDR);
	put(r, r->head + HDR, text, len);
	put(r, r->head + HDR + len, h, TRL);
	r->head += HDR + len + TRL;
	r->text += len;
}

uint64_t ring_read(const struct ring *r, uint64_t pos, struct log_rec *rec, char *text)
{
	unsigned char h[HDR];

	get(r, pos, h, HDR);
	rec->len = (size_t)(h[0] | (h[1] & 7) << 8);
	rec->stream = h[1] >> 3 & 3;
	rec->sev = h[1] >> 5;
	rec->us = ring_time(r, pos);
	if (pos == r->tail && r->skip) {
		get(r, pos + HDR + r->skip, text, rec->len - r->skip);
		rec->len -= r->skip;
		return pos + HDR + rec->len + r->skip + TRL;
	}
	get(r, pos + HDR, text, rec->len);
	return pos + HDR + rec->len + TRL;
}

uint64_t ring_prev(const struct ring *r, uint64_t pos)
{
	unsigned char t[TRL];

	get(r, pos - TRL, t, TRL);
	return pos - TRL - (size_t)(t[0] | (t[1] & 7) << 8) - HDR;
}

int ring_sev(const struct ring *r, uint64_t pos)
{
	unsigned char h[2];

	get(r, pos, h, 2);
	return h[1] >> 5;
}

void ring_line(struct ring *r, int stream, int sev, int64_t us, const char *text,
	       size_t len, int console)
{
	char line[LOG_LINE_MAX + 1];

	if (len > LOG_LINE_MAX)
		len = LOG_LINE_MAX;
	memcpy(line, text, len);
	line[len] = '\n';
	ring_put(r, stream, sev, us, line, len + 1);
	if (console) {
		console_line(r->name, text, len);
		batch_flush();
	}
}

/* Stream S's partial line ends: with a '\n' (NL) or cut. */
static void part_out(struct ring *r, int s, int nl)
{
	char *line = r->buf - PARTS + s * (PARTS / 2);
	size_t len = r->part[s];

	line[len] = '\n';
	ring_put(r, s, s == LOG_STDERR ? LOG_SEV_ERR : LOG_SEV_INFO, log_now_us(), line,
		 len + (nl ? 1 : 0));
	console_line(r->name, line, len);
	r->part[s] = 0;
}

void ring_feed(struct ring *r, int s, const char *buf, size_t len)
{
	char *line;

	if (!r->id || (s != LOG_STDOUT && s != LOG_STDERR))
		return;
	line = r->buf - PARTS + s * (PARTS / 2);
	for (size_t i = 0; i < len;) {
		size_t room = LOG_LINE_MAX - r->part[s], n = len - i;
		/* a '\n' right after a full line still ends that line */
		const char *nl = memchr(buf + i, '\n', n < room + 1 ? n : room + 1);

		if (!nl && !room) {
			part_out(r, s, 0);
			continue;
		}
		if (nl)
			n = (size_t)(nl - (buf + i));
		else if (n > room)
			n = room;
		memcpy(line + r->part[s], buf + i, n);
		r->part[s] += (uint16_t)n;
		i += n;
		if (nl) {
			part_out(r, s, 1);
			i++;
		}
	}
	batch_flush();
}

void ring_flush(struct ring *r)
{
	for (int s = LOG_STDOUT; r->id && s <= LOG_STDERR; s++)
		if (r->part[s])
			part_out(r, s, 0);
	batch_flush();
}

int64_t ring_time(const struct ring *r, uint64_t pos)
{
	uint64_t t = 0;

	get(r, pos + 2, &t, 6);	/* the header's 48 bits of time */
	return (int64_t)le64toh(t);
}
