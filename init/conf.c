/* conf: the config language (SPEC §3) parsed and checked: bytes in, struct
 * out, no syscalls. This file reads lines and reports; conf_directive.c
 * knows each directive, conf_check.c what needs the whole file. */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_parser.h"

static void vreport(struct parser *p, int line, const char *fmt, va_list ap)
{
	struct conf_errors *e = p->errs;
	struct conf_error *ce;

	if (p->stop)
		return;
	if (!(ce = conf_add(p, &e->v, &e->n, sizeof *ce)))
		return;
	ce->line = line ? line : p->line;
	/* A file of garbage must not take PID 1's memory. */
	if (e->n - p->nerr0 == MAX_ERRORS) {
		snprintf(ce->msg, sizeof ce->msg, "too many problems: stopped after %d", MAX_ERRORS - 1);
		p->stop = 1;
		return;
	}
	vsnprintf(ce->msg, sizeof ce->msg, fmt, ap);
	/* The caller prints it on a terminal: no control bytes. */
	for (char *m = ce->msg; *m; m++)
		if ((unsigned char)*m < 0x20 || *m == 0x7f)
			*m = '?';
}

__attribute__((format(printf, 3, 4)))
void conf_report_at(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, line, fmt, ap);
	va_end(ap);
}

const char *conf_show(char out[SHOW_MAX + 4], const char *s)
{
	size_t n = strlen(s);

	if (n <= SHOW_MAX)
		return s;
	memcpy(out, s, SHOW_MAX);
	strcpy(out + SHOW_MAX, "...");
	return out;
}

char *conf_copy(struct parser *p, const char *s)
{
	char *d = strdup(s);

	if (!d)
		p->oom = 1;
	return d;
}

void *conf_grow(struct parser *p, void *v, int n, size_t size)
{
	void *nv;

	if (n & (n - 1))
		return v;
	nv = realloc(v, (n ? 2 * (size_t)n : 1) * size);
	if (!nv)
		p->oom = 1;
	return nv;
}

void *conf_add(struct parser *p, void *vp, int *n, size_t size)
{
	char *v;

	memcpy(&v, vp, sizeof v);
	if (!(v = conf_grow(p, v, *n, size)))
		return NULL;
	memcpy(vp, &v, sizeof v);
	return memset(v + (size_t)(*n)++ * size, 0, size);
}

/* Free array V of N elements of SIZE bytes, whose first K fields are
 * strings (struct conf_mount's four, a char *'s one itself ...). */
static void free_array(void *v, int n, size_t size, int k)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < k; j++)
			free(((char **)(void *)((char *)v + (size_t)i * size))[j]);
	free(v);
}

#define STRINGS_FIRST(type, last, k) _Static_assert(offsetof(type, last) == ((k) - 1) * sizeof(char *), \
						     #type "'s first strings")
STRINGS_FIRST(struct conf_mount, options, 4);
STRINGS_FIRST(struct conf_sysctl, value, 2);
STRINGS_FIRST(struct conf_bind, dst, 2);
STRINGS_FIRST(struct conf_tmpfs, dst, 1);
STRINGS_FIRST(struct conf_device, path, 1);
STRINGS_FIRST(struct conf_bridge, name, 1);
STRINGS_FIRST(struct conf_nat, name, 1);
STRINGS_FIRST(struct conf_iface, name, 1);
STRINGS_FIRST(struct ref, name, 1);

/* What a struct owns on the heap, a table of each pointer field: freed,
 * and, with K, the array it points to first (free_array's K), counted by
 * the int field N. Offsets and sizes in units of their fields. */
struct owned {
	unsigned char ptr, n, size, k;
};
#define OWNED(type, f) { offsetof(type, f) / sizeof(void *), 0, 0, 0 }
#define OWNED_ARRAY(type, f, nf, k) { offsetof(type, f) / sizeof(void *), offsetof(type, nf) / sizeof(int), \
				       sizeof(*((type *)0)->f) / sizeof(void *), k }

_Static_assert(sizeof(struct svc_conf) / sizeof(int) < 256 && sizeof(struct conf) / sizeof(int) < 256,
	       "struct owned's offsets");

static void free_owned(void *base, const struct owned *o, size_t n)
{
	for (; n--; o++) {
		void *v;
		int cnt = 0;

		memcpy(&v, (char *)base + o->ptr * sizeof v, sizeof v);
		if (o->k)
			memcpy(&cnt, (char *)base + o->n * sizeof cnt, sizeof cnt);
		free_array(v, cnt, o->size * sizeof v, o->k);
	}
}

static const struct owned svc_owned[] = {
	OWNED_ARRAY(struct svc_conf, argv, argc, 1), OWNED(struct svc_conf, after),
	OWNED(struct svc_conf, root), OWNED_ARRAY(struct svc_conf, binds, nbinds, 2),
	OWNED_ARRAY(struct svc_conf, tmpfs, ntmpfs, 1), OWNED_ARRAY(struct svc_conf, devices, ndevices, 1),
	OWNED(struct svc_conf, nets), OWNED(struct svc_conf, publishes),
	OWNED_ARRAY(struct svc_conf, env, nenv, 1),
	OWNED(struct svc_conf, envp),	/* its strings are env's or static */
	OWNED(struct svc_conf, workdir), OWNED(struct svc_conf, hostname), OWNED(struct svc_conf, tty),
};

static const struct owned conf_owned[] = {
	OWNED(struct conf, hostname), OWNED_ARRAY(struct conf, modules, nmodules, 1),
	OWNED_ARRAY(struct conf, bridges, nbridges, 1), OWNED_ARRAY(struct conf, nats, nnats, 1),
	OWNED_ARRAY(struct conf, ifaces, nifaces, 1), OWNED_ARRAY(struct conf, sysctls, nsysctls, 2),
	OWNED_ARRAY(struct conf, mounts, nmounts, 4), OWNED(struct conf, watchdog),
	OWNED(struct conf, rescue), OWNED(struct conf, log_file),
};

void conf_svc_free(struct svc_conf *s)
{
	free_owned(s, svc_owned, ARRAY_SIZE(svc_owned));
}

void conf_extra_free(struct svc_extra *x)
{
	free_array(x->after, x->nafter, sizeof *x->after, 1);
	free(x->join.name);
}
static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split a line of LEN bytes (no newline, no NUL) into p->tok; -1 after
 * reporting a quoting error. */
static int tokenize(struct parser *p, const char *s, size_t len)
{
	char *o = p->buf;
	size_t i = 0;

	for (p->ntok = 0;; *o++ = '\0') {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len || s[i] == '#')
			return 0;
		p->tok[p->ntok++] = o;
		if (s[i] != '"') {
			for (; i < len && !is_blank(s[i]) && s[i] != '#'; *o++ = s[i++])
				if (s[i] == '"') {
					conf_report(p, "a quote inside an argument (quote the whole argument)");
					return -1;
				}
			continue;
		}
		for (i++;; *o++ = s[i++]) {
			if (i == len) {
				conf_report(p, "unterminated quote");
				return -1;
			}
			if (s[i] == '"')
				break;
			if (s[i] != '\\')
				continue;
			if (i + 1 == len || (s[i + 1] != '"' && s[i + 1] != '\\')) {
				conf_report(p, "unknown escape in quotes: only \\\" and \\\\ are known");
				return -1;
			}
			i++;
		}
		if (++i < len && !is_blank(s[i]) && s[i] != '#') {
			conf_report(p, "text right after a closing quote");
			return -1;
		}
	}
}

/* One line of N bytes (no newline); -1 if it could not be split. */
static int one_line(struct parser *p, const char *s, size_t n)
{
	if (n > CONF_MAX_LINE) {
		conf_report(p, "line longer than %d bytes", CONF_MAX_LINE);
		return -1;
	}
	if (memchr(s, '\0', n)) {
		conf_report(p, "a NUL byte in the line");
		return -1;
	}
	if (tokenize(p, s, n) < 0)
		return -1;
	if (p->ntok > 0)
		conf_directive(p);
	return 0;
}

static void parse_lines(struct parser *p, const char *buf, size_t len)
{
	size_t pos = 0;

	for (p->line = 1; pos < len && !p->oom && !p->stop; p->line++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;

		if (n && buf[end - 1] == '\r')
			n--;
		if (one_line(p, buf + pos, n) < 0 && p->x)
			p->x->unread = 1;
		pos = end + 1;
	}
}
/* Insertion sort of V[0..N) by line, stable: errors of one line keep their
 * order. The parse's errors come in line order, then the checks' in a few
 * sorted runs: little to move, and no allocation that could fail (1,000
 * errors, 500 moved past 500: 5 ms a parse, as the merge sort it was). */
static void sort_errors(struct conf_error *v, int n)
{
	struct conf_error e;

	for (int i = 1, j; i < n; i++) {
		for (j = i; j > 0 && v[j - 1].line > v[i].line; j--)
			;
		if (j == i)
			continue;
		e = v[i];
		memmove(v + j + 1, v + j, (size_t)(i - j) * sizeof *v);
		v[j] = e;
	}
}

struct conf *conf_parse(const char *buf, size_t len, struct conf_errors *errs)
{
	struct parser *p = calloc(1, sizeof *p);
	struct conf *c = calloc(1, sizeof *c);
	int nerr = errs->n, oom = 1;

	if (p && c) {
		p->c = c;
		p->errs = errs;
		p->nerr0 = nerr;
		c->log_size = 64 << 10;
		c->rescue = conf_copy(p, "/bin/sh");
		c->log_file_size = 1 << 20;
		if (len > CONF_MAX_FILE) {
			conf_report_at(p, 1, "file larger than %d bytes", CONF_MAX_FILE);
		} else {
			parse_lines(p, buf, len);
			if (!p->oom && !p->stop)
				conf_check(p);
		}
		if (errs->n > nerr)	/* errs->v may be NULL */
			sort_errors(errs->v + nerr, errs->n - nerr);
		oom = p->oom;
		for (int i = 0; i < c->nsvc; i++)
			conf_extra_free(&p->xs[i]);
		free(p->xs);
		conf_svc_free(&p->spare);
		conf_extra_free(&p->xspare);
	}
	free(p);
	if (oom || errs->n > nerr) {
		conf_free(c);
		errno = oom ? ENOMEM : EINVAL;
		return NULL;
	}
	return c;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	free_owned(c, conf_owned, ARRAY_SIZE(conf_owned));
	for (int i = 0; i < c->nsvc; i++)
		conf_svc_free(&c->svc[i]);
	free(c->svc);
	free(c);
}

void conf_errors_free(struct conf_errors *errs)
{
	free(errs->v);
	*errs = (struct conf_errors){ 0 };
}

int conf_find(const struct conf *c, const char *name)
{
	for (int i = 0; i < c->nsvc; i++)
		if (!strcmp(c->svc[i].name, name))
			return i;
	return -1;
}
