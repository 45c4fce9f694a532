/* conf_directive: the table of the config language's directives (SPEC §3):
 * scope, repeat and arity of each, and its handler (the global ones in
 * conf_global.c, the service ones in conf_service.c) or, for one that
 * stores a single value, its kind and field; the dispatch of one line; and
 * the argument helpers the handlers share. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_directive.h"
#include "conf_parser.h"
#include "conf_value.h"

enum { REPEAT = 4 };	/* a scope bit: may be given more than once */

/* A directive's handler, or none for one whose one argument is a value
 * of a kind in values[] below, stored as is in a field of struct conf (a
 * GLOBAL one) or struct svc_conf. */
struct directive {
	signed char scope;	/* GLOBAL, SERVICE or ANY, | REPEAT */
	signed char min, max;	/* argument count; max -1: no limit */
	unsigned char fn;	/* 1 + index into handlers[], 0 none */
	unsigned char value;	/* no fn: index into values[] */
	unsigned char size;	/* no fn: of the field */
	unsigned short off;	/* no fn: of the field */
};

enum { V_PATH, V_HOST, V_WORD, V_NUM, V_SIZE, V_SIGNAL };

/* A kind of value: HINT says what is valid; V_WORD's words follow it, each
 * after a NUL, meaning 0, 1, 2 ..., an empty one last; V_NUM and V_SIZE
 * range from MIN to MAX (0: no limit). */
struct value {
	const char *hint;
	uint32_t max;
	unsigned short min;
	unsigned char kind;
};

enum { PATH, HOST, RESTART, YESNO, READONLY, PROC, SECCOMP, PIDS, CPU, NOFILE,
       STOP_TIMEOUT, MEMORY, LOG_SIZE, SIGNAL };

static const struct value values[] = {
	[PATH] = { PATH_HINT, 0, 0, V_PATH },
	[HOST] = { "use letters, digits, '-' and '.', up to 64 characters", 0, 0, V_HOST },
	[RESTART] = { "use always, on-failure or never\0always\0on-failure\0never\0", 0, 0, V_WORD },
	[YESNO] = { "use yes or no\0no\0yes\0", 0, 0, V_WORD },
	[READONLY] = { "use yes, no or overlay\0no\0yes\0overlay\0", 0, 0, V_WORD },	/* RO_OVERLAY 2 */
	[PROC] = { "use full or pid-only\0full\0pid-only\0", 0, 0, V_WORD },
	[SECCOMP] = { "use default or off\0off\0default\0", 0, 0, V_WORD },
	[PIDS] = { "use a number from 1 to 4194304", 4194304, 1, V_NUM },	/* PID_MAX_LIMIT */
	[CPU] = { "use a number from 1 to 100000", 100000, 1, V_NUM },
	/* the kernel's fs.nr_open ceiling */
	[NOFILE] = { "use a number from 1 to 1073741816", 1073741816, 1, V_NUM },
	[STOP_TIMEOUT] = { "use a number of seconds from 0 to 3600", 3600, 0, V_NUM },
	[MEMORY] = { SIZE_HINT, 0, 1, V_SIZE },
	[LOG_SIZE] = { "use a size from 4K to 64M", 64 << 20, 4096, V_SIZE },
	[SIGNAL] = { "use a signal name such as TERM or SIGINT, or a number", 0, 0, V_SIGNAL },
};

_Static_assert(RESTART_ALWAYS == 0 && RESTART_ON_FAILURE == 1 && RESTART_NEVER == 2 &&
	       PROC_FULL == 0 && PROC_PID_ONLY == 1 && RO_OVERLAY == 2, "values[]' words");

/* A bad argument TOK of the current directive. */
void conf_bad(struct parser *p, const char *tok, const char *hint)
{
	char t[SHOW_MAX + 4];

	conf_report(p, "bad value for '%s': '%s' (%s)", p->tok[0], conf_show(t, tok), hint);
}

void conf_too_many(struct parser *p, const char *what, int limit)
{
	conf_report(p, "too many %s: the limit is %d", what, limit);
}

void conf_set_str(struct parser *p, char **field, const char *s)
{
	free(*field);
	*field = conf_copy(p, s);
}

/* Append a copy of S to the NULL-terminated array *V of *N strings. */
void conf_push_str(struct parser *p, char ***v, int *n, const char *s)
{
	char **nv = conf_grow(p, *v, *n + 1, sizeof **v);

	if (!nv)
		return;
	*v = nv;
	nv[*n] = conf_copy(p, s);
	if (nv[*n])
		(*n)++;
	nv[*n] = NULL;
}

int conf_bridge_find(const struct conf *c, const char *name)
{
	for (int i = 0; i < c->nbridges; i++)
		if (!strcmp(c->bridges[i].name, name))
			return i;
	return -1;
}

/* An absolute path argument S into *FIELD. */
void conf_path_arg(struct parser *p, char **field, const char *s)
{
	if (conf_abs_path(s) < 0)
		conf_bad(p, s, PATH_HINT);
	else
		conf_set_str(p, field, s);
}

/* Each directive: its keyword, scope (| REPEAT: may be given more than
 * once), least and most arguments (-1: no limit), handler, and what it
 * takes ("'KW' takes USAGE"); or, V, a directive of one argument: its
 * keyword, scope, kind of value, the field that value is stored in, and
 * its usage. ARGS in a usage stands for the count said in words, "one
 * argument: ", "two or three arguments: " (not spelt out each time). */
#define ARGS "\1"
#define DIRECTIVES(D, V) \
	V("hostname", GLOBAL, HOST, struct conf, hostname, ARGS "NAME") \
	D("modules", GLOBAL | REPEAT, 1, -1, conf_g_modules, "one or more module names") \
	D("bridge", GLOBAL | REPEAT, 2, 2, conf_g_bridge, ARGS "NAME CIDR") \
	D("nat", GLOBAL | REPEAT, 1, 1, conf_g_nat, ARGS "BRIDGE") \
	D("interface", GLOBAL | REPEAT, 2, 3, conf_g_interface, ARGS "NAME CIDR [GATEWAY], or NAME dhcp") \
	D("sysctl", GLOBAL | REPEAT, 2, 2, conf_g_sysctl, ARGS "KEY VALUE") \
	D("mount", GLOBAL | REPEAT, 3, 4, conf_g_mount, ARGS "SOURCE TARGET FSTYPE [OPTIONS]") \
	V("log-size", GLOBAL, LOG_SIZE, struct conf, log_size, ARGS "SIZE") \
	D("log-file", GLOBAL, 1, 2, conf_g_log_file, ARGS "PATH [SIZE]") \
	D("watchdog", GLOBAL, 2, 2, conf_g_watchdog, ARGS "DEVICE SECONDS") \
	V("rescue", GLOBAL, PATH, struct conf, rescue, ARGS "PATH") \
	D("service", ANY | REPEAT, 1, 1, conf_s_service, ARGS "NAME") \
	D("exec", SERVICE, 1, -1, conf_s_exec, "a path and its arguments: PATH [ARG...]") \
	V("restart", SERVICE, RESTART, struct svc_conf, restart, ARGS "") \
	D("after", SERVICE | REPEAT, 1, -1, conf_s_after, "one or more service names") \
	D("ready", SERVICE, 1, 2, conf_s_ready, "one of: started, fd N") \
	V("critical", SERVICE, YESNO, struct svc_conf, critical, ARGS "") \
	D("namespaces", SERVICE, 1, -1, conf_s_namespaces, "a list of user pid mount net uts ipc cgroup time, or all, or none") \
	V("root", SERVICE, PATH, struct svc_conf, root, ARGS "DIR") \
	V("readonly", SERVICE, READONLY, struct svc_conf, readonly, ARGS "") \
	V("syslog", SERVICE, YESNO, struct svc_conf, syslog, ARGS "") \
	D("bind", SERVICE | REPEAT, 2, 3, conf_s_bind, ARGS "SRC DST [ro|rw]") \
	D("tmpfs", SERVICE | REPEAT, 1, 3, conf_s_tmpfs, ARGS "DST [SIZE] [MODE]") \
	D("device", SERVICE | REPEAT, 1, 2, conf_s_device, ARGS "PATH [rw|ro]") \
	V("proc", SERVICE, PROC, struct svc_conf, proc, ARGS "") \
	D("net", SERVICE | REPEAT, 1, 2, conf_s_net, ARGS "BRIDGE [CIDR|auto]") \
	D("publish", SERVICE | REPEAT, 1, 1, conf_s_publish, ARGS "[ADDR:]HOSTPORT:PORT[/tcp|/udp]") \
	D("join", SERVICE, 1, 1, conf_s_join, ARGS "NAME") \
	D("user", SERVICE, 1, 1, conf_s_user, ARGS "UID[:GID]") \
	D("uidmap", SERVICE, 1, 2, conf_s_uidmap, ARGS "HOSTID [COUNT]") \
	D("caps", SERVICE, 1, -1, conf_s_caps, "a list of capabilities, or none") \
	V("seccomp", SERVICE, SECCOMP, struct svc_conf, seccomp, ARGS "") \
	V("memory", SERVICE, MEMORY, struct svc_conf, memory, ARGS "SIZE") \
	V("pids", SERVICE, PIDS, struct svc_conf, pids, ARGS "N") \
	V("cpu", SERVICE, CPU, struct svc_conf, cpu, ARGS "PERCENT") \
	V("nofile", SERVICE, NOFILE, struct svc_conf, nofile, ARGS "N") \
	D("env", SERVICE | REPEAT, 1, 1, conf_s_env, ARGS "KEY=VALUE") \
	V("workdir", SERVICE, PATH, struct svc_conf, workdir, ARGS "DIR") \
	V("hostname", SERVICE, HOST, struct svc_conf, hostname, ARGS "NAME") \
	D("tty", SERVICE, 1, 2, conf_s_tty, ARGS "DEVICE [graphics]") \
	V("stop-signal", SERVICE, SIGNAL, struct svc_conf, stop_signal, ARGS "SIG") \
	V("stop-timeout", SERVICE, STOP_TIMEOUT, struct svc_conf, stop_timeout, ARGS "SECONDS")

/* The handlers apart, so that an entry is 8 bytes, not 16. */
#define ID(kw, scope, min, max, fn, usage) ID_##fn,
#define NONE(kw, scope, value, type, field, usage)
enum { DIRECTIVES(ID, NONE) };
#define HANDLER(kw, scope, min, max, fn, usage) [ID_##fn] = fn,
static void (*const handlers[])(struct parser *p, char **a, int n) = { DIRECTIVES(HANDLER, NONE) };

#define ENTRY(kw, scope, min, max, fn, usage) { scope, min, max, ID_##fn + 1, 0, 0, 0 },
#define VALUE(kw, scope, value, type, field, usage) \
	{ scope, 1, 1, 0, value, sizeof(((type *)0)->field), offsetof(type, field) },
static const struct directive directives[] = { DIRECTIVES(ENTRY, VALUE) };

/* The keywords and usages packed, "KW\0USAGE\0" each in table order:
 * no pointer apiece (issue 15). */
#define TEXT(kw, scope, min, max, fn, usage) kw "\0" usage "\0"
#define VTEXT(kw, scope, value, type, field, usage) kw "\0" usage "\0"
static const char texts[] = DIRECTIVES(TEXT, VTEXT);

_Static_assert(ARRAY_SIZE(directives) <= MAX_DIRECTIVES, "raise MAX_DIRECTIVES");

/* The argument S of value directive D into its field in BASE. */
static void value_arg(struct parser *p, const struct directive *d, char *base, const char *s)
{
	const struct value *v = &values[d->value];
	char *field = base + d->off;
	const char *w = v->hint;
	uint64_t n = 0;
	int ok, i;

	switch (v->kind) {
	case V_PATH:
		ok = conf_abs_path(s) == 0;
		break;
	case V_HOST:
		ok = conf_hostname(s) == 0;
		break;
	case V_WORD:
	case V_SIGNAL:
		i = v->kind == V_WORD ? conf_word(w + strlen(w) + 1, s) : conf_signal(s);
		ok = i >= 0;
		n = (uint64_t)i;
		break;
	default:
		ok = (v->kind == V_NUM ? conf_number(s, v->max, &n) : conf_size(s, &n)) == 0 &&
		     n >= v->min && (!v->max || n <= v->max);
	}
	if (!ok)
		conf_bad(p, s, v->hint);
	else if (v->kind <= V_HOST)
		conf_set_str(p, (char **)(void *)field, s);
	else if (d->size == sizeof n)
		memcpy(field, &n, sizeof n);
	else {
		i = (int)n;
		memcpy(field, &i, sizeof i);
	}
}

/* "'KW' takes U", ARGS in U said from D's arity; a value directive of
 * words (restart, critical...) names them once, in its value's hint. */
static void usage(struct parser *p, const struct directive *d, const char *u)
{
	static const char num[][6] = { "", "one", "two", "three", "four" };

	if (*u != *ARGS) {
		conf_report(p, "'%s' takes %s", p->tok[0], u);
		return;
	}
	/* none given: a word value's, its hint's words after "use " */
	if (!*++u)
		u = values[d->value].hint + 4;
	conf_report(p, "'%s' takes %s%s%s argument%s: %s", p->tok[0], num[d->min],
		    d->max == d->min ? "" : d->max == d->min + 1 ? " or " : " to ",
		    num[d->max == d->min ? 0 : d->max], d->max > 1 ? "s" : "", u);
}

/* The directive KW of SCOPE, *TEXT its keyword (and usage after it). */
static const struct directive *lookup(const char *kw, int scope, const char **text)
{
	const char *t = texts;

	for (size_t i = 0; i < ARRAY_SIZE(directives); i++) {
		if ((directives[i].scope & scope) && !strcmp(t, kw)) {
			*text = t;
			return &directives[i];
		}
		t += strlen(t) + 1;
		t += strlen(t) + 1;
	}
	return NULL;
}

int conf_first_line(const struct svc_extra *x, const char *kw)
{
	const char *t;
	const struct directive *d = lookup(kw, SERVICE, &t);

	return d ? x->first[d - directives] : 0;
}

void conf_directive(struct parser *p)
{
	const char *kw = p->tok[0];
	int scope = p->svc ? SERVICE : GLOBAL, n = p->ntok - 1, *first;
	const char *text;
	const struct directive *d = lookup(kw, scope, &text);
	char t[SHOW_MAX + 4];

	if (!d) {
		if (!lookup(kw, ANY, &text))
			conf_report(p, "unknown directive '%s'", conf_show(t, kw));
		else if (scope == SERVICE)
			conf_report(p, "global directive '%s' after the first service", kw);
		else
			conf_report(p, "service directive '%s' before the first 'service' line", kw);
		return;
	}
	if (n < d->min || (d->max >= 0 && n > d->max)) {
		usage(p, d, text + strlen(text) + 1);
		return;
	}
	first = scope == SERVICE ? p->x->first : p->gfirst;
	if (!(d->scope & REPEAT) && first[d - directives]) {
		conf_report(p, "'%s%s' given twice (first at line %d)", "", kw, first[d - directives]);
		return;
	}
	if (!first[d - directives])
		first[d - directives] = p->line;
	if (d->fn)
		handlers[d->fn - 1](p, p->tok + 1, n);
	else
		value_arg(p, d, p->svc ? (char *)p->svc : (char *)p->c, p->tok[1]);
}
