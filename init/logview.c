/* logview: what `initctl log` shows (SPEC §5): one ring, or every ring
 * merged in time order; timed, filtered, the last N, followed. A view
 * holds a position in each ring it reads, never a copy of the lines, so
 * any number of readers cost PID 1 a few bytes each. The kernel's
 * messages are read where the kernel keeps them, through a reader of the
 * view's own (kmsg.c), one record ahead: the merge needs its time. */
#include "logview.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf_value.h"
#include "kmsg.h"
#include "log.h"

struct cursor {
	struct ring *r;		/* NULL: the kernel's records (struct kern) */
	unsigned id;		/* R is gone once its id differs */
	uint64_t pos;		/* the kernel's, in set_last: records of SEEN ahead */
	int64_t us;		/* the time of the line the merge takes next from it */
	uint64_t lost;		/* bytes the ring dropped before this reader read them */
};

/* /dev/kmsg reads forward only. -n N reads it to its end first, keeping
 * the sequence number and time of the last N records that match (at most
 * as many as the kernel keeps); set_last then sees where the view's last N
 * lines start, and the reader goes back to the oldest record and passes
 * over those before FROM. */
struct kern {
	int fd;
	int counting;		/* -n: that first read is under way */
	int have;		/* REC and TEXT: the next record */
	uint64_t last;		/* -n N */
	uint64_t from;		/* the first record shown */
	uint64_t end;		/* after the last record the first read saw */
	struct seen { uint64_t seq; int64_t us; } *seen;	/* a circle */
	size_t nseen, cap, at;	/* AT: the oldest's index */
	struct log_rec rec;
	char text[LOG_LINE_MAX + 1];
};

/* The merge (forward in logview_read, backward in set_last) keeps the
 * cursors with a line in a binary heap: a line costs log R, not R. The
 * kernel's cursor, if any, is the last. */
struct logview {
	int follow, timed, merged, level;
	struct kern *k;		/* the kernel's records, or NULL (after cur) */
	int n;
	int nh;			/* cursors in the heap */
	int *h;			/* their indices (n of room, after cur) */
	struct cursor cur[];
};

/* A level as logger(1) takes it: a name in any case, the deprecated
 * panic, error and warn of syslog.conf(5), or its number. */
__attribute__((noinline)) static int parse_level(const char *s)
{
	/* the eight levels, then the three old names: one string, the
	 * names apart by NULs (no table of pointers) */
	static const char names[] = "emerg\0alert\0crit\0err\0warning\0notice\0info\0debug\0"
				    "panic\0error\0warn";
	const char *n = names;

	if (s[0] >= '0' && s[0] <= '7' && !s[1])
		return s[0] - '0';
	for (int i = 0; i < 11; i++, n += strlen(n) + 1)
		if (!strcasecmp(s, n))
			return i < 8 ? i : "\0\3\4"[i - 8];
	return -1;
}

static int parse_count(const char *s, uint64_t *n)
{
	return conf_number(s, UINT64_MAX, n);
}

/* Is C's ring still the one it was opened on? Brings a position the
 * ring has dropped meanwhile up to its oldest line, counting what it
 * skips (logview_lost). */
static int live(struct cursor *c)
{
	if (!c->r)
		return 1;
	if (c->r->id != c->id)
		return 0;
	if (c->pos < c->r->tail) {
		c->lost += c->r->tail - c->pos;
		c->pos = c->r->tail;
	}
	return 1;
}

/* Did a reader skip lines (logview_lost)? */
static int any_lost(const struct logview *v)
{
	for (int i = 0; i < v->n; i++)
		if (v->cur[i].lost)
			return 1;
	return 0;
}

/* Does cursor A come before cursor B? Forward the earlier line, of equal
 * times the earlier ring; backward (REV) the other way round. */
__attribute__((noinline)) static int before(const struct logview *v, int a, int b, int rev)
{
	int64_t x = v->cur[a].us, y = v->cur[b].us;

	if (x != y)
		return rev ? x > y : x < y;
	return rev ? a > b : a < b;
}

/* The heap again from its slot K down. */
static void sift(struct logview *v, int k, int rev)
{
	for (;;) {
		int m = k, l = 2 * k + 1, t;

		if (l < v->nh && before(v, v->h[l], v->h[m], rev))
			m = l;
		if (l + 1 < v->nh && before(v, v->h[l + 1], v->h[m], rev))
			m = l + 1;
		if (m == k)
			return;
		t = v->h[k];
		v->h[k] = v->h[m];
		v->h[m] = t;
		k = m;
	}
}

static void heapify(struct logview *v, int rev)
{
	for (int k = v->nh / 2 - 1; k >= 0; k--)
		sift(v, k, rev);
}

/* The first cursor has moved: its new place, or out (KEEP 0). */
static void settle(struct logview *v, int keep, int rev)
{
	if (!keep)
		v->h[0] = v->h[--v->nh];
	sift(v, 0, rev);
}

static int matches(const struct logview *v, const struct log_rec *rec)
{
	return rec->sev <= v->level;
}

/* The I-th oldest of the records the first read kept. */
static struct seen *seen_at(const struct kern *k, size_t i)
{
	return &k->seen[(k->at + i) % k->cap];
}

/* The time of the line before C's position as its key: 0 if none. */
static int key_back(const struct logview *v, struct cursor *c)
{
	if (!c->r) {
		if (c->pos)
			c->us = seen_at(v->k, c->pos - 1)->us;
		return c->pos > 0;
	}
	if (c->pos <= c->r->tail)
		return 0;
	c->us = ring_time(c->r, ring_prev(c->r, c->pos));
	return 1;
}

/* -n N: each cursor back to where the last N matching lines start, read
 * back from the ends in time order (the latest first; of equal times the
 * later ring, as the forward merge reads them last): the lines before are
 * never looked at. A cursor's key is the time of the line before it. */
static void set_last(struct logview *v, uint64_t last)
{
	struct cursor *c;

	v->nh = 0;
	for (int i = 0; i < v->n; i++) {
		c = &v->cur[i];
		c->pos = c->r ? c->r->head : v->k->nseen;	/* all of them match */
		if (key_back(v, c))
			v->h[v->nh++] = i;
	}
	heapify(v, 1);
	while (last && v->nh) {
		c = &v->cur[v->h[0]];
		if (c->r) {
			c->pos = ring_prev(c->r, c->pos);
			last -= ring_sev(c->r, c->pos) <= v->level;
		} else {
			c->pos--;
			last--;
		}
		settle(v, key_back(v, c), 1);
	}
	if (v->k) {
		c = &v->cur[v->n - 1];
		v->k->from = c->pos < v->k->nseen ? seen_at(v->k, c->pos)->seq : v->k->end;
	}
}

/* Keep SEQ and US, a matching record of the first read: the last N. */
static void keep(struct kern *k, uint64_t seq, int64_t us)
{
	/* A larger circle while it is in order (AT 0); short of memory,
	 * the last CAP. */
	if (k->nseen == k->cap && !k->at && k->cap < k->last) {
		size_t cap = k->cap * 2 + 64;
		struct seen *p;

		if (cap > k->last)
			cap = (size_t)k->last;
		p = realloc(k->seen, cap * sizeof(*p));
		if (p) {
			k->seen = p;
			k->cap = cap;
		}
	}
	if (!k->cap)
		return;
	*seen_at(k, k->nseen) = (struct seen){ seq, us };
	if (k->nseen < k->cap)
		k->nseen++;
	else
		k->at = (k->at + 1) % k->cap;
}

/* The kernel's next record, those before FROM passed over, into K->REC
 * and K->TEXT (cut at LOG_LINE_MAX, with its '\n'): 1 it is there, 0 none
 * for now, -1 the read's LOGVIEW_SCAN_MAX reached (*SEEN). -n's first read
 * comes first: on to the kernel's last record, then where the view starts
 * (set_last: only while no read holds the heap), and back to the oldest. */
static int fill(struct logview *v, int *seen)
{
	struct kern *k = v->k;
	struct kmsg_rec r;

	while (!k->have) {
		if (*seen >= LOGVIEW_SCAN_MAX)
			return -1;
		(*seen)++;
		if (!kmsg_next(k->fd, &r)) {
			if (!k->counting)
				return 0;
			set_last(v, k->last);
			free(k->seen);
			k->seen = NULL;
			k->counting = 0;
			/* (should it fail, the view shows what comes from now) */
			kmsg_rewind(k->fd);
		} else if (k->counting) {
			k->end = r.seq + 1;
			if (r.sev <= v->level)
				keep(k, r.seq, r.us);
		} else if (r.seq >= k->from) {
			if (r.len > LOG_LINE_MAX)
				r.len = LOG_LINE_MAX;
			memcpy(k->text, r.text, r.len);
			k->text[r.len] = '\n';
			k->rec = (struct log_rec){ .us = r.us, .sev = r.sev, .len = r.len + 1 };
			k->have = 1;
		}
	}
	return 1;
}

struct logview *logview_open(char **args, int nargs, char *err, size_t errsize, int *code)
{
	int follow = 0, timed = 0, level = 7, have_n = 0, opts = 1, i;
	uint64_t last = 0;
	const char *name = NULL;
	struct logview *v;
	struct ring *r;
	int n = 0, kernel, fd, shadow = 0, pid1 = 0;

	*code = 2;
	/* As getopt(3) would take them: -ft, -n5, -n 5, -perr, and "--"
	 * before a NAME that begins with '-'. */
	for (i = 0; i < nargs; i++) {
		const char *a = args[i], *bad = NULL;

		if (opts && a[0] == '-' && a[1] == '-' && !a[2]) {
			opts = 0;
			continue;
		}
		if (!opts || a[0] != '-' || !a[1]) {
			if (name) {
				bad = a;
			} else {
				name = a;	/* options may follow it */
				continue;
			}
		}
		for (const char *o = a + 1; !bad && *o; o++) {
			const char *val;

			if (*o == 'f') {
				follow = 1;
				continue;
			}
			if (*o == 't') {
				timed = 1;
				continue;
			}
			val = o[1] ? o + 1 : i + 1 < nargs ? args[++i] : NULL;
			if (*o == 'n' && val && parse_count(val, &last) == 0) {
				have_n = 1;
			} else if (*o == 'p' && val) {
				if ((level = parse_level(val)) < 0) {
					snprintf(err, errsize, "log: unknown level '%s' (emerg to debug, or 0-7)", val);
					return NULL;
				}
			} else {
				bad = a;
			}
			break;
		}
		if (bad) {
			snprintf(err, errsize, "log: bad option or argument '%s'", bad);
			return NULL;
		}
	}
	/* (no ring is named kernel: conf_service.c) A service's ring
	 * shadows PID 1's of its name (a service named syslog). */
	kernel = !name || !strcmp(name, "kernel");
	for (r = ring_first(); r; r = r->next) {
		int named = !name || !strcmp(r->name, name);

		n += named;
		shadow |= named && name && !r->pid1;
		pid1 += named && r->pid1;
	}
	if (shadow)
		n -= pid1;
	*code = 1;
	if (!n && !kernel) {
		snprintf(err, errsize, "no service '%s'", name);
		return NULL;
	}
	/* The merged view goes on without the kernel's if it cannot read
	 * them. */
	fd = kernel ? kmsg_open() : -1;
	if (fd < 0 && kernel && name)
		goto fail;
	kernel = fd >= 0;
	/* the cursors, the kernel's state, the heap */
	v = calloc(1, sizeof(*v) + (size_t)(n + kernel) * (sizeof(v->cur[0]) + sizeof(*v->h)) +
			      (size_t)kernel * sizeof(*v->k));
	if (!v)
		goto fail;
	v->follow = follow;
	v->timed = timed;
	v->merged = !name;
	v->level = level;
	for (r = ring_first(); r; r = r->next)
		if (!name || (!strcmp(r->name, name) && !(shadow && r->pid1)))
			v->cur[v->n++] = (struct cursor){ .r = r, .id = r->id, .pos = r->tail };
	v->h = (int *)&v->cur[v->n + kernel];
	if (kernel) {
		v->n++;
		v->k = (struct kern *)v->h;
		v->h = (int *)(v->k + 1);
		v->k->fd = fd;
		v->k->last = last;
		/* once the kernel's records are read: count */
		v->k->counting = have_n;
	} else if (have_n) {
		set_last(v, last);
	}
	return v;
fail:
	snprintf(err, errsize, "log: %s%m", fd < 0 && kernel ? "/dev/kmsg: " : "");
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Snprintf's count, kept within the SIZE - N left (its NUL aside). */
static size_t put(size_t n, size_t size, int w)
{
	if (w < 0)
		return n;
	return n + (size_t)w < size ? n + (size_t)w : size - 1;
}

/* One line into BUF of SIZE bytes, bounded whatever the format: a line
 * that could not fit is cut (LOGVIEW_LINE_MAX makes room for the longest). */
static size_t render(const struct logview *v, const char *name, const struct log_rec *rec,
		     const char *text, char *buf, size_t size)
{
	size_t n = 0, len = rec->len;

	if (v->timed)
		n = log_stamp(buf, rec->us);	/* (SIZE >= LOGVIEW_LINE_MAX) */
	if (v->merged) {
		/* the console's form (SPEC §4), controls made visible; the
		 * name, a ring's (LOG_NAME_MAX at most) or "kernel", fits in
		 * LOGVIEW_LINE_MAX's 32 + 2 */
		_Static_assert(LOG_NAME_MAX <= 32, "logview: LOGVIEW_LINE_MAX's room for a name");
		if (len && text[len - 1] == '\n')
			len--;
		return n + log_named(buf + n, size - n, name, text, len);
	}
	if (len > size - 1 - n)
		len = size - 1 - n;
	memcpy(buf + n, text, len);
	n += len;
	/* A plain view gives back the bytes as written; a line cut at
	 * LOG_LINE_MAX is a line of its own in the others. */
	if (v->timed && (!len || text[len - 1] != '\n'))
		buf[n++] = '\n';
	return n;
}

/* C's next line's time as its key: 1 if it has one, 0 if not. */
static int key(struct logview *v, struct cursor *c)
{
	if (!c->r) {
		c->us = v->k->rec.us;
		return v->k->have;
	}
	if (!live(c) || c->pos >= c->r->head)
		return 0;
	c->us = ring_time(c->r, c->pos);
	return 1;
}

size_t logview_lost(struct logview *v, char *buf, size_t size)
{
	size_t n = 0;

	for (int i = 0; i < v->n && size - n > 1; i++) {
		struct cursor *c = &v->cur[i];

		if (!c->lost)
			continue;
		n = put(n, size, snprintf(buf + n, size - n,
					  "initctl: log: %s: %llu bytes of lines lost here\n",
					  c->r->name, (unsigned long long)c->lost));
		c->lost = 0;
	}
	return n;
}

size_t logview_read(struct logview *v, char *buf, size_t size, int *done)
{
	char text[LOG_LINE_MAX + 1];
	struct log_rec rec;
	size_t n = 0;
	int seen = 0;

	*done = -1;
	/* the kernel's next (after -n's first read) before anything: until
	 * it is known, nothing may come before it */
	if (v->k && fill(v, &seen) < 0)
		return 0;
	/* The heap afresh: rings grow (or go) between reads, never during one. */
	v->nh = 0;
	for (int i = 0; i < v->n; i++)
		if (key(v, &v->cur[i]))
			v->h[v->nh++] = i;
	heapify(v, 0);
	/* A gap: logview_lost's line first, in its place. */
	if (any_lost(v))
		return 0;
	while (size - n >= LOGVIEW_LINE_MAX && v->nh) {
		struct cursor *c = &v->cur[v->h[0]];
		const char *t = text;

		if (seen++ >= LOGVIEW_SCAN_MAX)
			return n;
		if (c->r) {
			c->pos = ring_read(c->r, c->pos, &rec, text);
		} else {
			rec = v->k->rec;
			t = v->k->text;
			v->k->have = 0;
		}
		if (matches(v, &rec))
			n += render(v, c->r ? c->r->name : "kernel", &rec, t, buf + n, size - n);
		if (!c->r && fill(v, &seen) < 0)
			return n;
		settle(v, key(v, c), 0);
		if (c->lost)
			return n;
	}
	*done = 0;
	if (!v->nh) {
		int any = 0;

		for (int i = 0; i < v->n; i++)
			any |= live(&v->cur[i]);
		*done = !v->follow || !any;
	}
	return n;
}

int logview_follows(const struct logview *v)
{
	return v->follow;
}

int logview_ready(const struct logview *v)
{
	for (int i = 0; i < v->n; i++) {
		const struct cursor *c = &v->cur[i];

		if (c->r ? c->r->id != c->id || c->pos < c->r->head
			 : v->k->counting || v->k->have)
			return 1;
	}
	return 0;
}

int logview_kernel_fd(const struct logview *v)
{
	return v->k ? v->k->fd : -1;
}

void logview_close(struct logview *v)
{
	if (v->k) {
		close(v->k->fd);
		free(v->k->seen);
	}
	free(v);
}
