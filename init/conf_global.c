/* conf_global: the handlers of the global directives modules, bridge,
 * interface and log-file (conf_directive.c's table stores the others):
 * each checks its arguments and stores them in struct conf. */
#include <string.h>

#include "conf.h"
#include "conf_directive.h"
#include "conf_parser.h"
#include "conf_value.h"

void conf_g_modules(struct parser *p, char **a, int n)
{
	for (int i = 0; i < n; i++)
		if (conf_module_name(a[i]) < 0)
			conf_bad(p, a[i], NULL);
		else
			conf_push_str(p, &p->c->modules, &p->c->nmodules, a[i]);
}

/* NAME can name a network interface (conf_ifname), else it is reported. */
static int ifname_ok(struct parser *p, const char *name)
{
	if (conf_ifname(name) == 0)
		return 1;
	conf_bad(p, name, "use up to 15 letters, digits, '_', '.' and '-', not all or default");
	return 0;
}

/* Is ADDR the network or broadcast address of its /PREFIX subnet (a /31
 * or /32 has neither)? */
static int subnet_edge(uint32_t addr, int prefix)
{
	uint32_t mask = conf_prefix_mask(prefix);

	return prefix < 31 && ((addr & ~mask) == 0 || (addr | mask) == ~UINT32_C(0));
}

void conf_g_bridge(struct parser *p, char **a, int n)
{
	struct conf *c = p->c;
	struct conf_bridge *b;
	uint32_t addr, mask;
	int prefix, i;
	char t[SHOW_MAX + 4], net[16];

	(void)n;
	if (!strcmp(a[0], "lo")) {
		/* every network namespace has it already */
		conf_bad(p, a[0], "the loopback device is never a bridge");
		return;
	}
	if (!ifname_ok(p, a[0]))
		return;
	if (conf_cidr(a[1], &addr, &prefix) < 0 || prefix < 1 || prefix > 30) {
		conf_bad(p, a[1], "use an IPv4 address and a prefix from /1 to /30, e.g. 10.0.0.1/24");
		return;
	}
	mask = conf_prefix_mask(prefix);
	if (subnet_edge(addr, prefix)) {
		conf_bad(p, a[1], "that is the network or broadcast address");
		return;
	}
	if ((i = conf_bridge_find(c, a[0])) >= 0) {
		conf_report(p, "duplicate %s '%s' (first at line %d)", "bridge", conf_show(t, a[0]), c->bridges[i].line);
		return;
	}
	for (i = 0; i < c->nbridges; i++) {
		b = &c->bridges[i];
		uint32_t m = conf_prefix_mask(b->prefix < prefix ? b->prefix : prefix);
		if ((b->addr & m) == (addr & m)) {
			conf_ip_str(net, addr & mask);
			conf_report(p, "%s '%s' subnet %s/%d overlaps bridge '%s' (line %d)",
				    "bridge", a[0], net, prefix, b->name, b->line);
			return;
		}
	}
	if (c->nbridges == MAX_BRIDGES) {
		conf_too_many(p, MAX_BRIDGES);
		return;
	}
	if (!(b = conf_add(p, &c->bridges, &c->nbridges, sizeof *b)))
		return;
	b->name = conf_copy(p, a[0]);
	b->addr = addr;
	b->prefix = prefix;
	b->line = p->line;
}

void conf_g_interface(struct parser *p, char **a, int n)
{
	struct conf *c = p->c;
	struct conf_iface f = { .line = p->line }, *v;
	char t[SHOW_MAX + 4], net[16];
	const char *gw = NULL;

	if (!ifname_ok(p, a[0]))
		return;
	for (int i = 0; i < c->nifaces; i++)
		if (!strcmp(c->ifaces[i].name, a[0])) {
			conf_report(p, "duplicate %s '%s' (first at line %d)", "interface", conf_show(t, a[0]),
				    c->ifaces[i].line);
			return;
		}
	if (!strcmp(a[1], "dhcp")) {
		if (n == 3) {
			conf_report(p, "'interface %s dhcp' takes no gateway", a[0]);
			return;
		}
		f.dhcp = 1;
	} else if (conf_cidr(a[1], &f.addr, &f.prefix) < 0 || f.prefix < 1 || f.prefix > 32) {
		conf_bad(p, a[1], "use dhcp, or an IPv4 address and a prefix, e.g. 192.168.1.10/24");
		return;
	} else if (subnet_edge(f.addr, f.prefix)) {
		conf_bad(p, a[1], "that is the network or broadcast address");
		return;
	} else if (n == 3 && conf_ipv4(a[2], &f.gateway) < 0) {
		conf_bad(p, a[2], "use an IPv4 address, e.g. 192.168.1.1");
		return;
	} else if (n == 3 && ((f.gateway ^ f.addr) & conf_prefix_mask(f.prefix) || f.gateway == f.addr))
		gw = "not another address";
	else if (n == 3 && subnet_edge(f.gateway, f.prefix))
		gw = "the network or broadcast address";
	if (gw) {
		conf_ip_str(net, f.addr & conf_prefix_mask(f.prefix));
		conf_report(p, "gateway %s of interface '%s' is %s of its subnet %s/%d",
			    conf_show(t, a[2]), a[0], gw, net, f.prefix);
		return;
	}
	if (c->nifaces == CONF_MAX_IFACES) {
		conf_too_many(p, CONF_MAX_IFACES);
		return;
	}
	if (!(v = conf_add(p, &c->ifaces, &c->nifaces, sizeof *v)))
		return;
	*v = f;
	v->name = conf_copy(p, a[0]);
}

void conf_g_log_file(struct parser *p, char **a, int n)
{
	uint64_t v;

	conf_path_arg(p, &p->c->log_file, a[0]);
	if (n < 2)
		return;
	if (conf_size(a[1], &v) < 0 || v < 4096 || v > (uint64_t)1 << 30)
		conf_bad(p, a[1], "use a size from 4K to 1G");
	else
		p->c->log_file_size = v;
}

