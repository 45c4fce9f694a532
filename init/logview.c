/* logview: what `initctl log` shows (SPEC §5): one ring, or every ring
 * merged in time order; timed, filtered, the last N, followed. A view
 * holds a position in each ring it reads, never a copy of the lines, so
 * any number of readers cost PID 1 a few bytes each. */
#include "logview.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_value.h"
#include "log.h"

struct cursor {
	struct ring *r;
	unsigned id;		/* R is gone once its id differs */
	uint64_t pos;
	int64_t us;		/* the time of the line the merge takes next from it */
};

/* The merge (forward in logview_read, backward in set_last) keeps the
 * cursors with a line in a binary heap: a line costs log R, not R. */
struct logview {
	int follow, timed, merged, level;
	int n;
	int nh;			/* cursors in the heap */
	int *h;			/* their indices (n of room, after cur) */
	struct cursor cur[];
};

static const char *const levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static int parse_level(const char *s)
{
	if (s[0] >= '0' && s[0] <= '7' && !s[1])
		return s[0] - '0';
	if (!strcmp(s, "error"))
		return 3;
	if (!strcmp(s, "warn"))
		return 4;
	for (int i = 0; i < 8; i++)
		if (!strcmp(s, levels[i]))
			return i;
	return -1;
}

static int parse_count(const char *s, uint64_t *n)
{
	return conf_number(s, UINT64_MAX, n);
}

/* Is C's ring still the one it was opened on? Brings a position the
 * ring has dropped meanwhile up to its oldest line. */
static int live(struct cursor *c)
{
	if (c->r->id != c->id)
		return 0;
	if (c->pos < c->r->tail)
		c->pos = c->r->tail;
	return 1;
}

/* Does cursor A come before cursor B? Forward the earlier line, of equal
 * times the earlier ring; backward (REV) the other way round. */
static int before(const struct logview *v, int a, int b, int rev)
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

/* -n N: each cursor back to where the last N matching lines start, read
 * back from the ends in time order (the latest first; of equal times the
 * later ring, as the forward merge reads them last): the lines before are
 * never looked at. A cursor's key is the time of the line before it. */
static void set_last(struct logview *v, uint64_t last)
{
	v->nh = 0;
	for (int i = 0; i < v->n; i++) {
		struct cursor *c = &v->cur[i];

		c->pos = c->r->head;
		if (c->r->head > c->r->tail) {
			c->us = ring_time(c->r, ring_prev(c->r, c->pos));
			v->h[v->nh++] = i;
		}
	}
	heapify(v, 1);
	while (last && v->nh) {
		struct cursor *c = &v->cur[v->h[0]];
		int more;

		c->pos = ring_prev(c->r, c->pos);
		last -= ring_sev(c->r, c->pos) <= v->level;
		more = c->pos > c->r->tail;
		if (more)
			c->us = ring_time(c->r, ring_prev(c->r, c->pos));
		settle(v, more, 1);
	}
}

struct logview *logview_open(char **args, int nargs, char *err, size_t errsize, int *code)
{
	int follow = 0, timed = 0, level = 7, have_n = 0, opts = 1, i;
	uint64_t last = 0;
	const char *name = NULL;
	struct logview *v;
	struct ring *r;
	int n = 0;

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
			if (*o == 'n' && val && parse_count(val, &last) == 0)
				have_n = 1;
			else if (*o == 'p' && val && parse_level(val) >= 0)
				level = parse_level(val);
			else
				bad = a;
			break;
		}
		if (bad) {
			snprintf(err, errsize, "initctl: log: bad option or argument '%s'\n", bad);
			return NULL;
		}
	}
	for (r = ring_first(); r; r = r->next)
		if (!name || !strcmp(r->name, name))
			n++;
	*code = 1;
	if (name && !n) {
		snprintf(err, errsize, "initctl: no service '%s'\n", name);
		return NULL;
	}
	v = calloc(1, sizeof(*v) + (size_t)n * (sizeof(v->cur[0]) + sizeof(*v->h)));
	if (!v) {
		snprintf(err, errsize, "initctl: log: %s\n", strerror(errno));
		return NULL;
	}
	v->follow = follow;
	v->timed = timed;
	v->merged = !name;
	v->level = level;
	v->h = (int *)&v->cur[n];
	for (r = ring_first(); r; r = r->next) {
		if (name && strcmp(r->name, name))
			continue;
		v->cur[v->n++] = (struct cursor){ .r = r, .id = r->id, .pos = r->tail };
		if (name)
			break;
	}
	if (have_n)
		set_last(v, last);
	return v;
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
static size_t render(const struct logview *v, const struct ring *r, const struct log_rec *rec,
		     const char *text, char *buf, size_t size)
{
	size_t n = 0, len = rec->len;

	if (v->timed)
		n = put(n, size, snprintf(buf, size, "[%5lld.%06lld] ",
					  (long long)(rec->us / 1000000),
					  (long long)(rec->us % 1000000)));
	if (v->merged)
		n = put(n, size, snprintf(buf + n, size - n, "%s: ", r->name));
	if (len > size - 1 - n)
		len = size - 1 - n;
	memcpy(buf + n, text, len);
	n += len;
	/* A plain view gives back the bytes as written; a line cut at
	 * LOG_LINE_MAX is a line of its own in the others. */
	if ((v->timed || v->merged) && (!len || text[len - 1] != '\n'))
		buf[n++] = '\n';
	return n;
}

size_t logview_read(struct logview *v, char *buf, size_t size, int *done)
{
	char text[LOG_LINE_MAX + 1];
	struct log_rec rec;
	size_t n = 0;
	int seen = 0;

	/* The heap afresh: rings grow (or go) between reads, never during one. */
	v->nh = 0;
	for (int i = 0; i < v->n; i++) {
		struct cursor *c = &v->cur[i];

		if (live(c) && c->pos < c->r->head) {
			c->us = ring_time(c->r, c->pos);
			v->h[v->nh++] = i;
		}
	}
	heapify(v, 0);
	while (size - n >= LOGVIEW_LINE_MAX && v->nh) {
		struct cursor *c = &v->cur[v->h[0]];
		int more;

		if (seen++ == LOGVIEW_SCAN_MAX) {
			*done = -1;
			return n;
		}
		c->pos = ring_read(c->r, c->pos, &rec, text);
		more = c->pos < c->r->head;
		if (more)
			c->us = ring_time(c->r, c->pos);
		settle(v, more, 0);
		if (!matches(v, &rec))
			continue;
		n += render(v, c->r, &rec, text, buf + n, size - n);
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

		if (c->r->id != c->id || c->pos < c->r->head)
			return 1;
	}
	return 0;
}

void logview_close(struct logview *v)
{
	free(v);
}
