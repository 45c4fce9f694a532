/* conf_service: the handlers of the service directives (service, exec,
 * after ... tty) other than those conf_directive.c's table stores as one
 * value: each checks its arguments and stores them in the service's
 * struct svc_conf; the comparison that tells reload a changed service;
 * and the services `interface NAME dhcp` implies. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_directive.h"
#include "conf_parser.h"
#include "conf_value.h"

#define ID_HINT "use a number from 1 to 4294967294"	/* host root is never mapped */
#define NAME_HINT "use [a-z0-9][a-z0-9_-]{0,31}"

static void svc_init(struct parser *p, struct svc_conf *s, struct svc_extra *x,
		     const char *name)
{
	*s = (struct svc_conf){
		.line = p->line, .restart = RESTART_ALWAYS, .ready_fd = -1,
		.namespaces = NS_ALL, .readonly = 1, .syslog = 1, .proc = PROC_FULL, .join = -1,
		.caps = conf_default_caps, .seccomp = 1, .stop_signal = SIGTERM,
		.stop_timeout = 5,
	};
	if (name)
		strcpy(s->name, name);
	s->env = calloc(1, sizeof *s->env);
	s->workdir = conf_copy(p, "/");
	s->hostname = conf_copy(p, s->name);
	if (!s->env)
		p->oom = 1;
	s->iface = -1;
	*x = (struct svc_extra){ .join = { .idx = -1 } };
}

/* A new service NAME (NULL: a bad one) at the end of c->svc, p->svc and
 * p->x it and its extra; NULL if out of memory (the array may have moved:
 * parsing stops). */
static struct svc_conf *add_svc(struct parser *p, const char *name)
{
	struct conf *c = p->c;
	struct svc_conf *v = conf_grow(p, c->svc, c->nsvc, sizeof *v);
	struct svc_extra *xv = v ? conf_grow(p, p->xs, c->nsvc, sizeof *xv) : NULL;

	if (v)
		c->svc = v;
	p->svc = NULL;
	p->x = NULL;
	if (!xv)
		return NULL;
	p->xs = xv;
	p->svc = &c->svc[c->nsvc];
	p->x = &p->xs[c->nsvc++];
	svc_init(p, p->svc, p->x, name);
	return p->svc;
}
void conf_s_service(struct parser *p, char **a, int n)
{
	struct conf *c = p->c;
	const char *name = a[0];
	char t[SHOW_MAX + 4];
	int i;

	(void)n;
	if (conf_service_name(name) < 0) {
		conf_bad(p, name, NAME_HINT);
		name = NULL;	/* still read its directives, to check them */
	} else if (!strcmp(name, "kernel")) {
		/* `initctl log kernel` is the kernel's (SPEC §5). A service
		 * named sandinit or syslog is fine: its ring shadows PID 1's
		 * of that name in `initctl log NAME` (logview.c). */
		conf_report(p, "service name 'kernel' is reserved");
	} else if ((i = conf_find(c, name)) >= 0) {
		conf_report(p, "duplicate %s '%s' (first at line %d)", "service", conf_show(t, name), c->svc[i].line);
	}
	if (c->nsvc == CONF_MAX_SERVICES) {
		if (!p->too_many)
			conf_too_many(p, CONF_MAX_SERVICES);
		p->too_many = 1;
		conf_svc_free(&p->spare);
		conf_extra_free(&p->xspare);
		p->svc = &p->spare;
		p->x = &p->xspare;
		svc_init(p, p->svc, p->x, name);
	} else
		add_svc(p, name);
}

void conf_s_exec(struct parser *p, char **a, int n)
{
	struct svc_conf *s = p->svc;

	p->x->exec_line = p->line;
	if (conf_abs_path(a[0]) < 0) {
		conf_bad(p, a[0], PATH_HINT);
		return;
	}
	for (int i = 0; i < n && !p->oom; i++)
		conf_push_str(p, &s->argv, &s->argc, a[i]);
}

/* `after NAME...`, and `join NAME` (one, non-repeatable: the table says). */
void conf_s_after(struct parser *p, char **a, int n)
{
	struct svc_extra *x = p->x;
	struct ref *r;

	for (int i = 0; i < n; i++) {
		if (conf_service_name(a[i]) < 0) {
			conf_bad(p, a[i], NAME_HINT);
			continue;
		}
		if (!(r = p->tok[0][0] == 'j' ? &x->join : conf_add(p, &x->after, &x->nafter, sizeof *r)))
			return;
		*r = (struct ref){ .name = conf_copy(p, a[i]), .line = p->line, .idx = -1 };
	}
}

void conf_s_ready(struct parser *p, char **a, int n)
{
	uint64_t fd;

	if (n == 1 && !strcmp(a[0], "started"))
		p->svc->ready_fd = -1;
	else if (n == 2 && !strcmp(a[0], "fd")) {
		if (conf_number(a[1], 1023, &fd) < 0 || fd < 3)
			conf_bad(p, a[1], "use a descriptor number from 3 to 1023");
		else
			p->svc->ready_fd = (int)fd;
	} else
		conf_usage(p);
}

/* By bit: NS_USER is 1 << 0 ... */
static const char ns_names[] = "user\0pid\0mount\0net\0uts\0ipc\0cgroup\0time\0";

const char *conf_ns_name(unsigned bit)
{
	if (bit & (bit - 1))
		return NULL;
	for (const char *w = ns_names; *w; w += strlen(w) + 1, bit >>= 1)
		if (bit & 1)
			return w;
	return NULL;
}

/* `namespaces LIST|all|none` and `caps LIST|none`: names, each a bit of a
 * mask (the table gives caps this handler). */
void conf_s_namespaces(struct parser *p, char **a, int n)
{
	struct svc_conf *s = p->svc;
	int caps = p->tok[0][0] == 'c', j;
	uint64_t set = 0;

	if (caps)
		s->caps_set = 1;
	if (n == 1 && (j = conf_word(caps ? "none\0" : "none\0all\0", a[0])) >= 0)
		set = j ? NS_ALL : 0;
	else
		for (int i = 0; i < n; i++) {
			if ((j = caps ? conf_cap(a[i]) : conf_word(ns_names, a[i])) < 0) {
				conf_bad(p, a[i], NULL);
				return;
			}
			set |= UINT64_C(1) << j;
		}
	if (caps)
		s->caps = set;
	else
		s->namespaces = (unsigned)set;
}

/* An octal MODE: 0..07777, or -1. */
static int tmpfs_mode(const char *s)
{
	const char *q = s;
	unsigned m = 0;

	for (; *q >= '0' && *q <= '7' && m <= 07777; q++)
		m = m * 8 + (unsigned)(*q - '0');
	return q == s || *q || m > 07777 ? -1 : (int)m;
}

void conf_s_tmpfs(struct parser *p, char **a, int n)
{
	struct svc_conf *s = p->svc;
	struct conf_tmpfs *t;
	uint64_t size = 0;
	int mode = -1;

	if (conf_abs_path(a[0]) < 0) {
		conf_bad(p, a[0], PATH_HINT);
		return;
	}
	/* A lone value is a MODE if it starts with 0 (a SIZE never does). */
	if (n == 2 && a[1][0] == '0')
		n = 3, a[2] = a[1];
	else if (n >= 2 && (conf_size(a[1], &size) < 0 || size == 0)) {
		conf_bad(p, a[1], SIZE_HINT);
		return;
	}
	if (n == 3 && (mode = tmpfs_mode(a[2])) < 0) {
		conf_bad(p, a[2], "use an octal mode such as 0755 or 1777");
		return;
	}
	if (!(t = conf_add(p, &s->tmpfs, &s->ntmpfs, sizeof *t)))
		return;
	t->dst = conf_copy(p, a[0]);
	t->size = size;
	t->mode = mode;
}

/* The address of a `net` line: 0 for auto, or -1 after reporting. */
static int64_t net_addr(struct parser *p, const struct conf_bridge *b, const char *s)
{
	uint32_t addr, mask = conf_prefix_mask(b->prefix);
	int prefix = b->prefix;
	char ip[16], net[16];
	const char *what = "network address", *tail = "";

	if (!strcmp(s, "auto"))
		return 0;
	if (conf_ipv4(s, &addr) < 0 && conf_cidr(s, &addr, &prefix) < 0) {
		conf_bad(p, s, "use auto or an IPv4 address such as 10.0.0.2/24");
		return -1;
	}
	conf_ip_str(ip, addr);
	conf_ip_str(net, b->addr & mask);
	if (prefix != b->prefix || (addr & mask) != (b->addr & mask))
		conf_report(p, "address %s/%d does not match bridge '%s' subnet %s/%d", ip, prefix, b->name, net, b->prefix);
	else {
		if ((addr & ~mask) == ~mask)
			what = "broadcast address";
		else if (addr == b->addr) {
			what = "address";
			tail = " itself";
		}
		else if (addr & ~mask)
			return addr;
		conf_report(p, "address %s is the %s of bridge '%s'%s", ip, what, b->name, tail);
	}
	return -1;
}

void conf_s_net(struct parser *p, char **a, int n)
{
	struct svc_conf *s = p->svc;
	struct conf_net *v;
	char t[SHOW_MAX + 4];
	int64_t addr = 0;
	int b = conf_bridge_find(p->c, a[0]);

	if (b < 0) {
		conf_report(p, "%sundeclared bridge '%s'", "", conf_show(t, a[0]));
		return;
	}
	if (n == 2 && (addr = net_addr(p, &p->c->bridges[b], a[1])) < 0)
		return;
	if (s->nnets == MAX_NETS) {
		conf_too_many(p, MAX_NETS);
		return;
	}
	if (!(v = conf_add(p, &s->nets, &s->nnets, sizeof *v)))
		return;
	v->bridge = b;
	v->addr = (uint32_t)addr;
	v->line = p->line;
}

/* A port from 1 to 65535 into *OUT. */
static int port_arg(const char *s, uint16_t *out)
{
	uint64_t v;

	if (conf_number(s, 65535, &v) < 0 || v == 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

void conf_s_publish(struct parser *p, char **a, int n)
{
	struct svc_conf *s = p->svc;
	struct conf_publish pub = { .proto = 6, .line = p->line }, *v;
	char buf[64], *f[4], *slash;
	int nf = 0;

	(void)n;
	if (strlen(a[0]) >= sizeof buf) {
		conf_bad(p, a[0], NULL);
		return;
	}
	strcpy(buf, a[0]);
	if ((slash = strchr(buf, '/'))) {
		*slash++ = 0;
		if (!strcmp(slash, "udp"))
			pub.proto = 17;
		else if (strcmp(slash, "tcp")) {
			conf_bad(p, a[0], "the protocol is /tcp or /udp");
			return;
		}
	}
	for (char *t = buf, *c; nf < 4; t = c + 1) {
		f[nf++] = t;
		if (!(c = strchr(t, ':')))
			break;
		*c = 0;
	}
	if (nf < 2 || nf > 3) {
		conf_bad(p, a[0], NULL);
		return;
	}
	if (nf == 3 && conf_ipv4(f[0], &pub.addr) < 0) {
		conf_bad(p, a[0], "ADDR is an IPv4 address of the appliance");
		return;
	}
	if (nf == 3 && pub.addr >> 28 >= 14) {
		conf_bad(p, a[0], "ADDR cannot be a multicast or reserved address");
		return;
	}
	if (port_arg(f[nf - 2], &pub.hostport) < 0 || port_arg(f[nf - 1], &pub.port) < 0) {
		conf_bad(p, a[0], "ports are numbers from 1 to 65535");
		return;
	}
	if (!(v = conf_add(p, &s->publishes, &s->npublishes, sizeof *v)))
		return;
	*v = pub;
}

void conf_s_user(struct parser *p, char **a, int n)
{
	const char *e;
	uint64_t uid, gid = 0;

	(void)n;
	if (conf_digits(a[0], &e, ID_MAX, &uid) < 0 || (*e && (*e != ':' || conf_number(e + 1, ID_MAX, &gid) < 0))) {
		conf_bad(p, a[0], NULL);
		return;
	}
	p->svc->uid = (uint32_t)uid;
	p->svc->gid = (uint32_t)gid;
	p->x->user_line = p->line;
}

void conf_s_uidmap(struct parser *p, char **a, int n)
{
	uint64_t host, count = CONF_UID_RANGE;

	if (conf_number(a[0], ID_MAX, &host) < 0 || host == 0) {
		conf_bad(p, a[0], ID_HINT);
		return;
	}
	if (n == 2 && (conf_number(a[1], ID_MAX, &count) < 0 || count == 0)) {
		conf_bad(p, a[1], ID_HINT);
		return;
	}
	if (host + count - 1 > ID_MAX) {
		conf_report(p, "'uidmap' %s with %llu ids runs past the last id, 4294967294", a[0], (unsigned long long)count);
		return;
	}
	p->svc->uidmap_host = (uint32_t)host;
	/* (the range's size as an automatic one stores it: 0) */
	p->svc->uidmap_count = count == CONF_UID_RANGE ? 0 : (uint32_t)count;
	p->x->uidmap_line = p->line;
}

void conf_s_env(struct parser *p, char **a, int n)
{
	(void)n;
	if (conf_env(a[0]) < 0)
		conf_bad(p, a[0], NULL);
	else
		conf_push_str(p, &p->svc->env, &p->svc->nenv, a[0]);
}

void conf_s_tty(struct parser *p, char **a, int n)
{
	if (conf_dev_path(a[0]) < 0) {
		conf_bad(p, a[0], NULL);
		return;
	}
	if (n == 2 && strcmp(a[1], "graphics")) {
		conf_bad(p, a[1], NULL);
		return;
	}
	/* KD_GRAPHICS is a virtual terminal's mode (console_ioctl(2)). */
	if (n == 2 && conf_vt(a[0]) <= 0) {
		conf_bad(p, a[0], "graphics needs a virtual terminal /dev/ttyN, N from 1 to 63");
		return;
	}
	conf_set_str(p, &p->svc->tty, a[0]);
	p->svc->tty_graphics = n == 2;
	p->x->tty_line = p->line;
}

/* What makes two services differ (conf_svc_same): each setting's offset
 * in its struct, times 8, plus its kind: a scalar of 1 << KIND bytes or one
 * of these. A field struct svc_conf gains that a service's run depends on
 * belongs here. */
enum { STR = 4, STRV };	/* a string or NULL; a NULL-terminated list */
typedef unsigned short field;
#define SCALAR(t, f) (offsetof(struct t, f) << 3 | \
		      (sizeof(((struct t *)0)->f) == 8 ? 3 : sizeof(((struct t *)0)->f) / 2))
#define STRING(t, f, k) (offsetof(struct t, f) << 3 | (k))

static const field svc_fields[] = {
	SCALAR(svc_conf, restart), SCALAR(svc_conf, ready_fd), SCALAR(svc_conf, critical),
	SCALAR(svc_conf, namespaces), SCALAR(svc_conf, readonly), SCALAR(svc_conf, syslog),
	SCALAR(svc_conf, proc), SCALAR(svc_conf, uid), SCALAR(svc_conf, gid),
	SCALAR(svc_conf, uidmap_host), SCALAR(svc_conf, uidmap_count), SCALAR(svc_conf, caps),
	SCALAR(svc_conf, caps_set), SCALAR(svc_conf, seccomp), SCALAR(svc_conf, memory),
	SCALAR(svc_conf, pids), SCALAR(svc_conf, cpu), SCALAR(svc_conf, nofile),
	SCALAR(svc_conf, tty_graphics), SCALAR(svc_conf, stop_signal), SCALAR(svc_conf, stop_timeout),
	SCALAR(svc_conf, nafter), SCALAR(svc_conf, nbinds), SCALAR(svc_conf, ntmpfs),
	SCALAR(svc_conf, ndevices), SCALAR(svc_conf, npublishes),
	STRING(svc_conf, root, STR), STRING(svc_conf, workdir, STR),
	STRING(svc_conf, hostname, STR), STRING(svc_conf, tty, STR),
	STRING(svc_conf, argv, STRV), STRING(svc_conf, envp, STRV),
};
static const field bind_fields[] = {
	STRING(conf_bind, src, STR), STRING(conf_bind, dst, STR), SCALAR(conf_bind, rw),
};
static const field tmpfs_fields[] = {
	STRING(conf_tmpfs, dst, STR), SCALAR(conf_tmpfs, size), SCALAR(conf_tmpfs, mode),
};
static const field device_fields[] = {
	STRING(conf_device, path, STR), SCALAR(conf_device, ro),
};
static const field publish_fields[] = {
	SCALAR(conf_publish, addr), SCALAR(conf_publish, hostport),
	SCALAR(conf_publish, port), SCALAR(conf_publish, proto),
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

static int str_same(const char *s, const char *t)
{
	return s == t || (s && t && !strcmp(s, t));
}

__attribute__((noinline)) static int strv_same(char **v, char **w)
{
	if (!v || !w)
		return v == w;
	while (*v && *w && !strcmp(*v, *w))
		v++, w++;
	return *v == *w;
}

/* Are the N fields F of the structs at A and B the same? */
static int same(const void *a, const void *b, const field *f, size_t n)
{
	for (; n--; f++) {
		const char *x = (const char *)a + (*f >> 3), *y = (const char *)b + (*f >> 3);
		unsigned kind = *f & 7;

		if (kind < STR ? memcmp(x, y, 1u << kind) != 0 :
		    kind == STR ? !str_same(*(char *const *)x, *(char *const *)y) :
		    !strv_same(*(char **const *)x, *(char **const *)y))
			return 0;
	}
	return 1;
}

/* The N structs of SIZE bytes at A and B, in order. */
static int same_each(const void *a, const void *b, int n, size_t size, const field *f,
		     size_t nf)
{
	for (int i = 0; i < n; i++)
		if (!same((const char *)a + i * size, (const char *)b + i * size, f, nf))
			return 0;
	return 1;
}

/* Name of service I of C, "" for none (-1). */
static const char *svc_name(const struct conf *c, int i)
{
	return i < 0 ? "" : c->svc[i].name;
}

int conf_svc_same(const struct conf *a, const struct svc_conf *s, const struct conf *b,
		  const struct svc_conf *t)
{
	if (!same(s, t, svc_fields, NFIELDS(svc_fields)) ||
	    strcmp(svc_name(a, s->join), svc_name(b, t->join)))
		return 0;
	/* `after` in any order: each names a distinct service */
	for (int i = 0, j; i < s->nafter; i++) {
		for (j = 0; j < t->nafter; j++)
			if (!strcmp(svc_name(a, s->after[i]), svc_name(b, t->after[j])))
				break;
		if (j == t->nafter)
			return 0;
	}
	return same_each(s->binds, t->binds, s->nbinds, sizeof *s->binds, bind_fields,
			 NFIELDS(bind_fields)) &&
	       same_each(s->tmpfs, t->tmpfs, s->ntmpfs, sizeof *s->tmpfs, tmpfs_fields,
			 NFIELDS(tmpfs_fields)) &&
	       same_each(s->devices, t->devices, s->ndevices, sizeof *s->devices, device_fields,
			 NFIELDS(device_fields)) &&
	       same_each(s->publishes, t->publishes, s->npublishes, sizeof *s->publishes,
			 publish_fields, NFIELDS(publish_fields));
}

/* `interface NAME dhcp`: the helper's service entry, dhcp-NAME, after the
 * config's own. It runs sandinit itself (/proc/self/exe: the reaper's
 * image, whatever path PID 1 was started by) in every namespace but user
 * and net: a raw socket needs CAP_NET_RAW in the user namespace that owns
 * the network namespace, here the initial one. So it runs as nobody with
 * only CAP_NET_RAW and CAP_NET_BIND_SERVICE (ambient), no_new_privs and
 * seccomp. Its leases come up fd 3 (its `ready fd`: for it a SOCK_SEQPACKET
 * socket, supervise_io.c). */
void conf_dhcp_services(struct parser *p)
{
	struct conf *c = p->c;
	char name[CONF_NAME_MAX + 1], t[SHOW_MAX + 4];

	for (int k = 0; k < c->nifaces && !p->oom; k++) {
		const struct conf_iface *f = &c->ifaces[k];
		struct svc_conf *v;
		int i, line = p->line;

		if (!f->dhcp)
			continue;
		snprintf(name, sizeof name, "dhcp-%s", f->name);
		if ((i = conf_find(c, name)) >= 0) {
			conf_report_at(p, f->line, "'interface %s dhcp' needs the service name '%s', taken at line %d",
				       f->name, conf_show(t, name), c->svc[i].line);
			continue;
		}
		if (c->nsvc == CONF_MAX_SERVICES) {
			conf_report_at(p, f->line, "too many services: the limit is %d, with dhcp-%s",
				       CONF_MAX_SERVICES, f->name);
			return;
		}
		p->line = f->line;
		v = add_svc(p, name);
		p->line = line;
		if (!v)
			return;
		v->iface = k;
		v->ready_fd = 3;
		v->namespaces = NS_PID | NS_MOUNT | NS_UTS | NS_IPC | NS_CGROUP;
		v->caps = UINT64_C(1) << 13 | UINT64_C(1) << 10;	/* net_raw, net_bind_service */
		v->caps_set = 1;
		v->uid = v->gid = 65534;
		p->x->exec_line = f->line;
		conf_push_str(p, &v->argv, &v->argc, "/proc/self/exe");
		conf_push_str(p, &v->argv, &v->argc, "dhcp");
		conf_push_str(p, &v->argv, &v->argc, f->name);
	}
}
