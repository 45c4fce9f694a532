/* conf_check: the checks that need the whole file: names resolved,
 * dependency cycles, addresses and terminals used twice. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_parser.h"
#include "conf_value.h"

static void resolve(struct parser *p, int i)
{
	struct conf *c = p->c;
	struct svc_conf *s = &c->svc[i];
	struct svc_extra *x = &p->xs[i];
	char t[SHOW_MAX + 4];
	int j;

	if (x->nafter && !(s->after = calloc((size_t)x->nafter, sizeof *s->after))) {
		p->oom = 1;
		return;
	}
	/* the `after` names, then the `join` one */
	for (int k = 0; k <= x->nafter; k++) {
		struct ref *r = k < x->nafter ? &x->after[k] : &x->join;
		if (!r->name)
			continue;
		if ((r->idx = conf_find(c, r->name)) < 0) {
			conf_report_at(p, r->line, "'%s' names unknown service '%s'", k < x->nafter ? "after" : "join",
				       conf_show(t, r->name));
			continue;
		}
		for (j = 0; j < s->nafter && s->after[j] != r->idx; j++)
			;
		if (k < x->nafter && j == s->nafter)
			s->after[s->nafter++] = r->idx;
	}
	if (x->join.idx < 0)
		return;
	if (x->join.idx == i) {
		conf_report_at(p, x->join.line, "service '%s' cannot join itself", s->name);
		x->join.idx = -1;	/* not a dependency cycle as well */
	}
	else if (c->svc[x->join.idx].iface >= 0)
		/* it shares PID 1's network and runs in a user namespace
		 * of PID 1's: nothing a pod could join */
		conf_report_at(p, x->join.line, "'join' names '%s', the DHCP helper of 'interface %s dhcp'",
			       x->join.name, c->ifaces[c->svc[x->join.idx].iface].name);
	else if (s->nnets)
		conf_report_at(p, x->join.line, "'join' with 'net': service '%s' shares the network of '%s'",
			  s->name, x->join.name);
	else
		s->join = x->join.idx;
}

/* What only a mount namespace gives, written for a service without one:
 * an error, never silently dropped (the defaults need none). */
static void check_mount_ns(struct parser *p, const struct svc_conf *s, const struct svc_extra *x)
{
	const char *kw = "root\0bind\0tmpfs\0readonly\0proc\0";

	for (int k = 0; *kw; k++, kw += strlen(kw) + 1) {
		int line = conf_first_line(x, kw);

		if (!line || (k == 3 && !s->readonly) || (k == 4 && s->proc == PROC_FULL))
			continue;
		conf_report_at(p, line, "'%s' needs a %s namespace, which 'namespaces' leaves out", kw, "mount");
	}
}

static void check_service(struct parser *p, int i)
{
	struct svc_conf *s = &p->c->svc[i];
	struct svc_extra *x = &p->xs[i];
	uint64_t count = s->uidmap_count ? s->uidmap_count : CONF_UID_RANGE;

	/* A bad name or a bad exec line was reported already. */
	if (!x->exec_line && !x->unread && s->name[0])
		conf_report_at(p, s->line, "service '%s' has no 'exec'", s->name);
	if (x->user_line && (s->namespaces & NS_USER) && (s->uid >= count || s->gid >= count))
		conf_report_at(p, x->user_line, "user %u:%u is outside the %llu ids the user namespace maps",
			  s->uid, s->gid, (unsigned long long)count);
	if (s->npublishes && !s->nnets)
		conf_report_at(p, s->publishes[0].line, "'publish' needs 'net': service '%s' has none",
			  s->name);
	if (s->nnets && !(s->namespaces & NS_NET))
		conf_report_at(p, s->nets[0].line, "'%s' needs a %s namespace, which 'namespaces' leaves out", "net", "net");
	if (!(s->namespaces & NS_MOUNT))
		check_mount_ns(p, s, x);
	for (int j = 0; j < i; j++)
		if (s->tty && p->c->svc[j].tty && !strcmp(s->tty, p->c->svc[j].tty)) {
			conf_report_at(p, x->tty_line, "%s%s%s is already used by service '%s' (line %d)",
				       "tty '", s->tty, "'", p->c->svc[j].name, p->xs[j].tty_line);
			break;
		}
}

/* Does S's env set KEY (KEY= ... up to and with '=')? */
static int env_sets(const struct svc_conf *s, const char *key)
{
	for (int i = 0; i < s->nenv; i++)
		if (!strncmp(s->env[i], key, strlen(key)))
			return 1;
	return 0;
}

/* S's exec environment, as many entries as its env lines and three more:
 * sized here, so a service has every line it was given. */
static void build_env(struct parser *p, struct svc_conf *s)
{
	static char default_path[] = "PATH=" CONF_DEFAULT_PATH;
	static char home[] = "HOME=/", term[] = "TERM=linux";
	char *path = default_path;
	size_t n = 0;

	if (!(s->envp = calloc((size_t)s->nenv + 4, sizeof *s->envp))) {
		p->oom = 1;
		return;
	}
	if (!env_sets(s, "HOME="))
		s->envp[n++] = home;
	if (!env_sets(s, "TERM="))
		s->envp[n++] = term;
	for (int i = 0; i < s->nenv; i++) {
		if (!strncmp(s->env[i], "PATH=", 5))
			path = s->env[i];
		else
			s->envp[n++] = s->env[i];
	}
	s->envp[n] = path;
	s->path = path + 5;
}

/* "a -> b -> a": STACK[FROM..TOP], then back to its first. */
static void report_cycle(struct parser *p, const int *stack, int from, int top, int line)
{
	char msg[sizeof p->errs->v->msg - sizeof "dependency cycle:" + 1];	/* what follows it */
	size_t len = 0;

	for (int k = from; k <= top + 1; k++) {
		const char *name = p->c->svc[stack[k <= top ? k : from]].name;
		if (len + strlen(name) + 8 >= sizeof msg) {
			snprintf(msg + len, sizeof msg - len, " -> ...");
			break;
		}
		len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", k == from ? " " : " -> ", name);
	}
	conf_report_at(p, line, "dependency cycle:%s", msg);
}

/* Depth-first over "must start after" edges (`after` and `join`);
 * STATE: 0 unseen, 1 on the stack, 2 done. */
static void visit(struct parser *p, int i, int *state, int *stack, int depth)
{
	struct svc_extra *x = &p->xs[i];

	state[i] = 1;
	stack[depth] = i;
	for (int k = 0; k <= x->nafter; k++) {
		struct ref *r = k < x->nafter ? &x->after[k] : &x->join;
		if (r->idx < 0)
			continue;
		if (state[r->idx] == 1) {
			int from = depth;
			while (stack[from] != r->idx)
				from--;
			report_cycle(p, stack, from, depth, r->line);
		} else if (state[r->idx] == 0) {
			visit(p, r->idx, state, stack, depth + 1);
		}
	}
	state[i] = 2;
}

static void check_cycles(struct parser *p)
{
	int n = p->c->nsvc;
	int *state = calloc((size_t)n + 1, sizeof *state);
	int *stack = calloc((size_t)n + 1, sizeof *stack);

	if (!state || !stack)
		p->oom = 1;
	else
		for (int i = 0; i < n; i++)
			if (!state[i])
				visit(p, i, state, stack, 0);
	free(state);
	free(stack);
}

/* Of the elements before service I's Kth in the arrays of SIZE-byte
 * elements at offset ARR of each service (a pointer, its int count at CNT),
 * in config order (line order), the first (with FIRST, else the last) that
 * SAME says X clashes with; its service in *SJ. NULL if none. */
static const void *clash(const struct conf *c, int i, int k, const void *x, size_t arr, size_t cnt,
			 size_t size, int (*same)(const void *, const void *), int first, int *sj)
{
	const char *v, *y = NULL;
	int n;

	for (int j = 0; j <= i; j++) {
		memcpy(&v, (const char *)&c->svc[j] + arr, sizeof v);
		memcpy(&n, (const char *)&c->svc[j] + cnt, sizeof n);
		for (int l = 0; l < (j < i ? n : k); l++)
			if (same(x, v + (size_t)l * size)) {
				y = v + (size_t)l * size;
				*sj = j;
				if (first)
					return y;
			}
	}
	return y;
}

static int same_addr(const void *a, const void *b)
{
	const struct conf_net *x = a, *y = b;

	return x->addr && x->addr == y->addr;
}

/* Static addresses are unique across every service (the subnets do not
 * overlap, so equal addresses are on the same bridge): each use after the
 * first is reported with the one before it (2,048 links at most). */
static void check_addresses(struct parser *p)
{
	struct conf *c = p->c;
	char ip[16];
	int j;

	for (int i = 0; i < c->nsvc; i++)
		for (int k = 0; k < c->svc[i].nnets; k++) {
			const struct conf_net *x = &c->svc[i].nets[k], *y;

			if ((y = clash(c, i, k, x, offsetof(struct svc_conf, nets), offsetof(struct svc_conf, nnets),
				       sizeof *x, same_addr, 0, &j)))
				conf_report_at(p, x->line, "%s%s%s is already used by service '%s' (line %d)",
					       "address ", conf_ip_str(ip, x->addr), "", c->svc[j].name, y->line);
		}
}

/* Each `net BRIDGE [auto]` link gets one of the bridge's host addresses
 * that is neither its own nor a static one (net_assign, in config order);
 * a pod member has no link of its own to count (`join` with `net` is
 * refused). The first link left without one is reported. */
static void check_room(struct parser *p)
{
	const struct conf *c = p->c;
	char net[16];

	for (int b = 0; b < c->nbridges; b++) {
		const struct conf_bridge *br = &c->bridges[b];
		uint64_t hosts = ((uint64_t)1 << (32 - br->prefix)) - 2, fixed = 1, autos = 0, room;

		for (int i = 0; i < c->nsvc; i++)
			for (int k = 0; k < c->svc[i].nnets; k++)
				if (c->svc[i].nets[k].bridge == b)
					*(c->svc[i].nets[k].addr ? &fixed : &autos) += 1;
		room = hosts > fixed ? hosts - fixed : 0;
		if (autos <= room)
			continue;
		for (int i = 0, n = 0; i < c->nsvc; i++)
			for (int k = 0; k < c->svc[i].nnets; k++) {
				const struct conf_net *cn = &c->svc[i].nets[k];

				if (cn->bridge != b || cn->addr || (uint64_t)++n <= room)
					continue;
				conf_ip_str(net, br->addr & conf_prefix_mask(br->prefix));
				conf_report_at(p, cn->line, "bridge '%s' %s/%d is too small: %llu 'net' links need an automatic address, it has %llu; '%s' gets none",
					  br->name, net, br->prefix, (unsigned long long)autos,
					  (unsigned long long)room, c->svc[i].name);
				goto next;
			}
next:;
	}
}

/* FNV-1a of NAME: its automatic slot, before collisions. */
static uint32_t name_slot(const char *name)
{
	uint64_t h = FNV_BASIS;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * FNV_PRIME;
	return (uint32_t)(h % CONF_UID_SLOTS);
}

static uint64_t id_end(const struct svc_conf *s)
{
	return (uint64_t)s->uidmap_host + (s->uidmap_count ? s->uidmap_count : CONF_UID_RANGE);
}

/* Take SLOT in TAKEN if it is free: 1, else 0. */
static int take(unsigned char *taken, uint32_t slot)
{
	if (taken[slot / 8] & 1 << slot % 8)
		return 0;
	taken[slot / 8] |= (unsigned char)(1 << slot % 8);
	return 1;
}

/* S's automatic range: its name's slot, or, taken, the next free one.
 * Fewer services than slots: a free one is always found. */
static void take_by_name(unsigned char *taken, struct svc_conf *s)
{
	uint32_t slot = name_slot(s->name);

	while (!take(taken, slot))
		slot = (slot + 1) % CONF_UID_SLOTS;
	s->uidmap_host = CONF_UID_BASE + slot * CONF_UID_RANGE;
}

/* Every service with a user namespace and no `uidmap` gets the range of
 * its name's slot, or, taken by a service before it, the next free one:
 * a name keeps its range across reloads and reorderings (and a running
 * service across a reload that inserts one before it: conf_keep_ids). An
 * explicit range that overlaps another range is an error at its line,
 * naming the other's (an automatic one's: its `service` line). */
static void assign_ids(struct parser *p)
{
	struct conf *c = p->c;

	for (int i = 0; i < c->nsvc; i++)
		c->svc[i].uidmap_auto = c->svc[i].namespaces & NS_USER && !p->xs[i].uidmap_line;
	conf_keep_ids(c, NULL);
	for (int i = 0; i < c->nsvc; i++) {
		const struct svc_conf *s = &c->svc[i];

		if (!(s->namespaces & NS_USER))
			continue;
		for (int j = 0; j < c->nsvc; j++) {
			const struct svc_conf *o = &c->svc[j];
			int line = p->xs[i].uidmap_line, oline = p->xs[j].uidmap_line;

			/* Each pair once, at the explicit line (the later one's,
			 * of two explicit ones). */
			if (j == i || !(o->namespaces & NS_USER) || !line ||
			    (oline && oline > line) ||
			    s->uidmap_host >= id_end(o) || o->uidmap_host >= id_end(s))
				continue;
			conf_report_at(p, line, "'uidmap' %u..%llu overlaps the %s range of service '%s' (line %d)",
				       s->uidmap_host, (unsigned long long)id_end(s) - 1,
				       oline ? "'uidmap'" : "automatic", o->name,
				       oline ? oline : o->line);
		}
	}
}

void conf_keep_ids(struct conf *c, const struct conf *old)
{
	unsigned char taken[(CONF_UID_SLOTS + 7) / 8] = { 0 }, kept[CONF_MAX_SERVICES] = { 0 };

	/* The slots C's own `uidmap`s reach are not to be had (when it is
	 * first checked, an automatic range that overlaps one is an error). */
	for (int i = 0; old && i < c->nsvc; i++) {
		const struct svc_conf *s = &c->svc[i];

		if (!(s->namespaces & NS_USER) || s->uidmap_auto || id_end(s) <= CONF_UID_BASE)
			continue;
		for (uint64_t id = s->uidmap_host < CONF_UID_BASE ? CONF_UID_BASE : s->uidmap_host;
		     id < id_end(s) && (id - CONF_UID_BASE) / CONF_UID_RANGE < CONF_UID_SLOTS;
		     id += CONF_UID_RANGE - (id - CONF_UID_BASE) % CONF_UID_RANGE)
			take(taken, (uint32_t)((id - CONF_UID_BASE) / CONF_UID_RANGE));
	}
	for (int i = 0; i < c->nsvc && i < CONF_MAX_SERVICES; i++) {
		struct svc_conf *s = &c->svc[i];
		int o = s->uidmap_auto && old ? conf_find(old, s->name) : -1;

		if (o >= 0 && old->svc[o].uidmap_auto &&
		    take(taken, (old->svc[o].uidmap_host - CONF_UID_BASE) / CONF_UID_RANGE)) {
			s->uidmap_host = old->svc[o].uidmap_host;
			kept[i] = 1;
		}
	}
	for (int i = 0; i < c->nsvc && i < CONF_MAX_SERVICES; i++)
		if (c->svc[i].uidmap_auto && !kept[i])
			take_by_name(taken, &c->svc[i]);
}

/* `nat` names a declared bridge. */
static void check_nat(struct parser *p)
{
	struct conf *c = p->c;
	char t[SHOW_MAX + 4];

	for (int i = 0; i < c->nnats; i++) {
		struct conf_nat *n = &c->nats[i];

		if ((n->bridge = conf_bridge_find(c, n->name)) < 0)
			conf_report_at(p, n->line, "%sundeclared bridge '%s'",
				       "'nat' names ", conf_show(t, n->name));
	}
}

/* An `interface` is not a bridge, nor on a bridge's subnet: the bridge's
 * routes would take its traffic (a DHCP lease there is refused too). */
static void check_ifaces(struct parser *p)
{
	struct conf *c = p->c;
	char net[16];

	for (int i = 0; i < c->nifaces; i++) {
		const struct conf_iface *f = &c->ifaces[i];

		for (int b = 0; b < c->nbridges; b++) {
			const struct conf_bridge *r = &c->bridges[b];
			uint32_t m = conf_prefix_mask(r->prefix < f->prefix ? r->prefix : f->prefix);

			if (!strcmp(r->name, f->name))
				conf_report_at(p, f->line, "interface '%s' is also a bridge (line %d)",
					       f->name, r->line);
			else if (!f->dhcp && (r->addr & m) == (f->addr & m)) {
				conf_ip_str(net, f->addr & conf_prefix_mask(f->prefix));
				conf_report_at(p, f->line, "%s '%s' subnet %s/%d overlaps bridge '%s' (line %d)",
					       "interface", f->name, net, f->prefix, r->name, r->line);
			} else
				continue;
			break;
		}
	}
}

/* A host port and protocol is published once: on every address, or on
 * each ADDR once (an address and "every address" overlap). */
static int same_port(const void *a, const void *b)
{
	const struct conf_publish *x = a, *y = b;

	return x->proto == y->proto && x->hostport == y->hostport &&
	       (!x->addr || !y->addr || x->addr == y->addr);
}

static void check_publish(struct parser *p)
{
	struct conf *c = p->c;
	char ip[16];
	int j;

	for (int i = 0; i < c->nsvc; i++)
		for (int k = 0; k < c->svc[i].npublishes; k++) {
			const struct conf_publish *x = &c->svc[i].publishes[k], *y;
			uint32_t addr;

			if (!(y = clash(c, i, k, x, offsetof(struct svc_conf, publishes),
					offsetof(struct svc_conf, npublishes), sizeof *x, same_port, 1, &j)))
				continue;
			addr = x->addr ? x->addr : y->addr;
			conf_report_at(p, x->line, "host port %s%s%u/%s is already published by service '%s' (line %d)",
				       addr ? conf_ip_str(ip, addr) : "", addr ? ":" : "", x->hostport,
				       x->proto == 17 ? "udp" : "tcp", c->svc[j].name, y->line);
		}
}

void conf_check(struct parser *p)
{
	conf_dhcp_services(p);
	check_nat(p);
	check_ifaces(p);
	if (!p->oom)
		check_publish(p);
	for (int i = 0; i < p->c->nsvc && !p->oom; i++)
		resolve(p, i);
	for (int i = 0; i < p->c->nsvc && !p->oom; i++) {
		check_service(p, i);
		build_env(p, &p->c->svc[i]);
	}
	if (!p->oom)
		check_cycles(p);
	if (!p->oom)
		check_addresses(p);
	check_room(p);
	if (!p->oom)
		assign_ids(p);
}
