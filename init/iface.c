/* iface: uplink interfaces (`interface`): static addresses, DHCP leases
 * applied for the helpers, interfaces configured when they appear. */
#include "iface.h"
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "conf_value.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "netlink.h"
#include "util.h"

#ifndef RTPROT_DHCP
#define RTPROT_DHCP 16
#endif

/* Each uplink's default route has its own metric, this plus its place
 * among the `interface` lines: the first one's is preferred while it has
 * one, and each comes and goes with its own link and lease (as dhcpcd's
 * 1000 + index and systemd-networkd's per-link routes do). */
#define METRIC_BASE 1000

/* Lease lines an interface may log at once; then one a minute. */
#define LOG_BURST 6

struct iface {
	char name[IFNAMSIZ];
	int dhcp;
	uint32_t addr, gateway;	/* static */
	int prefix;
	uint32_t metric;	/* of its default route */
	int index;		/* configured on this link; 0: not (yet) there */
	int leased;		/* lease holds the helper's last report */
	struct dhcp_lease lease;
	int credit;		/* lease lines it may log now (quota) */
	unsigned held;		/* lines not logged since the last one */
	int64_t refilled;	/* ms: credit last added */
};

/* The running config's (IFS: one of TAB's two, iface_apply builds the
 * next in the other). */
static struct iface tab[2][CONF_MAX_IFACES], *ifs = tab[0];
static int nifs;
static const struct conf_bridge *brs;	/* the running config's, as the names */
static int nbrs;
static struct watch links = { .fd = -1 };
static int resolv_made;

/* A line of PID 1's about the interface NAME: "interface NAME: ...". */
__attribute__((format(printf, 2, 3)))
static void say(const char *name, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	log_msg("interface %s: %s", name, buf);
}

/* F's default route via GW (0: none) and METRIC, added (or replaced) or,
 * with DEL, taken away. */
/* (noinline: smaller than LTO's copy at each caller) */
__attribute__((noinline))
static int route(const struct iface *f, uint32_t gw, uint32_t metric, int del)
{
	struct nl_req r;

	if (!gw)
		return 0;
	nl_build_route_uplink(&r, gw, f->index, f->dhcp ? RTPROT_DHCP : RTPROT_STATIC, metric, del);
	return nl_talk(&net_nl, &r, NULL, 0);
}

/* The address A/PREFIX (lifetime SECONDS) on F's link and, with GW, its
 * default route. */
static int set_addr(const struct iface *f, uint32_t a, int prefix, uint32_t seconds, uint32_t gw,
		    const char **step)
{
	struct nl_req r;

	*step = "set its address";
	nl_build_addr_life(&r, f->index, a, prefix, seconds);
	if (nl_talk(&net_nl, &r, NULL, 0) < 0)
		return -1;
	*step = "set the default route";
	return route(f, gw, f->metric, 0);
}

/* Take A/PREFIX and the default route via GW off F's link (either may be
 * gone already: the kernel ends a lease's address by itself). */
static void unset_addr(const struct iface *f, uint32_t a, int prefix, uint32_t gw)
{
	route(f, gw, f->metric, 1);
	nl_addr_del(&net_nl, f->index, a, prefix);
}

/* F, kept by a reload, is at another place among the lines: its default
 * route (if it has one) moves to METRIC. One the kernel refuses there
 * stays at its old metric, where unset_addr finds it. */
/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static void remetric(struct iface *f, uint32_t metric)
{
	uint32_t gw = f->dhcp ? (f->leased ? f->lease.router : 0) : f->gateway;

	if (f->index && route(f, gw, metric, 0) < 0)
		return;
	if (f->index)
		route(f, gw, f->metric, 1);
	f->metric = metric;
}

/* The DNS servers of every lease, at most three (what libc resolvers
 * read), written in place: sandboxes have the file itself bound. */
static void write_resolv(void)
{
	char buf[512], a[16];
	size_t len = 0;
	int n = 0, fd;

	len += (size_t)snprintf(buf, sizeof buf, "# sandinit: from DHCP\n");
	for (int i = 0; i < nifs; i++)
		for (uint32_t k = 0; ifs[i].leased && k < ifs[i].lease.ndns && n < 3; k++, n++)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "nameserver %s\n",
						conf_ip_str(a, ifs[i].lease.dns[k]));
	fd = open(IFACE_RESOLV, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, buf, len) < 0)
		log_msg("unable to write %s: %m", IFACE_RESOLV);
	if (fd >= 0)
		close(fd);
}

/* F's link exists (index INDEX): up, and its static address and route. */
static void configure(struct iface *f, int index)
{
	const char *step = "bring it up";
	char a[16], g[16];

	f->index = index;
	f->leased = 0;
	if (nl_link_up(&net_nl, index, 0) < 0 ||
	    (!f->dhcp && set_addr(f, f->addr, f->prefix, ~0u, f->gateway, &step) < 0 &&
	     errno != EEXIST)) {
		say(f->name, "unable to %s: %m", step);
		return;
	}
	if (f->dhcp)
		say(f->name, "up, addresses from dhcp-%s", f->name);
	else
		say(f->name, "%s/%d%s%s", conf_ip_str(a, f->addr), f->prefix,
			f->gateway ? " via " : "", f->gateway ? conf_ip_str(g, f->gateway) : "");
}

static struct iface *find(const char *name)
{
	for (int i = 0; i < nifs; i++)
		if (!strcmp(ifs[i].name, name))
			return &ifs[i];
	return NULL;
}

/* Every interface whose link is there now and not configured (under that
 * index); SAY_WHY: iface_apply's, which says why one is not. */
static void scan(int say_why)
{
	for (int i = 0; i < nifs; i++) {
		int index = nl_link_index(&net_nl, ifs[i].name);

		if (index > 0 && index != ifs[i].index) {
			configure(&ifs[i], index);
		} else if (index < 0 && errno != ENODEV) {
			/* A failed look-up is not a link gone: a configured
			 * one keeps its index and lease. */
			if (say_why)
				say(ifs[i].name, "unable to %s: %m", "look it up");
		} else if (index < 0) {
			ifs[i].index = 0;
			if (say_why)
				say(ifs[i].name, "not there yet: configured when it appears");
		}
	}
}

/* Link notifications (from the kernel only): a link of ours that appears,
 * comes back under a new index, or goes away. */
static void on_links(struct watch *w, uint32_t events)
{
	static union { struct nlmsghdr h; char b[32768]; } buf PAGE_BUF;
	struct sockaddr_nl sa;
	socklen_t salen;
	ssize_t len;

	(void)events;
	for (;;) {
		salen = sizeof sa;
		len = recvfrom(w->fd, buf.b, sizeof buf.b, 0, (struct sockaddr *)&sa, &salen);
		if (len < 0 && errno == ENOBUFS) {
			scan(0);	/* notifications were lost */
			continue;
		}
		if (len <= 0)
			return;
		if (sa.nl_pid != 0)
			continue;
		for (struct nlmsghdr *h = &buf.h; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			const struct ifinfomsg *ifi = NLMSG_DATA(h);
			const struct nlattr *a;
			struct iface *f = NULL;

			if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
				continue;
			a = nl_msg_find(h, sizeof *ifi, IFLA_IFNAME);
			if (a && NL_ATTR_LEN(a) >= 1 && NL_ATTR_LEN(a) <= IFNAMSIZ &&
			    memchr(NL_ATTR_DATA(a), 0, NL_ATTR_LEN(a)))
				f = find(NL_ATTR_DATA(a));
			if (!f)
				continue;
			if (h->nlmsg_type == RTM_DELLINK) {
				if (f->index == ifi->ifi_index) {
					f->index = 0;
					if (f->leased) {
						f->leased = 0;
						write_resolv();
					}
				}
			} else if (f->index != ifi->ifi_index) {
				configure(f, ifi->ifi_index);
			}
		}
	}
}

void iface_apply(const struct conf *c)
{
	struct iface *next = ifs == tab[0] ? tab[1] : tab[0];
	int n = 0, changed = 0;

	/* (valid while C is the running config) */
	brs = c->bridges;
	nbrs = c->nbridges;
	if (c->nifaces && net_nl_open() < 0) {
		log_msg("interfaces: unable to %s: %m", "open a netlink socket");
		return;
	}
	for (int i = 0; i < c->nifaces; i++, n++) {
		const struct conf_iface *ci = &c->ifaces[i];
		struct iface *old = find(ci->name);

		if (old && old->dhcp == ci->dhcp && old->addr == ci->addr &&
		    old->prefix == ci->prefix && old->gateway == ci->gateway) {
			next[n] = *old;
			old->name[0] = 0;	/* kept */
			if (next[n].metric != METRIC_BASE + (uint32_t)n)
				remetric(&next[n], METRIC_BASE + (uint32_t)n);
			continue;
		}
		next[n] = (struct iface){ .dhcp = ci->dhcp, .addr = ci->addr, .prefix = ci->prefix,
					  .gateway = ci->gateway, .metric = METRIC_BASE + (uint32_t)n };
		strcpy(next[n].name, ci->name);	/* (conf_ifname: at most 15) */
	}
	/* What the old config set up and this one does not keep. */
	for (int i = 0; i < nifs; i++) {
		struct iface *f = &ifs[i];

		if (!f->name[0] || !f->index)
			continue;
		if (!f->dhcp)
			unset_addr(f, f->addr, f->prefix, f->gateway);
		if (f->leased) {
			unset_addr(f, f->lease.addr, (int)f->lease.prefix, f->lease.router);
			changed = 1;
		}
	}
	ifs = next;
	nifs = n;
	if (!nifs) {
		/* the last uplink gone: its lease's DNS servers with it */
		if (changed && resolv_made)
			write_resolv();
		return;
	}
	if (!resolv_made) {
		if (mkdir_p("/run/sandinit") < 0)
			log_msg("unable to create /run/sandinit: %m");
		resolv_made = 1;
		changed = 1;
	}
	if (changed)
		write_resolv();
	if (links.fd < 0) {
		links.fd = nl_listen(NETLINK_ROUTE, RTMGRP_LINK);
		links.fn = on_links;
		if (links.fd < 0 || loop_add(&links) < 0) {
			log_msg("interfaces: unable to %s: %m", "watch for new links");
			loop_close(&links);
		}
	}
	/* After subscribing: a link that appears meanwhile is seen either way. */
	scan(1);
}

int iface_resolv(void)
{
	return resolv_made;
}

/* May lease L be applied? Not a subnet wider than a /8 (beyond any real
 * network: it would take in 127/8 or 0/8 beside it), nor one that
 * overlaps a bridge of ours: its services would be routed out. */
static int fits(const char *name, const struct dhcp_lease *l)
{
	char a[16], b[16];

	if (l->prefix < 8) {
		say(name, "lease of %s/%u: wider than /8: not applied",
			conf_ip_str(a, l->addr), l->prefix);
		return 0;
	}
	for (int i = 0; i < nbrs; i++) {
		uint32_t m = conf_prefix_mask((int)l->prefix < brs[i].prefix ? (int)l->prefix : brs[i].prefix);

		if (!((l->addr ^ brs[i].addr) & m)) {
			say(name, "lease of %s/%u overlaps bridge %s (%s/%d): not applied",
			    conf_ip_str(a, l->addr), l->prefix, brs[i].name, conf_ip_str(b, brs[i].addr),
				brs[i].prefix);
			return 0;
		}
	}
	return 1;
}

/* May F log the line of a lease? LOG_BURST at once, then one a minute: a
 * DHCP server on the uplink (untrusted), or its helper, that sends a lease
 * a second costs the console a line a minute; the lines held back are
 * counted and said with the next one. The lease is applied either way. */
static int quota(struct iface *f)
{
	int64_t now = now_ms(), k;

	if (!f->refilled)
		f->refilled = now, f->credit = LOG_BURST;
	k = (now - f->refilled) / 60000;
	if (k > 0) {
		f->credit = k >= LOG_BURST - f->credit ? LOG_BURST : f->credit + (int)k;
		f->refilled += k * 60000;
	}
	if (!f->credit) {
		f->held++;
		return 0;
	}
	f->credit--;
	if (f->held)
		say(f->name, "%u lease lines not shown", f->held);
	f->held = 0;
	return 1;
}

/* SECONDS of a lease as the console says it, in BUF (LEN bytes);
 * 0xffffffff is infinite. */
/* (noinline: smaller than LTO's copy at each caller) */
__attribute__((noinline))
static const char *lease_str(char *buf, size_t len, uint32_t seconds)
{
	if (seconds == 0xffffffffu)
		return "infinite";
	snprintf(buf, len, "%u s", seconds);
	return buf;
}

void iface_lease(const char *name, const void *msg, size_t len)
{
	struct iface *f = find(name);
	struct dhcp_lease l;
	const char *step;
	char a[16], g[16], d[16], t[24];

	if (len != sizeof l || (memcpy(&l, msg, sizeof l), dhcp_lease_check(&l) < 0)) {
		say(name, "invalid lease from dhcp-%s (%zu bytes): ignored", name, len);
		return;
	}
	if (!f || !f->dhcp || !f->index) {
		say(name, "lease for a missing link: ignored");
		return;
	}
	if (l.kind == DHCP_BOUND && !fits(name, &l))
		return;
	if (l.kind == DHCP_EXPIRED) {
		if (f->leased && f->lease.addr == l.addr) {
			unset_addr(f, f->lease.addr, (int)f->lease.prefix, f->lease.router);
			f->leased = 0;
			write_resolv();
			if (quota(f))
				say(name, "lease of %s ended: address removed",
					conf_ip_str(a, l.addr));
		}
		return;
	}
	if (f->leased && (f->lease.addr != l.addr || f->lease.prefix != l.prefix ||
			  f->lease.router != l.router))
		unset_addr(f, f->lease.addr, (int)f->lease.prefix, f->lease.router);
	if (set_addr(f, l.addr, (int)l.prefix, l.seconds, l.router, &step) < 0) {
		say(name, "unable to %s: %m", step);
		return;
	}
	if (f->leased && f->lease.addr == l.addr && f->lease.router == l.router &&
	    f->lease.ndns == l.ndns && !memcmp(f->lease.dns, l.dns, sizeof l.dns)) {
		f->lease = l;
		if (quota(f))
			say(name, "lease of %s renewed for %s",
				conf_ip_str(a, l.addr), lease_str(t, sizeof t, l.seconds));
		return;
	}
	f->lease = l;
	f->leased = 1;
	write_resolv();
	if (quota(f))
		say(name, "%s/%u via %s, dns %s, lease %s", conf_ip_str(a, l.addr),
			l.prefix, l.router ? conf_ip_str(g, l.router) : "none",
			l.ndns ? conf_ip_str(d, l.dns[0]) : "none", lease_str(t, sizeof t, l.seconds));
}
