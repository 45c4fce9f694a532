/* conf_directive: the table of the config language's directives (SPEC §3):
 * scope, repeat and arity of each, and its handler (the global ones in
 * conf_global.c, the service ones in conf_service.c); the dispatch of one
 * line to its handler; and the argument helpers the handlers share. */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_directive.h"
#include "conf_parser.h"
#include "conf_value.h"

enum { REPEAT = 4 };	/* a scope bit: may be given more than once */

struct directive {
	void (*fn)(struct parser *p, char **a, int n);
	signed char scope;	/* GLOBAL, SERVICE or ANY, | REPEAT */
	signed char min, max;	/* argument count; max -1: no limit */
};

/* A bad argument TOK of the current directive. */
void conf_bad(struct parser *p, const char *tok, const char *hint)
{
	char t[SHOW_MAX + 4];

	conf_report(p, "bad value for '%s': '%s' (%s)", p->tok[0], conf_show(t, tok), hint);
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

/* A hostname argument S into *FIELD (the global one, or a service's). */
void conf_hostname_arg(struct parser *p, char **field, const char *s)
{
	if (conf_hostname(s) < 0)
		conf_bad(p, s, "use letters, digits, '-' and '.', up to 64 characters");
	else
		conf_set_str(p, field, s);
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
 * takes ("'KW' takes USAGE"). */
#define DIRECTIVES(D) \
	D("hostname", GLOBAL, 1, 1, conf_g_hostname, "one argument: NAME") \
	D("modules", GLOBAL | REPEAT, 1, -1, conf_g_modules, "one or more module names") \
	D("bridge", GLOBAL | REPEAT, 2, 2, conf_g_bridge, "two arguments: NAME CIDR") \
	D("nat", GLOBAL | REPEAT, 1, 1, conf_g_nat, "one argument: BRIDGE") \
	D("interface", GLOBAL | REPEAT, 2, 3, conf_g_interface, "two or three arguments: NAME CIDR [GATEWAY], or NAME dhcp") \
	D("sysctl", GLOBAL | REPEAT, 2, 2, conf_g_sysctl, "two arguments: KEY VALUE") \
	D("mount", GLOBAL | REPEAT, 3, 4, conf_g_mount, "three or four arguments: SOURCE TARGET FSTYPE [OPTIONS]") \
	D("log-size", GLOBAL, 1, 1, conf_g_log_size, "one argument: SIZE") \
	D("log-file", GLOBAL, 1, 2, conf_g_log_file, "one or two arguments: PATH [SIZE]") \
	D("watchdog", GLOBAL, 2, 2, conf_g_watchdog, "two arguments: DEVICE SECONDS") \
	D("rescue", GLOBAL, 1, 1, conf_g_rescue, "one argument: PATH") \
	D("service", ANY | REPEAT, 1, 1, conf_s_service, "one argument: NAME") \
	D("exec", SERVICE, 1, -1, conf_s_exec, "a path and its arguments: PATH [ARG...]") \
	D("restart", SERVICE, 1, 1, conf_s_restart, "one argument: always, on-failure or never") \
	D("after", SERVICE | REPEAT, 1, -1, conf_s_after, "one or more service names") \
	D("ready", SERVICE, 1, 2, conf_s_ready, "one of: started, fd N") \
	D("critical", SERVICE, 1, 1, conf_s_critical, "one argument: yes or no") \
	D("namespaces", SERVICE, 1, -1, conf_s_namespaces, "a list of user pid mount net uts ipc cgroup time, or all, or none") \
	D("root", SERVICE, 1, 1, conf_s_root, "one argument: DIR") \
	D("readonly", SERVICE, 1, 1, conf_s_readonly, "one argument: yes, no or overlay") \
	D("syslog", SERVICE, 1, 1, conf_s_syslog, "one argument: yes or no") \
	D("bind", SERVICE | REPEAT, 2, 3, conf_s_bind, "two or three arguments: SRC DST [ro|rw]") \
	D("tmpfs", SERVICE | REPEAT, 1, 3, conf_s_tmpfs, "one to three arguments: DST [SIZE] [MODE]") \
	D("device", SERVICE | REPEAT, 1, 2, conf_s_device, "one or two arguments: PATH [rw|ro]") \
	D("proc", SERVICE, 1, 1, conf_s_proc, "one argument: full or pid-only") \
	D("net", SERVICE | REPEAT, 1, 2, conf_s_net, "one or two arguments: BRIDGE [CIDR|auto]") \
	D("publish", SERVICE | REPEAT, 1, 1, conf_s_publish, "one argument: [ADDR:]HOSTPORT:PORT[/tcp|/udp]") \
	D("join", SERVICE, 1, 1, conf_s_join, "one argument: NAME") \
	D("user", SERVICE, 1, 1, conf_s_user, "one argument: UID[:GID]") \
	D("uidmap", SERVICE, 1, 2, conf_s_uidmap, "one or two arguments: HOSTID [COUNT]") \
	D("caps", SERVICE, 1, -1, conf_s_caps, "a list of capabilities, or none") \
	D("seccomp", SERVICE, 1, 1, conf_s_seccomp, "one argument: default or off") \
	D("memory", SERVICE, 1, 1, conf_s_memory, "one argument: SIZE") \
	D("pids", SERVICE, 1, 1, conf_s_pids, "one argument: N") \
	D("cpu", SERVICE, 1, 1, conf_s_cpu, "one argument: PERCENT") \
	D("nofile", SERVICE, 1, 1, conf_s_nofile, "one argument: N") \
	D("env", SERVICE | REPEAT, 1, 1, conf_s_env, "one argument: KEY=VALUE") \
	D("workdir", SERVICE, 1, 1, conf_s_workdir, "one argument: DIR") \
	D("hostname", SERVICE, 1, 1, conf_s_hostname, "one argument: NAME") \
	D("tty", SERVICE, 1, 2, conf_s_tty, "one or two arguments: DEVICE [graphics]") \
	D("stop-signal", SERVICE, 1, 1, conf_s_stop_signal, "one argument: SIG") \
	D("stop-timeout", SERVICE, 1, 1, conf_s_stop_timeout, "one argument: SECONDS")

#define ENTRY(kw, scope, min, max, fn, usage) { fn, scope, min, max },
static const struct directive directives[] = { DIRECTIVES(ENTRY) };

/* The keywords and usages packed, "KW\0USAGE\0" each in table order:
 * no pointer apiece (issue 15). */
#define TEXT(kw, scope, min, max, fn, usage) kw "\0" usage "\0"
static const char texts[] = DIRECTIVES(TEXT);

_Static_assert(ARRAY_SIZE(directives) <= MAX_DIRECTIVES, "raise MAX_DIRECTIVES");

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
		conf_report(p, "'%s' takes %s", kw, text + strlen(text) + 1);
		return;
	}
	first = scope == SERVICE ? p->x->first : p->gfirst;
	if (!(d->scope & REPEAT) && first[d - directives]) {
		conf_report(p, "'%s' given twice (first at line %d)", kw, first[d - directives]);
		return;
	}
	if (!first[d - directives])
		first[d - directives] = p->line;
	d->fn(p, p->tok + 1, n);
}
