/* net: bridges, per-service veth links and address allocation. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/ip.h>
#include "net.h"
#include "conf.h"
#include "conf_value.h"
#include "netlink.h"
#include "util.h"

#define NET_MAX_BRIDGES 32
#define LOOPBACK_IFINDEX 1	/* fixed in every namespace since Linux 3.14 */

/* PID 1's socket, opened on first use and kept: a socket per spawn would
 * cost more than the request it carries. iface.c's too. */
struct nl net_nl = { .fd = -1 };

/* Bridge name -> index and MTU, filled by net_bridges and on first use. */
static struct bridge_cache {
	char name[IFNAMSIZ];
	int index;
	unsigned mtu;
} cache[NET_MAX_BRIDGES];
static int ncache;

/* The host ends each service was last given. A service's namespace can
 * outlive it for seconds (an orphaned TCP socket holds it until its FIN is
 * answered), its eth0 still holding the address the next instance reuses:
 * the old host end is taken down so that the two never answer together. */
static struct last_links {
	char svc[CONF_NAME_MAX + 1];
	char host[NET_MAX_LINKS][IFNAMSIZ];
} last[CONF_MAX_SERVICES] PAGE_BUF;

/* (noinline: smaller than LTO's copy at each caller) */
__attribute__((noinline))
int net_nl_open(void)
{
	return net_nl.fd >= 0 ? 0 : nl_open(&net_nl);
}

static struct bridge_cache *cache_find(const char *name)
{
	for (int i = 0; i < ncache; i++)
		if (!strcmp(cache[i].name, name))
			return &cache[i];
	return NULL;
}

static void cache_put(const char *name, int index, unsigned mtu)
{
	struct bridge_cache *e = cache_find(name);

	if (!e && ncache < NET_MAX_BRIDGES && strlen(name) < IFNAMSIZ) {
		e = &cache[ncache++];
		strcpy(e->name, name);
	}
	if (e) {
		e->index = index;
		e->mtu = mtu;
	}
}

/* Index and MTU of bridge NAME, from the cache unless FRESH. */
static int bridge_lookup(const char *name, int fresh, int *index, unsigned *mtu)
{
	struct bridge_cache *e = fresh ? NULL : cache_find(name);
	struct nl_link l;

	if (!e) {
		if (nl_link_get(&net_nl, name, &l) < 0)
			return -1;
		cache_put(name, l.index, l.mtu);
		*index = l.index;
		*mtu = l.mtu;
		return 0;
	}
	*index = e->index;
	*mtu = e->mtu;
	return 0;
}

/* OLD's bridge of NAME, or NULL. */
static const struct conf_bridge *old_bridge(const struct conf *old, const char *name)
{
	for (int i = 0; old && i < old->nbridges; i++)
		if (!strcmp(old->bridges[i].name, name))
			return &old->bridges[i];
	return NULL;
}

/* What net_bridges changed on one bridge, to undo it. */
struct bridge_undo {
	int created;		/* made by this call */
	int index;
	int mac_set;		/* its MAC was OLD_MAC */
	unsigned char old_mac[6];
	int addr_added;		/* the new address was not there before */
	const struct conf_bridge *addr_removed;	/* the old config's, taken off */
};

/* Put back what U[0..N) records, last first; failures are ignored (the
 * reload reports the failure that made it undo). */
static void bridges_undo(const struct conf *c, struct bridge_undo *u, int n)
{
	while (n-- > 0) {
		const struct conf_bridge *b = &c->bridges[n];

		if (u[n].created) {
			nl_link_del(&net_nl, b->name);
			continue;
		}
		if (u[n].addr_removed)
			nl_addr_add(&net_nl, u[n].index, u[n].addr_removed->addr,
				    u[n].addr_removed->prefix);
		if (u[n].addr_added)
			nl_addr_del(&net_nl, u[n].index, b->addr, b->prefix);
		if (u[n].mac_set)
			nl_link_set_mac(&net_nl, u[n].index, u[n].old_mac);
	}
}

/* Fixed, from its address like the sandboxes' (which never have the
 * bridge's address): a bridge without one takes its lowest port's MAC,
 * changing it as sandboxes come and go (their ARP entries for the gateway
 * then point at a port) and scanning every port at each new one. */
static void bridge_mac(const struct conf_bridge *b, unsigned char mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x53;
	for (int k = 0; k < 4; k++)
		mac[2 + k] = (unsigned char)(b->addr >> (24 - 8 * k));
}

/* Make (or adopt) bridge B, recording it in U. */
static int bridge_make(const struct conf_bridge *b, const unsigned char mac[6],
		       struct nl_link *l, struct bridge_undo *u, const char **step)
{
	const char *what = "create", *why = " (15 characters at most)";

	if (strlen(b->name) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	why = "";
	if (nl_bridge_create(&net_nl, b->name, mac) == 0)
		u->created = 1;
	else if (errno != EEXIST) {
		if (errno == EOPNOTSUPP)
			why = " (kernel lacks CONFIG_BRIDGE?)";
		goto fail;
	}
	what = "find";
	if (nl_link_get(&net_nl, b->name, l) < 0)
		goto fail;
	if (strcmp(l->kind, "bridge")) {
		errno = EEXIST;
		what = "create";
		why = " (a non-bridge link has that name)";
		goto fail;
	}
	u->index = l->index;
	return 0;
fail:
	*step = stepf("%s bridge %s%s", what, b->name, why);
	return -1;
}

/* Give bridge B (L) its MAC and address (OB: the old config's, taken off
 * if it differs) and bring it up, recording it in U. */
static int bridge_set(const struct conf_bridge *b, const struct conf_bridge *ob,
		      const unsigned char mac[6], const struct nl_link *l,
		      struct bridge_undo *u, const char **step)
{
	const char *what = "set the MAC of";

	/* One of ours (02:53) whose address a reload changed: the MAC
	 * follows, or the sandbox given the old address would share it. A
	 * bridge of anyone else's keeps its MAC. */
	if (l->mac[0] == 0x02 && l->mac[1] == 0x53 && memcmp(l->mac, mac, 6)) {
		if (nl_link_set_mac(&net_nl, l->index, mac) < 0)
			goto fail;
		u->mac_set = 1;
		memcpy(u->old_mac, l->mac, 6);
	}
	what = "address";
	if (nl_addr_add(&net_nl, l->index, b->addr, b->prefix) == 0)
		u->addr_added = 1;
	else if (errno != EEXIST)
		goto fail;
	/* A reload that readdresses the bridge takes the old address off (it
	 * may go to a sandbox now). Already gone is fine. */
	what = "take the old address off";
	if (ob && (ob->addr != b->addr || ob->prefix != b->prefix)) {
		if (nl_addr_del(&net_nl, l->index, ob->addr, ob->prefix) == 0)
			u->addr_removed = ob;
		else if (errno != EADDRNOTAVAIL && errno != ENOENT)
			goto fail;
	}
	what = "bring up";
	if (nl_link_up(&net_nl, l->index, 0) < 0)
		goto fail;
	return 0;
fail:
	*step = stepf("%s bridge %s%s", what, b->name, "");
	return -1;
}

/* What net_bridges did to each bridge of its config, and their links; a
 * reload's (PENDING: its config) until it is done (net_bridges_done) or a
 * later step of it fails (net_bridges_undo). */
static struct bridge_undo undo[CONF_MAX_BRIDGES];
static struct nl_link links[CONF_MAX_BRIDGES];
static const struct conf *pending;

void net_bridges_done(void)
{
	pending = NULL;
}

void net_bridges_undo(void)
{
	if (pending)
		bridges_undo(pending, undo, pending->nbridges);
	net_bridges_done();
}

int net_bridges(const struct conf *c, const struct conf *old, const char **step)
{
	struct bridge_undo *u = undo;
	struct nl_link *l = links;
	int i, e;

	if (!c->nbridges)
		return 0;
	if (net_nl_open() < 0) {
		*step = "open a netlink socket";
		return -1;
	}
	/* (a pending reload's record is done with: net_bridges comes first) */
	pending = NULL;
	memset(undo, 0, (size_t)c->nbridges * sizeof *undo);
	/* On a reload every bridge is made before any is changed, and a
	 * failure undoes what was done: a reload whose second bridge cannot be
	 * made leaves the first as it was. At boot what works stays. */
	for (int set = 0; set < 2; set++) {
		for (i = 0; i < c->nbridges && (!set || old); i++) {
			const struct conf_bridge *b = &c->bridges[i];
			unsigned char mac[6];

			bridge_mac(b, mac);
			if ((!set && bridge_make(b, mac, &l[i], &u[i], step) < 0) ||
			    ((set || !old) &&
			     bridge_set(b, old_bridge(old, b->name), mac, &l[i], &u[i], step) < 0))
				goto undo;
		}
	}
	for (i = 0; i < c->nbridges; i++)
		cache_put(c->bridges[i].name, l[i].index, l[i].mtu);
	if (old)
		pending = c;
	return 0;
undo:
	e = errno;
	if (old)
		bridges_undo(c, u, c->nbridges);
	errno = e;
	return -1;
}

static const struct svc_conf *find_svc(const struct conf *c, const char *name)
{
	for (int i = 0; c && i < c->nsvc; i++)
		if (!strcmp(c->svc[i].name, name))
			return &c->svc[i];
	return NULL;
}

/* The address OLD gave S's K-th link (counted among S's links to bridge
 * BNAME), or 0. */
/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static uint32_t old_addr(const struct conf *old, const char *sname,
			 const char *bname, int k)
{
	const struct svc_conf *o = find_svc(old, sname);

	for (int i = 0; o && i < o->nnets; i++) {
		const struct conf_net *on = &o->nets[i];

		if (on->bridge < 0 || on->bridge >= old->nbridges
		    || strcmp(old->bridges[on->bridge].name, bname))
			continue;
		if (k-- == 0)
			return on->addr;
	}
	return 0;
}

/* Is A bridge B's address or that of a link to it? */
/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static int taken(const struct conf *c, int b, uint32_t a)
{
	if (a == c->bridges[b].addr)
		return 1;
	for (int s = 0; s < c->nsvc; s++)
		for (int k = 0; k < c->svc[s].nnets; k++)
			if (c->svc[s].nets[k].bridge == b && c->svc[s].nets[k].addr == a)
				return 1;
	return 0;
}

/* The links to bridge B without an address get one: a service the running
 * config OLD knows keeps its own, the others take the lowest free ones in
 * order. Each step scans the config's links (at most 2,048: a few
 * milliseconds for a bridge that full, where a sort's code was more). */
static int assign_bridge(struct conf *c, int b, const struct conf *old,
			 const char **step)
{
	const struct conf_bridge *br = &c->bridges[b];
	uint32_t mask = conf_prefix_mask(br->prefix);
	uint64_t lo = br->addr & mask, hi = lo | ~mask, cand = lo;

	if (br->prefix < 31) {	/* network and broadcast; RFC 3021 for /31 */
		lo++;
		hi--;
		cand++;
	}
	for (int pass = !old; pass < 2; pass++)
		for (int s = 0; s < c->nsvc; s++) {
			int ord = 0;

			for (int k = 0; k < c->svc[s].nnets; k++) {
				struct conf_net *cn = &c->svc[s].nets[k];
				uint32_t a;

				if (cn->bridge != b)
					continue;
				if (!pass) {
					a = old_addr(old, c->svc[s].name, br->name, ord++);
					if (!cn->addr && a >= lo && a <= hi && !taken(c, b, a))
						cn->addr = a;
					continue;
				}
				if (cn->addr)
					continue;
				while (cand <= hi && taken(c, b, (uint32_t)cand))
					cand++;
				if (cand > hi) {
					errno = EADDRNOTAVAIL;
					*step = stepf("address %s on bridge %s (subnet full)",
						      c->svc[s].name, br->name);
					return -1;
				}
				cn->addr = (uint32_t)cand++;
			}
		}
	return 0;
}

/* (noinline: smaller than LTO's copy at each caller) */
__attribute__((noinline))
int net_assign(struct conf *c, const struct conf *old, const char **step)
{
	for (int b = 0; b < c->nbridges; b++)
		if (assign_bridge(c, b, old, step) < 0)
			return -1;
	return 0;
}

/* Does S get a network namespace of its own? */
/* (always_inline: smaller than LTO's call at each caller) */
static inline __attribute__((always_inline)) int own_netns(const struct svc_conf *s)
{
	return (s->namespaces & NS_NET) && s->join < 0;
}

/* Append V in base 36 at P; returns the end. */
static char *base36(char *p, unsigned long v)
{
	char tmp[16];
	size_t n = 0;

	do
		tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
	while ((v /= 36));
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* PREFIX id "n" k: "sv" and a 32-bit id in base 36 are at most 2+7+1+1 = 11
 * characters, within IFNAMSIZ. */
static void host_name(char name[IFNAMSIZ], const char *prefix, unsigned long id, int k)
{
	char tmp[64], *p = tmp;

	p = stpcpy(p, prefix);
	p = base36(p, id);
	*p++ = 'n';
	p = base36(p, (unsigned)k);
	*p = 0;
	tmp[IFNAMSIZ - 1] = 0;
	strcpy(name, tmp);
}

/* (always_inline: smaller than LTO's call at each caller) */
static inline __attribute__((always_inline)) struct last_links *last_find(const char *name, int add)
{
	struct last_links *free_slot = NULL;

	for (int i = 0; i < CONF_MAX_SERVICES; i++) {
		if (!strcmp(last[i].svc, name))
			return &last[i];
		if (!free_slot && !last[i].svc[0])
			free_slot = &last[i];
	}
	if (add && free_slot && strlen(name) < sizeof free_slot->svc)
		strcpy(free_slot->svc, name);
	return add ? free_slot : NULL;
}

/* Take the previous instance's host ends down (about 0.1 ms each; deleting
 * them would wait for RCU, 20 ms). Gone already is fine. */
static void down_last(struct last_links *l)
{
	for (int k = 0; k < NET_MAX_LINKS; k++)
		if (l->host[k][0]) {
			nl_link_down(&net_nl, l->host[k]);
			l->host[k][0] = 0;
		}
}

void net_forget(const char *name)
{
	struct last_links *l = last_find(name, 0);

	if (l)
		memset(l, 0, sizeof(*l));
}

void net_detach(const struct svc_conf *s)
{
	struct last_links *l = last_find(s->name, 0);

	if (l && net_nl.fd >= 0)
		down_last(l);
}

/* Can a link of MTU (0: the default) be kept from getting an IPv6
 * link-local address? Only where the kernel has IPv6 (asked in PID 1's
 * namespace; sandboxes run the same kernel), and a link below IPv6's
 * minimum MTU (1280) has no IPv6 state to set (EAFNOSUPPORT). */
static int ll6_settable(unsigned mtu)
{
	static int v = -1;

	if (v < 0)
		v = access("/proc/sys/net/ipv6", F_OK) == 0;
	return v && (!mtu || mtu >= 1280);
}

/* Create S's veth pairs, the peers in the namespace NETNS_FD refers to. */
static int make_links(const struct conf *c, const struct svc_conf *s, int netns_fd,
		      struct last_links *l, const char **step)
{
	/* Host ends are numbered once for PID 1's life, never by service
	 * index and restart (a reload renumbers services: a name could come
	 * back while its first holder's pair is alive, and down_last would
	 * take the other's down). "sx" names stand in for a name taken by a
	 * link sandinit did not make. */
	static unsigned long serial, spare;
	static struct nl_req req[2];
	unsigned long id = ++serial;

	for (int k = 0; k < s->nnets; k++) {
		const struct conf_net *cn = &s->nets[k];
		const char *bname = c->bridges[cn->bridge].name;
		/* Locally administered and fixed by the address: peers' ARP
		 * caches stay right across restarts. */
		unsigned char mac[6] = {
			0x02, 0x53, cn->addr >> 24, cn->addr >> 16, cn->addr >> 8,
			cn->addr,
		};
		char host[IFNAMSIZ], peer[IFNAMSIZ];
		int index, r, tries = 0, failed;
		unsigned mtu;

		if (bridge_lookup(bname, 0, &index, &mtu) < 0) {
			*step = stepf("find bridge %s", bname);
			return -1;
		}
		host_name(host, "sv", id, k);
		snprintf(peer, sizeof peer, "eth%d", k);
		for (;;) {
			/* The host end is a bridge port: it gets no IPv6
			 * link-local address either (set before the peer is up,
			 * so before the host end has a carrier). */
			nl_build_veth(&req[0], host, peer, netns_fd, mtu, index,
				      cn->addr ? mac : NULL);
			nl_build_link_af(&req[1], 0, host, 0, 0, 1);
			r = nl_talk_batch(&net_nl, req, ll6_settable(mtu) ? 2 : 1, &failed);
			/* The pair exists if only the IPv6 setting was refused:
			 * a link-local address more is no reason to fail. */
			if (r < 0 && failed > 0)
				r = 0;
			if (r == 0 || tries++)
				break;
			if (errno == EEXIST) {
				host_name(host, "sx", ++spare, k);
			} else if (errno == EINVAL || errno == ENODEV) {
				/* The bridge was deleted and made again. */
				if (bridge_lookup(bname, 1, &index, &mtu) < 0) {
					*step = stepf("find bridge %s", bname);
					return -1;
				}
			} else {
				break;
			}
		}
		if (r < 0) {
			*step = stepf("create veth %s%s", host,
				      errno == EOPNOTSUPP ? " (kernel lacks CONFIG_VETH?)" : "");
			return -1;
		}
		if (l)
			strcpy(l->host[k], host);
	}
	return 0;
}

/* Addresses linked since PID 1 started (open addressing; 0 is free). */
#define NET_SEEN_MAX 1024
static uint32_t seen[NET_SEEN_MAX] PAGE_BUF;

/* Was ADDR linked before? Remembers it; when the table is full every
 * address counts as seen. */
/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static int seen_before(uint32_t addr)
{
	/* Multiplicative hash: the product's top 10 bits (NET_SEEN_MAX 1024). */
	for (uint32_t i = 0, h = (addr * 2654435761u) >> 22; i < NET_SEEN_MAX; i++) {
		uint32_t *e = &seen[(h + i) % NET_SEEN_MAX];

		if (*e == addr)
			return 1;
		if (!*e) {
			*e = addr;
			return 0;
		}
	}
	return 1;
}

/* What each of a link's requests in configure_links's batch does, for
 * *STEP ("VERB ethK"). */
enum { CF_ADDR, CF_CONF, CF_UP, CF_FIND };
static const char *const cf_verb[] = {
	"address", "set arp_notify, addr_gen_mode", "bring up", "find",
};

/* Inside the sandbox's namespace: lo up; each ethN addressed with its
 * bridge's prefix, arp_notify on, no IPv6 link-local, up; the default route
 * via the first bridge's address. */
static int configure_links(const struct conf *c, const struct svc_conf *s, int nl_fd,
			   const char **step)
{
	/* lo, three requests a link, the route: one datagram, one RTNL round
	 * trip each in the kernel but a single send and read here. */
	static struct nl_req req[2 + 3 * NET_MAX_LINKS] PAGE_BUF;
	/* each request's CF_* and link: CF_* | K << 2 (lo's and the route's
	 * unused: the first and the last) */
	static unsigned char what[2 + 3 * NET_MAX_LINKS];
	struct nl n;
	int nreq = 0, eth0 = 0, failed, k, v;
	const char *why = "";

	if (nl_adopt(&n, nl_fd) < 0) {
		*step = "use the sandbox's netlink socket";
		return -1;
	}
	nl_build_link_set(&req[nreq++], LOOPBACK_IFINDEX, 1, 0, 0);
	for (k = 0; k < s->nnets; k++) {
		const struct conf_net *cn = &s->nets[k];
		struct ifreq ifr;
		int notify, ll6, index;
		unsigned mtu;

		/* By name (SIOCGIFINDEX on a socket of that namespace,
		 * dev_ioctl(): no RTNL, no reply to parse): the peer was named,
		 * not numbered (a new namespace may already hold tunnel
		 * devices, so its index is not known in advance). */
		memset(&ifr, 0, sizeof ifr);
		snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "eth%d", k);
		v = CF_FIND;
		if (ioctl(n.fd, SIOCGIFINDEX, &ifr) < 0)
			goto fail;
		v = CF_ADDR;
		if (!cn->addr) {
			errno = EADDRNOTAVAIL;
			why = " (none was assigned)";
			goto fail;
		}
		nl_build_addr(&req[nreq], ifr.ifr_ifindex, cn->addr,
			      c->bridges[cn->bridge].prefix);
		what[nreq++] = CF_ADDR | k << 2;
		/* An address linked before (a restart, a reload that gave it
		 * to another service) is announced when the link comes up (a
		 * gratuitous ARP): the MAC is the same, and until the new
		 * sandbox sends something the bridge would still deliver to
		 * the old pair, whose namespace may not be gone yet. A new
		 * address is not: the broadcast would cost every port of the
		 * bridge a copy (quadratic at boot) for nothing to correct.
		 * Set before the link is up: the ARP goes out on NETDEV_UP.
		 * The links are IPv4 (SPEC §3): no IPv6 link-local address,
		 * and so no duplicate address detection and listener reports
		 * flooding the bridge's ports either. */
		notify = seen_before(cn->addr);
		ll6 = bridge_lookup(c->bridges[cn->bridge].name, 0, &index, &mtu) == 0 &&
		      ll6_settable(mtu);
		if (notify || ll6) {
			nl_build_link_af(&req[nreq], ifr.ifr_ifindex, NULL,
					 notify ? IPV4_DEVCONF_ARP_NOTIFY : 0, 1, ll6);
			what[nreq++] = CF_CONF | k << 2;
		}
		nl_build_link_set(&req[nreq], ifr.ifr_ifindex, 1, 0, 0);
		what[nreq++] = CF_UP | k << 2;
		if (k == 0)
			eth0 = ifr.ifr_ifindex;
	}
	/* After eth0's up in the same batch: the kernel runs the messages in
	 * order, and a gateway on a down link is ENETDOWN. */
	nl_build_route_default(&req[nreq++], c->bridges[s->nets[0].bridge].addr, eth0);
	if (nl_talk_batch(&n, req, nreq, &failed) < 0) {
		if (failed < 0)
			*step = "configure the network";
		else if (failed == 0)
			*step = "bring up lo";
		else if (failed == nreq - 1)
			*step = "add the default route";
		else {
			v = what[failed] & 3;
			k = what[failed] >> 2;
			goto fail;
		}
		return -1;
	}
	return 0;
fail:
	*step = stepf("%s eth%d%s", cf_verb[v], k, why);
	return -1;
}

int net_attach(const struct conf *c, const struct svc_conf *s, int netns_fd,
	       int nl_fd, const char **step)
{
	struct last_links *l;

	if (!own_netns(s) || !s->nnets)
		return 0;
	if (netns_fd < 0) {
		/* (nl_build_veth would leave the peer in PID 1's namespace) */
		errno = EBADF;
		*step = "find its network namespace";
		return -1;
	}
	if (s->nnets > NET_MAX_LINKS) {
		errno = E2BIG;
		*step = "attach more than 8 network links";
		return -1;
	}
	if (net_nl_open() < 0) {
		*step = "open a netlink socket";
		return -1;
	}
	l = last_find(s->name, 1);
	if (l)
		down_last(l);
	if (make_links(c, s, netns_fd, l, step) < 0)
		return -1;
	return configure_links(c, s, nl_fd, step);
}

/* Parked namespaces, let go in batches. As many as there can be services:
 * the park never holds more than a config of long-running services would. */
#define NET_MAX_PARKED CONF_MAX_SERVICES
static int parked[NET_MAX_PARKED];
static int nparked;

void net_park(int netns_fd)
{
	if (netns_fd < 0)
		return;
	if (nparked == NET_MAX_PARKED)
		net_unpark();
	parked[nparked++] = netns_fd;
}

void net_unpark(void)
{
	while (nparked > 0)
		close(parked[--nparked]);
}

int net_parked(void)
{
	return nparked;
}

int net_lo_up(void)
{
	struct nl n;

	if (nl_open(&n) < 0)
		return -1;
	if (nl_link_up(&n, LOOPBACK_IFINDEX, 0) < 0)
		return close_fail(n.fd);
	close(n.fd);
	return 0;
}

/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
int net_loopback(const struct svc_conf *s, const char **step)
{
	if (!own_netns(s) || s->nnets)
		return 0;
	*step = "bring up lo";
	return net_lo_up();
}

int net_same(const struct conf *a, const struct svc_conf *sa, const struct conf *b,
	     const struct svc_conf *sb)
{
	if (sa->nnets != sb->nnets)
		return 0;
	for (int k = 0; k < sa->nnets; k++) {
		const struct conf_net *x = &sa->nets[k], *y = &sb->nets[k];
		const struct conf_bridge *bx, *by;

		if (x->bridge < 0 || x->bridge >= a->nbridges || y->bridge < 0 ||
		    y->bridge >= b->nbridges)
			return x->bridge == y->bridge && x->addr == y->addr;
		bx = &a->bridges[x->bridge];
		by = &b->bridges[y->bridge];
		if (x->addr != y->addr || strcmp(bx->name, by->name) || bx->addr != by->addr ||
		    bx->prefix != by->prefix)
			return 0;
	}
	return 1;
}

int net_addrs(const struct svc_conf *s, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = 0;
	for (int k = 0; k < s->nnets; k++) {
		char ip[16];
		int r;

		/* (0: none was assigned, net_assign failed: not 0.0.0.0) */
		if (!s->nets[k].addr)
			continue;
		r = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
			     conf_ip_str(ip, s->nets[k].addr));
		if (r < 0 || (size_t)r >= len - off) {
			errno = ENOBUFS;
			return -1;
		}
		off += r;
	}
	if (!off && snprintf(buf, len, "-") >= (int)len) {
		errno = ENOBUFS;
		return -1;
	}
	return 0;
}
