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
#define ARGS "\1"	/* in a usage: the count in words (DIRECTIVES below) */

/* A directive's handler, or none for one whose arguments are values of
 * kinds in values[] below, stored as they are: one, in a field of struct
 * conf (a GLOBAL directive) or struct svc_conf; or a list's (lists[]). */
struct directive {
	signed char scope;	/* GLOBAL, SERVICE or ANY, | REPEAT */
	signed char min, max;	/* argument count; max -1: no limit */
	unsigned char fn;	/* 1 + index into handlers[], 0 none */
	unsigned char value;	/* no fn: index into values[] */
	unsigned char size;	/* no fn: of the field; 0: a list's, OFF indexes lists[] */
	unsigned short off;	/* no fn: of the field */
};

/* The kinds of value: a string that its check (checks[] below) takes, or
 * a word, number, size or signal; K_ the same as a string's first byte. */
enum { V_PATH = 1, V_HOST, V_DEVNODE, V_DEV, V_SYSCTL, V_NONEMPTY, V_FSTYPE, V_IFNAME, V_WORD, V_NUM,
       V_SIZE, V_SIGNAL };
#define K_PATH "\1"
#define K_HOST "\2"
#define K_DEVNODE "\3"
#define K_DEV "\4"
#define K_SYSCTL "\5"
#define K_NONEMPTY "\6"
#define K_FSTYPE "\7"
#define K_IFNAME "\10"
#define K_WORD "\11"
#define K_NUM "\12"
#define K_SIZE "\13"
#define K_SIGNAL "\14"

enum { PATH, MEMORY, HOST, RESTART, YESNO, READONLY, PROC, SECCOMP, PIDS, CPU, NOFILE,
       STOP_TIMEOUT, LOG_SIZE, SIGNAL, RO_RW, DEVNODE, RW_RO, SYSCTL_KEY, SYSCTL_VALUE,
       SOURCE, TARGET, FSTYPE, OPTIONS, WATCHDOG, WATCHDOG_SEC, BRIDGE };

/* Each kind of value, in the order above, packed (no pointer apiece):
 * its kind, then its hint, which says what is valid, and an empty string.
 * A V_WORD's words come between, meaning 0, 1, 2 ...; a V_NUM or V_SIZE
 * ranges as its hint says, "from MIN to MAX", else from 1 up: a message
 * never disagrees with its check. */
const char conf_values[] =
	K_PATH PATH_TEXT "\0"
	"\0" K_SIZE SIZE_TEXT "\0"	/* where SIZE_HINT says */
	"\0" K_HOST "use up to 64 letters, digits, '-' and '.'\0"
	"\0" K_WORD "use always, on-failure or never\0" "always\0" "on-failure\0" "never\0"
	"\0" K_WORD "use yes or no\0" "no\0" "yes\0"
	"\0" K_WORD "use yes, no or overlay\0" "no\0" "yes\0" "overlay\0"	/* RO_OVERLAY 2 */
	"\0" K_WORD "use full or pid-only\0" "full\0" "pid-only\0"
	"\0" K_WORD "use default or off\0" "off\0" "default\0"
	"\0" K_NUM "use a number from 1 to 4194304\0"	/* PID_MAX_LIMIT */
	"\0" K_NUM "use a number from 1 to 100000\0"
	"\0" K_NUM "use a number from 1 to 1073741816\0"	/* the kernel's fs.nr_open ceiling */
	"\0" K_NUM "use a number of seconds from 0 to 3600\0"
	"\0" K_SIZE "use a size from 4K to 64M\0"
	"\0" K_SIGNAL "use a signal name such as TERM or SIGINT, or a number\0"
	"\0" K_WORD "use ro or rw\0" "ro\0" "rw\0"
	"\0" K_DEVNODE "use a path under /dev\0"
	"\0" K_WORD "use rw or ro\0" "rw\0" "ro\0"
	"\0" K_SYSCTL "use a key such as net.ipv4.ip_forward\0"
	"\0" K_NONEMPTY "the value cannot be empty\0"
	"\0" K_NONEMPTY "the source cannot be empty\0"
	"\0" K_PATH "the target must be an absolute path\0"
	"\0" K_FSTYPE "use a file system type such as ext4\0"
	"\0" K_NONEMPTY "the options cannot be empty\0"
	"\0" K_DEV "use a device such as /dev/watchdog0\0"
	"\0" K_NUM "use a number of seconds from 2 to 3600\0"
	"\0" K_IFNAME "use a bridge's name\0";

/* Value I of values[]: its kind byte, its hint after it. */
static const char *value(int i)
{
	const char *v = conf_values;

	for (; i; i--, v++)
		while (*v)
			v += strlen(v) + 1;
	return v;
}

/* The number at S of a hint's range, K or M after it; *END after that.
 * (No hint says G: one would read as its digits alone, a range every
 * size is outside of, refused: a test finds it at once.) */
static uint64_t range_end(const char *s, const char **end)
{
	uint64_t v = 0;

	*end = s;	/* a hint's range always has digits; if not, none read */
	conf_digits(s, end, UINT32_MAX, &v);
	if (**end == 'K' || **end == 'M')
		v <<= *(*end)++ == 'K' ? 10 : 20;
	return v;
}

_Static_assert(RESTART_ALWAYS == 0 && RESTART_ON_FAILURE == 1 && RESTART_NEVER == 2 &&
	       PROC_FULL == 0 && PROC_PID_ONLY == 1 && RO_OVERLAY == 2, "values[]' words");

/* A device path under /dev with no way out of it by "..": the node gets
 * an ACL entry (device.c). */
static int dev_node(const char *s)
{
	size_t l = strlen(s);

	return conf_dev_path(s) < 0 || strstr(s, "/../") || (l >= 3 && !strcmp(s + l - 3, "/..")) ? -1 : 0;
}

static int nonempty(const char *s)
{
	return *s ? 0 : -1;
}

/* The check of each string kind, by kind. */
static int (*const checks[])(const char *s) = {
	conf_abs_path, conf_hostname, dev_node, conf_dev_path, conf_sysctl_key, nonempty, conf_fstype,
	conf_ifname,
};

/* A directive whose arguments are values stored in a new element of an
 * array (ARR: the offset of its pointer in struct conf or svc_conf, the
 * int count after it; ESIZE: an element's bytes), or in struct conf's own
 * fields (ARR 0): argument I of kind KIND[I] at offset OFF[I], a string
 * or an int; and, LINE not 0, the line at offset LINE. MAX not 0: at most
 * MAX elements, none two with the same first argument (at OFF[0]). */
struct list {
	unsigned char kind[4], off[4];
	unsigned char arr, esize, line, max;
};

enum { L_BIND, L_DEVICE, L_SYSCTL, L_MOUNT, L_WATCHDOG, L_NAT };

#define ARR(type, f, nf) offsetof(type, f), sizeof(*((type *)0)->f)
#define ADJACENT(type, f, nf) _Static_assert(offsetof(type, nf) == offsetof(type, f) + sizeof(void *) && \
					     offsetof(type, f) < 256, #f "'s count after it")
ADJACENT(struct svc_conf, binds, nbinds);
ADJACENT(struct svc_conf, devices, ndevices);
ADJACENT(struct conf, sysctls, nsysctls);
ADJACENT(struct conf, mounts, nmounts);
ADJACENT(struct conf, nats, nnats);
_Static_assert(offsetof(struct conf, watchdog_sec) < 256, "lists[]' offsets");

static const struct list lists[] = {
	[L_BIND] = { { PATH, PATH, RO_RW }, { offsetof(struct conf_bind, src), offsetof(struct conf_bind, dst),
		     offsetof(struct conf_bind, rw) }, ARR(struct svc_conf, binds, nbinds), 0 },
	[L_DEVICE] = { { DEVNODE, RW_RO }, { offsetof(struct conf_device, path), offsetof(struct conf_device, ro) },
		       ARR(struct svc_conf, devices, ndevices), 0 },
	[L_SYSCTL] = { { SYSCTL_KEY, SYSCTL_VALUE }, { offsetof(struct conf_sysctl, key),
		       offsetof(struct conf_sysctl, value) }, ARR(struct conf, sysctls, nsysctls), 0 },
	[L_MOUNT] = { { SOURCE, TARGET, FSTYPE, OPTIONS }, { offsetof(struct conf_mount, source),
		      offsetof(struct conf_mount, target), offsetof(struct conf_mount, fstype),
		      offsetof(struct conf_mount, options) }, ARR(struct conf, mounts, nmounts),
		      offsetof(struct conf_mount, line) },
	[L_WATCHDOG] = { { WATCHDOG, WATCHDOG_SEC }, { offsetof(struct conf, watchdog),
			 offsetof(struct conf, watchdog_sec) }, 0, 0, 0, 0 },
	/* its bridge resolved by the checks (conf_check.c's check_nat) */
	[L_NAT] = { { BRIDGE }, { offsetof(struct conf_nat, name) }, ARR(struct conf, nats, nnats),
		    offsetof(struct conf_nat, line), MAX_BRIDGES },
};

static const struct directive *lookup(const char *kw, int scope, const char **text);

/* The usage of the current directive (KW\0USAGE\0 in texts[] below) and,
 * in *D, the directive; ARGS before it if it has one. (Of `hostname`, a
 * global and a service directive, the global's: they are alike.) */
static const char *usage_of(struct parser *p, const struct directive **d)
{
	const char *t;

	*d = lookup(p->tok[0], ANY, &t);
	return t + strlen(t) + 1;
}

/* A bad argument TOK of the current directive. */
void conf_bad(struct parser *p, const char *tok, const char *hint)
{
	const struct directive *d;
	char t[SHOW_MAX + 4];

	if (!hint) {
		hint = usage_of(p, &d);
		hint += *hint == *ARGS;
	}
	conf_report(p, "bad value for '%s': '%s' (%s)", p->tok[0], conf_show(t, tok), hint);
}

void conf_too_many(struct parser *p, int limit)
{
	conf_report(p, "too many '%s' lines: the limit is %d", p->tok[0], limit);
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
 * takes ("'KW' takes USAGE", and the hint of conf_bad's NULL); or, V, a directive of one argument: its
 * keyword, scope, kind of value, the field that value is stored in, and
 * its usage; or, L, one of values in a list's fields: its keyword, scope,
 * arity, lists[] entry and usage. ARGS in a usage stands for the count said in words, "one
 * argument: ", "two or three arguments: " (not spelt out each time). */
#define DIRECTIVES(D, V, L) \
	V("hostname", GLOBAL, HOST, struct conf, hostname, ARGS "NAME") \
	D("modules", GLOBAL | REPEAT, 1, -1, conf_g_modules, "one or more module names: letters, digits, '_' and '-'") \
	D("bridge", GLOBAL | REPEAT, 2, 2, conf_g_bridge, ARGS "NAME CIDR") \
	L("nat", GLOBAL | REPEAT, 1, 1, L_NAT, ARGS "BRIDGE") \
	D("interface", GLOBAL | REPEAT, 2, 3, conf_g_interface, ARGS "NAME CIDR [GATEWAY], or NAME dhcp") \
	L("sysctl", GLOBAL | REPEAT, 2, 2, L_SYSCTL, ARGS "KEY VALUE") \
	L("mount", GLOBAL | REPEAT, 3, 4, L_MOUNT, ARGS "SOURCE TARGET FSTYPE [OPTIONS]") \
	V("log-size", GLOBAL, LOG_SIZE, struct conf, log_size, ARGS "SIZE") \
	D("log-file", GLOBAL, 1, 2, conf_g_log_file, ARGS "PATH [SIZE]") \
	L("watchdog", GLOBAL, 2, 2, L_WATCHDOG, ARGS "DEVICE SECONDS") \
	V("rescue", GLOBAL, PATH, struct conf, rescue, ARGS "PATH") \
	D("service", ANY | REPEAT, 1, 1, conf_s_service, ARGS "NAME") \
	D("exec", SERVICE, 1, -1, conf_s_exec, "PATH [ARG...]") \
	V("restart", SERVICE, RESTART, struct svc_conf, restart, ARGS "") \
	D("after", SERVICE | REPEAT, 1, -1, conf_s_after, "one or more service names") \
	D("ready", SERVICE, 1, 2, conf_s_ready, "one of: started, fd N") \
	V("critical", SERVICE, YESNO, struct svc_conf, critical, ARGS "") \
	D("namespaces", SERVICE, 1, -1, conf_s_namespaces, "a list of user pid mount net uts ipc cgroup time, or all, or none") \
	V("root", SERVICE, PATH, struct svc_conf, root, ARGS "DIR") \
	V("readonly", SERVICE, READONLY, struct svc_conf, readonly, ARGS "") \
	V("syslog", SERVICE, YESNO, struct svc_conf, syslog, ARGS "") \
	L("bind", SERVICE | REPEAT, 2, 3, L_BIND, ARGS "SRC DST [ro|rw]") \
	D("tmpfs", SERVICE | REPEAT, 1, 3, conf_s_tmpfs, ARGS "DST [SIZE] [MODE]") \
	L("device", SERVICE | REPEAT, 1, 2, L_DEVICE, ARGS "PATH [rw|ro]") \
	V("proc", SERVICE, PROC, struct svc_conf, proc, ARGS "") \
	D("net", SERVICE | REPEAT, 1, 2, conf_s_net, ARGS "BRIDGE [CIDR|auto]") \
	D("publish", SERVICE | REPEAT, 1, 1, conf_s_publish, ARGS "[ADDR:]HOSTPORT:PORT[/tcp|/udp], e.g. 8080:80") \
	D("join", SERVICE, 1, 1, conf_s_join, ARGS "NAME") \
	D("user", SERVICE, 1, 1, conf_s_user, ARGS "UID[:GID], numeric, e.g. 1000:1000") \
	D("uidmap", SERVICE, 1, 2, conf_s_uidmap, ARGS "HOSTID [COUNT]") \
	D("caps", SERVICE, 1, -1, conf_s_caps, "a list of capabilities such as net_bind_service or CAP_CHOWN, or none") \
	V("seccomp", SERVICE, SECCOMP, struct svc_conf, seccomp, ARGS "") \
	V("memory", SERVICE, MEMORY, struct svc_conf, memory, ARGS "SIZE") \
	V("pids", SERVICE, PIDS, struct svc_conf, pids, ARGS "N") \
	V("cpu", SERVICE, CPU, struct svc_conf, cpu, ARGS "PERCENT") \
	V("nofile", SERVICE, NOFILE, struct svc_conf, nofile, ARGS "N") \
	D("env", SERVICE | REPEAT, 1, 1, conf_s_env, ARGS "KEY=VALUE, KEY of letters, digits and '_'") \
	V("workdir", SERVICE, PATH, struct svc_conf, workdir, ARGS "DIR") \
	V("hostname", SERVICE, HOST, struct svc_conf, hostname, ARGS "NAME") \
	D("tty", SERVICE, 1, 2, conf_s_tty, ARGS "DEVICE [graphics], e.g. /dev/ttyS0") \
	V("stop-signal", SERVICE, SIGNAL, struct svc_conf, stop_signal, ARGS "SIG") \
	V("stop-timeout", SERVICE, STOP_TIMEOUT, struct svc_conf, stop_timeout, ARGS "SECONDS")

/* The handlers apart, so that an entry is 8 bytes, not 16. */
#define ID(kw, scope, min, max, fn, usage) ID_##fn,
#define NONE(kw, scope, value, type, field, usage)
#define NOLIST(kw, scope, min, max, list, usage)
enum { DIRECTIVES(ID, NONE, NOLIST) };
#define HANDLER(kw, scope, min, max, fn, usage) [ID_##fn] = fn,
static void (*const handlers[])(struct parser *p, char **a, int n) = { DIRECTIVES(HANDLER, NONE, NOLIST) };

#define ENTRY(kw, scope, min, max, fn, usage) { scope, min, max, ID_##fn + 1, 0, 0, 0 },
#define VALUE(kw, scope, value, type, field, usage) \
	{ scope, 1, 1, 0, value, sizeof(((type *)0)->field), offsetof(type, field) },
#define LIST(kw, scope, min, max, list, usage) { scope, min, max, 0, 0, 0, list },
static const struct directive directives[] = { DIRECTIVES(ENTRY, VALUE, LIST) };

/* The keywords and usages packed, "KW\0USAGE\0" each in table order:
 * no pointer apiece (issue 15). */
#define TEXT(kw, scope, min, max, fn, usage) kw "\0" usage "\0"
#define VTEXT(kw, scope, value, type, field, usage) kw "\0" usage "\0"
static const char texts[] = DIRECTIVES(TEXT, VTEXT, TEXT);

_Static_assert(ARRAY_SIZE(directives) <= MAX_DIRECTIVES, "raise MAX_DIRECTIVES");

/* The N arguments A of value directive D, each checked (the first bad one
 * reported, and nothing stored), then stored in their fields in BASE (a
 * list's: in a new element of its array). */
static void value_args(struct parser *p, const struct directive *d, char *base, char **a, int n)
{
	const struct list *l = d->size ? NULL : &lists[d->off];
	uint64_t v[4];
	int i, k;

	for (i = 0; i < n; i++) {
		const char *val = value(l ? l->kind[i] : d->value), *s = a[i], *hint = val + 1, *r;
		uint64_t min = 1, max = 0;
		int ok;

		v[i] = 0;
		switch (*val) {
		case V_WORD:
		case V_SIGNAL:
			k = *val == V_WORD ? conf_word(hint + strlen(hint) + 1, s) : conf_signal(s);
			ok = k >= 0;
			v[i] = (uint64_t)k;
			break;
		case V_NUM:
		case V_SIZE:
			if ((r = strstr(hint, "from "))) {
				min = range_end(r + 5, &r);
				max = range_end(r + 4, &r);	/* " to " */
			}
			ok = (*val == V_NUM ? conf_number(s, max, &v[i]) : conf_size(s, &v[i])) == 0 &&
			     v[i] >= min && (!max || v[i] <= max);
			break;
		default:
			ok = checks[*val - 1](s) == 0;
		}
		if (!ok) {
			conf_bad(p, s, hint);
			return;
		}
	}
	if (l && l->arr) {
		char *arr, *e, *name;
		int *cnt = (int *)(void *)(base + l->arr + sizeof arr), line;

		memcpy(&arr, base + l->arr, sizeof arr);
		for (k = 0; l->max && k < *cnt; k++) {
			e = arr + (size_t)k * l->esize;
			memcpy(&name, e + l->off[0], sizeof name);
			memcpy(&line, e + l->line, sizeof line);
			if (!strcmp(name, a[0])) {
				conf_report(p, "'%s%s%s' given twice (first at line %d)", p->tok[0], " ", a[0], line);
				return;
			}
		}
		if (l->max && *cnt == l->max) {
			conf_too_many(p, l->max);
			return;
		}
		if (!(base = conf_add(p, base + l->arr, cnt, l->esize)))
			return;
	}
	for (i = 0; i < n; i++) {
		char *field = base + (l ? l->off[i] : d->off);

		if (*value(l ? l->kind[i] : d->value) < V_WORD)
			conf_set_str(p, (char **)(void *)field, a[i]);
		else if (!l && d->size == sizeof *v)
			memcpy(field, &v[i], sizeof *v);
		else {
			k = (int)v[i];
			memcpy(field, &k, sizeof k);
		}
	}
	if (l && l->line)
		memcpy(base + l->line, &p->line, sizeof p->line);
}

/* "'KW' takes U", ARGS in U said from the arity; a value directive of
 * words (restart, critical...) names them once, in its value's hint. */
void conf_usage(struct parser *p)
{
	static const char num[][6] = { "", "one", "two", "three", "four" };
	const struct directive *d;
	const char *u = usage_of(p, &d);

	if (*u != *ARGS) {
		conf_report(p, "'%s' takes %s", p->tok[0], u);
		return;
	}
	/* none given: a word value's, its hint's words after "use " */
	if (!*++u)
		u = value(d->value) + 1 + 4;
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
		conf_usage(p);
		return;
	}
	first = scope == SERVICE ? p->x->first : p->gfirst;
	if (!(d->scope & REPEAT) && first[d - directives]) {
		conf_report(p, "'%s%s%s' given twice (first at line %d)", kw, "", "", first[d - directives]);
		return;
	}
	if (!first[d - directives])
		first[d - directives] = p->line;
	if (d->fn)
		handlers[d->fn - 1](p, p->tok + 1, n);
	else
		value_args(p, d, p->svc ? (char *)p->svc : (char *)p->c, p->tok + 1, n);
}
