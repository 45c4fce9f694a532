/* firewall: the nf_tables rules of `nat` and `publish`, made whole at load
 * and edited per service; written through nft.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <sys/socket.h>
#include "firewall.h"
#include "conf.h"
#include "conf_value.h"
#include "ct.h"
#include "log.h"
#include "loop.h"
#include "nft.h"
#include "util.h"

#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"
#define RTN_LOCAL_ 2		/* linux/rtnetlink.h RTN_LOCAL, as fib's result */
#define PRIO_RAW (-300)
#define PRIO_DSTNAT (-100)
#define PRIO_SRCNAT 100

/* What a message needs of the kernel: the pieces, each a module of Debian's
 * kernel, that a failed message is blamed on. */
enum {
	NEED_TABLE = 1 << 0,	/* nf_tables */
	NEED_CT = 1 << 1,	/* nft_ct: the forward filter's conntrack matches */
	NEED_NATCHAIN = 1 << 2,	/* nft_chain_nat: chains of type nat */
	NEED_MASQ = 1 << 3,	/* nft_masq */
	NEED_DNAT = 1 << 4,	/* nft_nat and nft_fib_ipv4: published ports */
	NEED_ALL = (1 << 5) - 1,
};
static const char *const need_names[] = {
	"nf_tables", "nft_ct", "nft_chain_nat", "nft_masq", "nft_nat, nft_fib_ipv4",
};

/* A message's tag: its needs, and for a jump to a service's chain, which
 * base chain and the service's entry. */
#define TAG(need, jump, entry) ((need) | (jump) << 8 | (entry) << 10)
#define TAG_NEED(t) ((t) & 0xff)
#define TAG_JUMP(t) ((t) >> 8 & 3)
#define TAG_ENTRY(t) ((t) >> 10)
enum { JUMP_PRE = 1, JUMP_OUT = 2 };

/* A running service with published ports. S points into the config it
 * runs with (fw_load moves it to the new config's equal one, or lets it
 * go). NACTIVE: the most services that publish ports in a config (the
 * entries past it never used, zero). WAS: fw_load's copy, to go back to. */
static struct entry {
	const struct svc_conf *s;
	uint64_t pre, out;	/* handles of its jumps */
} active[CONF_MAX_SERVICES], was[CONF_MAX_SERVICES];
static int nactive;

static struct nl sock = { .fd = -1 };
static struct nft_batch batch;
static const struct conf *conf;	/* fw_load's */
static uint32_t gen;		/* the ruleset's generation after our last batch; 0 unknown */
static unsigned broken;		/* NEED_* the kernel refused */
static int broken_err[5];
static int forwarding;		/* sandinit turned ip_forward on */
static int made;		/* the table may exist: sandinit made it */
static int guarded;		/* the loopback guard stands (the last batch made it) */
/* Bridges whose route_localnet sandinit turned on. */
static char lnet[CONF_MAX_BRIDGES][IFNAMSIZ];
static int nlnet;
static void on_mon(struct watch *w, uint32_t events);
/* nf_tables changes, heard while the table is needed: the socket and its
 * watch are this file's alone (opened, watched, closed together). */
static struct watch mon = { .fd = -1, .fn = on_mon };
static int sock_open(void)
{
	return sock.fd >= 0 ? 0 : nft_open(&sock);
}

/* A flow's DNAT lives in its conntrack entry, refreshed by each packet:
 * one that keeps sending would keep its old target. KEEP 0: S's rules
 * went, the entries still translated to its address and ports go; KEEP 1:
 * they came, the entries of its host ports translated otherwise (to a
 * former target, or not at all) go. Their next packet meets the rules
 * (SPEC §3 `publish`). A kernel without conntrack netlink: said once. */
static void ct_clear(const struct svc_conf *s, int keep)
{
	static int said;
	char n[4];

	/* No entry in this network namespace (the kernel counts them a
	 * namespace): none to clear. A dump walks every bucket of the
	 * kernel's one table, which the machine's memory sizes (262,144 on a
	 * 24 GB host: ~2.5 ms a dump), however few entries it holds. */
	if (read_str("/proc/sys/net/netfilter/nf_conntrack_count", n, sizeof n) == 2 && n[0] == '0')
		return;
	for (int k = 0; k < s->npublishes && s->nnets; k++) {
		const struct conf_publish *p = &s->publishes[k];
		struct ct_sel sel = {
			.proto = p->proto, .keep = keep,
			.to = BE32(s->nets[0].addr), .toport = BE16(p->port),
			.dst = BE32(p->addr), .dport = BE16(p->hostport),
		};

		if (sock_open() < 0 || ct_flush(&sock, &sel) < 0) {
			if (!said++)
				log_msg("%s: unable to clear its published ports' conntrack entries: %m",
					s->name);
			return;
		}
	}
}

static int publishes(const struct conf *c)
{
	for (int i = 0; i < c->nsvc; i++)
		if (c->svc[i].npublishes)
			return 1;
	return 0;
}

/* Does C need the table (any `nat` or `publish`)? */
static int needs_table(const struct conf *c)
{
	return c && (c->nnats || publishes(c));
}

static int is_nat_bridge(const struct conf *c, int b)
{
	for (int i = 0; i < c->nnats; i++)
		if (c->nats[i].bridge == b)
			return 1;
	return 0;
}

static void ifname_cmp(struct nft_batch *b, int key, int op, const char *name)
{
	char n[IFNAMSIZ] = { 0 };	/* compared whole: zeros after the name */

	snprintf(n, sizeof n, "%s", name);	/* (not strncpy: 228 B of musl for this) */
	nft_meta(b, key, NFT_REG_1);
	nft_cmp(b, op, NFT_REG_1, n, sizeof n);
}

/* `ct KEY & MASK != 0` */
static void ct_any(struct nft_batch *b, int key, uint32_t mask)
{
	uint32_t zero = 0;

	nft_ct(b, key, NFT_REG_1);
	nft_bitwise(b, NFT_REG_1, NFT_REG_1, &mask, 4);
	nft_cmp(b, NFT_CMP_NEQ, NFT_REG_1, &zero, 4);
}

/* `ip saddr [!=] NET/PREFIX` of bridge BR; on a byte boundary, as nft(8)
 * does it: only the prefix's bytes. */
static void saddr_cmp(struct nft_batch *b, int op, const struct conf_bridge *br)
{
	uint32_t mask = BE32(conf_prefix_mask(br->prefix));
	uint32_t net = BE32(br->addr) & mask;

	if (br->prefix % 8) {
		nft_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
		nft_bitwise(b, NFT_REG_1, NFT_REG_1, &mask, 4);
		nft_cmp(b, op, NFT_REG_1, &net, 4);
	} else {
		nft_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 12, (unsigned)br->prefix / 8, NFT_REG_1);
		nft_cmp(b, op, NFT_REG_1, &net, (unsigned)br->prefix / 8);
	}
}

/* A rule appended to CHAIN of (the config's) bridge BR, written as a
 * template, one letter a match or action in the rule's order:
 *   i o   iifname, oifname BR       O  oifname != every bridge, one by one
 *   l     iifname != "lo"           s S  ip saddr ==, != BR's subnet
 *   < >   ip saddr, daddr 127.0.0.0/8 (the IPv4 header's byte 12, 16)
 *   e     ct state established,related
 *   d     ct status dnat            n  snat to BR's address
 *   m     masquerade                A D R  accept, drop, return */
static void rule(struct nft_batch *b, int tag, const char *chain, const struct conf_bridge *br,
		 const char *t)
{
	nft_rule_begin(b, tag, FW_TABLE, chain, 0);
	for (; *t; t++) {
		int k = *t;

		if (k == 'i' || k == 'o')
			ifname_cmp(b, k == 'i' ? NFT_META_IIFNAME : NFT_META_OIFNAME, NFT_CMP_EQ,
				   br->name);
		else if (k == 'O')
			for (int j = 0; j < conf->nbridges; j++)
				ifname_cmp(b, NFT_META_OIFNAME, NFT_CMP_NEQ, conf->bridges[j].name);
		else if (k == 'l')
			ifname_cmp(b, NFT_META_IIFNAME, NFT_CMP_NEQ, "lo");
		else if (k == 's' || k == 'S')
			saddr_cmp(b, k == 's' ? NFT_CMP_EQ : NFT_CMP_NEQ, br);
		else if (k == '<' || k == '>') {
			uint8_t lo = 127;

			nft_payload(b, NFT_PAYLOAD_NETWORK_HEADER, k == '<' ? 12 : 16, 1, NFT_REG_1);
			nft_cmp(b, NFT_CMP_EQ, NFT_REG_1, &lo, 1);
		} else if (k == 'e')
			ct_any(b, NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) |
			       NF_CT_STATE_BIT(IP_CT_RELATED));
		else if (k == 'd')
			ct_any(b, NFT_CT_STATUS, IPS_DST_NAT);
		else if (k == 'n') {
			uint32_t a = BE32(br->addr);

			nft_immediate(b, NFT_REG_1, &a, 4);
			nft_nat(b, NFT_NAT_SNAT, NFT_REG_1, 0);
		} else if (k == 'm')
			nft_masq(b);
		else
			nft_verdict(b, k == 'A' ? NF_ACCEPT : k == 'D' ? NF_DROP : NFT_RETURN, NULL);
	}
	nft_rule_end(b);
}

/* The table's chains and their rules for the config, in order (the
 * services' chains follow: add_service). A piece is a base chain (T "")
 * or a rule of template T (rule()'s letters) for none, each or some of the
 * config's bridges (EACH), with tag NEED; it is left out while the kernel
 * lacks a piece of SKIP, and without `publish` when PUB.
 *
 * The loopback guard, before conntrack and NAT (CVE-2020-8558): nothing
 * from or to 127.0.0.0/8 comes in on a link that is not lo, so the
 * route_localnet a bridge gets for published loopback ports (sync_lnet)
 * lets no sandbox, raw sockets and all, reach the appliance's loopback,
 * nor the outside a published port through 127.0.0.1.
 *
 * The forward filter (SPEC §6): replies and published ports pass; nothing
 * else is routed into a bridge (traffic within one bridge is, when
 * br_netfilter hands bridged frames to these hooks); a bridge without
 * `nat` sends nothing beyond. Routing between other links is not ours. A
 * nat bridge forwards only its own subnet's sources: a spoofed one would
 * leave unmasqueraded.
 *
 * `nat BRIDGE`: its subnet masqueraded when leaving through any link that
 * is not one of the config's bridges.
 *
 * Hairpin: a sandbox reaching a published port of a service on its own
 * bridge (through the bridge's address, say) would get the answer straight
 * from the service's address and drop it; such connections leave with the
 * bridge's address instead, so the answer comes back through the NAT. So
 * do the appliance's connections to 127.0.0.1:HOSTPORT, which the service
 * could not answer. (PAIR: this piece and the next are made bridge by
 * bridge, in turn.) */
enum { ONCE, EACH_NAT, EACH_BRIDGE, EACH_OTHER /* bridge without nat */, PUB = 4, PAIR = 8 };
/* The chains' names, each piece's CHAIN an offset into them. */
#define CHAINS "loopback\0forward\0prerouting\0output\0postrouting"
enum {
	CH_LOOPBACK = 0,
	CH_FORWARD = CH_LOOPBACK + sizeof "loopback",
	CH_PREROUTING = CH_FORWARD + sizeof "forward",
	CH_OUTPUT = CH_PREROUTING + sizeof "prerouting",
	CH_POSTROUTING = CH_OUTPUT + sizeof "output",
};
/* A base chain's piece: its hook, priority / 100 (negative for raw and
 * dstnat: read back as signed char) and type. */
#define BASE(hook, prio, nat) { 0, hook, (prio) / 100, nat }
static const struct piece {
	uint8_t each, need, skip, chain;
	char t[5];
} pieces[] = {
	{ PUB, NEED_TABLE, 0, CH_LOOPBACK, BASE(NF_INET_PRE_ROUTING, PRIO_RAW, 0) },
	{ PUB, NEED_TABLE, 0, CH_LOOPBACK, "l<D" },
	{ PUB, NEED_TABLE, 0, CH_LOOPBACK, "l>D" },
	{ ONCE, NEED_TABLE, NEED_CT, CH_FORWARD, BASE(NF_INET_FORWARD, 0, 0) },
	{ EACH_NAT, NEED_TABLE | NEED_CT, NEED_CT, CH_FORWARD, "iSD" },
	{ ONCE, NEED_TABLE | NEED_CT, NEED_CT, CH_FORWARD, "eA" },
	{ ONCE, NEED_TABLE | NEED_CT, NEED_CT, CH_FORWARD, "dA" },
	{ EACH_BRIDGE, NEED_TABLE | NEED_CT, NEED_CT, CH_FORWARD, "ioA" },
	{ EACH_BRIDGE, NEED_TABLE | NEED_CT, NEED_CT, CH_FORWARD, "oD" },
	{ EACH_OTHER, NEED_TABLE | NEED_CT, NEED_CT, CH_FORWARD, "iD" },
	{ ONCE, NEED_TABLE | NEED_NATCHAIN, NEED_NATCHAIN, CH_PREROUTING,
	  BASE(NF_INET_PRE_ROUTING, PRIO_DSTNAT, 1) },
	{ ONCE, NEED_TABLE | NEED_NATCHAIN, NEED_NATCHAIN, CH_OUTPUT,
	  BASE(NF_INET_LOCAL_OUT, PRIO_DSTNAT, 1) },
	{ ONCE, NEED_TABLE | NEED_NATCHAIN, NEED_NATCHAIN, CH_POSTROUTING,
	  BASE(NF_INET_POST_ROUTING, PRIO_SRCNAT, 1) },
	{ EACH_NAT, NEED_TABLE | NEED_NATCHAIN | NEED_MASQ, NEED_NATCHAIN | NEED_MASQ,
	  CH_POSTROUTING, "sOm" },
	{ EACH_BRIDGE | PUB | PAIR, NEED_TABLE | NEED_NATCHAIN | NEED_DNAT,
	  NEED_NATCHAIN | NEED_CT | NEED_DNAT, CH_POSTROUTING, "o<n" },
	{ EACH_BRIDGE | PUB, NEED_TABLE | NEED_NATCHAIN | NEED_CT | NEED_DNAT,
	  NEED_NATCHAIN | NEED_CT | NEED_DNAT, CH_POSTROUTING, "iodn" },
};

/* The pieces of C, in order. */
static void add_pieces(struct nft_batch *b, const struct conf *c)
{
	int pub = publishes(c);

	for (const struct piece *p = pieces; p < pieces + ARRAY_SIZE(pieces); p++) {
		const char *chain = CHAINS + p->chain;
		int each = p->each & 3, n = each == ONCE ? 1 : each == EACH_NAT ? c->nnats
					 : c->nbridges;

		if (broken & p->skip || (p->each & PUB && !pub))
			continue;
		if (!p->t[0]) {
			/* (signed char: plain char is unsigned on aarch64) */
			nft_chain_add(b, TAG(p->need, 0, 0), FW_TABLE, chain, p->t[1],
				      (signed char)p->t[2] * 100,
				      p->t[3] ? "nat" : "filter");
			continue;
		}
		for (int i = 0; i < n; i++) {
			int k = each == EACH_NAT ? c->nats[i].bridge : i;

			if (k < 0 || (each == EACH_OTHER && is_nat_bridge(c, k)))
				continue;
			for (const struct piece *q = p; q <= p + !!(p->each & PAIR); q++)
				rule(b, TAG(q->need, 0, 0), chain, each == ONCE ? NULL : &c->bridges[k],
				     q->t);
		}
		p += !!(p->each & PAIR);
	}
}

/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static void chain_name(char out[CONF_NAME_MAX + 5], const struct svc_conf *s)
{
	snprintf(out, CONF_NAME_MAX + 5, "svc-%s", s->name);
}

/* Entry E's chain, its DNAT rules and the jumps to it (whose handles the
 * echo brings back). */
static void add_service(struct nft_batch *b, int e)
{
	const struct svc_conf *s = active[e].s;
	int t = NEED_TABLE | NEED_NATCHAIN | NEED_DNAT;
	uint32_t to = BE32(s->nets[0].addr), local = RTN_LOCAL_;
	char chain[CONF_NAME_MAX + 5];

	chain_name(chain, s);
	nft_chain_add(b, TAG(t, 0, 0), FW_TABLE, chain, -1, 0, NULL);
	nft_rule_del(b, TAG(t, 0, 0), FW_TABLE, chain, 0);	/* a stale one's */
	/* Publish is for the outside and the appliance: no other bridge
	 * reaches the service through it (its own does: the hairpin). */
	for (int i = 0; i < conf->nbridges; i++) {
		if (i == s->nets[0].bridge)
			continue;
		rule(b, TAG(t, 0, 0), chain, &conf->bridges[i], "iR");
	}
	for (int k = 0; k < s->npublishes; k++) {
		const struct conf_publish *p = &s->publishes[k];
		uint32_t addr = BE32(p->addr);
		uint16_t hport = BE16(p->hostport), port = BE16(p->port);

		nft_rule_begin(b, TAG(t, 0, 0), FW_TABLE, chain, 0);
		if (p->addr) {
			nft_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1);	/* ip daddr */
			nft_cmp(b, NFT_CMP_EQ, NFT_REG_1, &addr, 4);
		} else {
			nft_fib_daddr_type(b, NFT_REG_1);
			nft_cmp(b, NFT_CMP_EQ, NFT_REG_1, &local, 4);
		}
		nft_meta(b, NFT_META_L4PROTO, NFT_REG_1);
		nft_cmp(b, NFT_CMP_EQ, NFT_REG_1, &p->proto, 1);
		nft_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);	/* th dport */
		nft_cmp(b, NFT_CMP_EQ, NFT_REG_1, &hport, 2);
		nft_immediate(b, NFT_REG_1, &to, 4);
		nft_immediate(b, NFT_REG_2, &port, 2);
		nft_nat(b, NFT_NAT_DNAT, NFT_REG_1, NFT_REG_2);
		nft_rule_end(b);
	}
	nft_rule_begin(b, TAG(t, JUMP_PRE, e), FW_TABLE, "prerouting", 1);
	nft_verdict(b, NFT_JUMP, chain);
	nft_rule_end(b);
	/* 127.0.0.1 too: `fib daddr type local` is true of loopback. */
	nft_rule_begin(b, TAG(t, JUMP_OUT, e), FW_TABLE, "output", 1);
	nft_verdict(b, NFT_JUMP, chain);
	nft_rule_end(b);
}

/* Send the batch; on success the generation moves one on and the jumps'
 * handles are kept. -1 with errno, *FAILED the failed message or -1. */
static int send_batch(int *failed)
{
	int r = nft_talk(&sock, &batch, failed);

	if (r < 0) {
		gen = 0;
		return -1;
	}
	if (!++gen)
		gen = 1;
	for (int i = 0; i < batch.n; i++) {
		int t = batch.item[i].tag;

		if (TAG_JUMP(t) == JUMP_PRE)
			active[TAG_ENTRY(t)].pre = batch.item[i].handle;
		else if (TAG_JUMP(t) == JUMP_OUT)
			active[TAG_ENTRY(t)].out = batch.item[i].handle;
	}
	return 0;
}

static int fetch_gen(void)
{
	return gen ? 0 : nft_genid(&sock, &gen);
}

/* ip_forward on while the filter stands and the config forwards; back off
 * if sandinit turned it on and nothing needs it any more. */
static void set_forwarding(int on)
{
	char v[8];

	if (on && !forwarding) {
		if (read_str(IP_FORWARD, v, sizeof v) > 0 && v[0] == '1')
			return;
		if (write_str(IP_FORWARD, "1") == 0)
			forwarding = 1;
	} else if (!on && forwarding) {
		if (write_str(IP_FORWARD, "0") == 0)
			forwarding = 0;
	}
}

/* Does bridge NAME carry a running service's published ports, whose
 * connections from the appliance's loopback leave through it? */
static int lnet_wanted(const char *name)
{
	for (int e = 0; guarded && e < nactive; e++) {
		const struct svc_conf *s = active[e].s;

		if (s && active[e].out && s->nnets && s->nets[0].bridge < conf->nbridges &&
		    !strcmp(conf->bridges[s->nets[0].bridge].name, name))
			return 1;
	}
	return 0;
}

/* The route_localnet file of bridge NAME, in PATH. */
/* (noinline: smaller than LTO's copy at each caller) */
__attribute__((noinline))
static const char *lnet_path(char path[64], const char *name)
{
	snprintf(path, 64, "/proc/sys/net/ipv4/conf/%s/route_localnet", name);
	return path;
}

/* route_localnet (a connection from 127.0.0.1 DNATed into a bridge may
 * leave and be answered through it) on exactly the bridges lnet_wanted
 * names, while the guard stands; back to 0 where sandinit turned it on.
 * One a bridge already had is not sandinit's to take away. */
static void sync_lnet(void)
{
	char path[64], v[4];

	for (int k = 0; k < nlnet;) {
		if (lnet_wanted(lnet[k]) || (write_str(lnet_path(path, lnet[k]), "0") < 0 &&
					     errno != ENOENT)) {
			k++;	/* kept; a failed write is tried at the next change */
			continue;
		}
		memcpy(lnet[k], lnet[--nlnet], IFNAMSIZ);
	}
	for (int i = 0; conf && i < conf->nbridges; i++) {
		const char *n = conf->bridges[i].name;
		int k = 0;

		while (k < nlnet && strcmp(lnet[k], n))
			k++;
		if (k < nlnet || nlnet == CONF_MAX_BRIDGES || !lnet_wanted(n))
			continue;
		if (read_str(lnet_path(path, n), v, sizeof v) > 0 && v[0] == '1')
			continue;
		if (write_str(path, "1") < 0) {
			log_msg("bridge %s: unable to set route_localnet: %m", n);
			continue;
		}
		snprintf(lnet[nlnet++], IFNAMSIZ, "%s", n);
	}
}

/* The whole table in one batch (made, then deleted and made again: the old
 * one goes whatever it held), leaving out what the kernel refused before.
 * A refusal blamed on a piece marks it broken and the batch is retried
 * without it. */
static int rebuild(const char **step)
{
	const struct conf *c = conf;
	int need = needs_table(c), failed;

	for (int e = 0; e < nactive; e++)
		active[e].pre = active[e].out = 0;
	guarded = 0;	/* until a batch makes it again */
	/* A config without `nat` or `publish` costs nothing (no socket:
	 * asking for one may make the kernel look for a module). */
	if (!need && !made)
		return 0;
	made = 1;
	for (int tries = 0; tries < 6; tries++) {
		int r;

		if (sock_open() < 0 || fetch_gen() < 0) {
			broken = NEED_ALL;
			for (int k = 0; k < 5; k++)
				broken_err[k] = errno;
			*step = "talk to nf_tables";
			set_forwarding(0);
			return need ? -1 : 0;
		}
		nft_begin(&batch, gen);
		nft_table_add(&batch, TAG(NEED_TABLE, 0, 0), FW_TABLE);
		nft_table_del(&batch, TAG(NEED_TABLE, 0, 0), FW_TABLE);
		if (need) {
			nft_table_add(&batch, TAG(NEED_TABLE, 0, 0), FW_TABLE);
			add_pieces(&batch, c);
			for (int e = 0; e < nactive && !(broken & (NEED_NATCHAIN | NEED_DNAT)); e++)
				if (active[e].s)
					add_service(&batch, e);
		}
		nft_end(&batch);
		r = send_batch(&failed);
		if (r == 0) {
			set_forwarding(need && !(broken & (NEED_TABLE | NEED_CT)));
			made = need;
			guarded = need && publishes(c);
			return 0;
		}
		if (errno == ERESTART || failed < 0 || errno == ENOMEM || errno == EMSGSIZE) {
			if (errno == ERESTART)
				continue;	/* someone else's change came between */
			break;
		}
		/* Blamed on the most specific piece the failed message needs
		 * (what it needs besides is made by messages before it, which
		 * did not fail); the next try goes without it. */
		int t = TAG_NEED(batch.item[failed].tag) & ~broken;
		int k = t ? 31 - __builtin_clz((unsigned)t) : 0;

		broken |= 1u << k;
		broken_err[k] = errno;
		if (k == 0)
			break;
	}
	*step = "make the nf_tables table ip " FW_TABLE;
	set_forwarding(0);
	return -1;
}

/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
static int same_rules(const struct svc_conf *a, const struct svc_conf *b)
{
	if (!a->nnets || !b->nnets || a->nets[0].addr != b->nets[0].addr ||
	    a->npublishes != b->npublishes)
		return 0;
	/* Field by field: a publish's line (and padding) is no rule of its. */
	for (int k = 0; k < a->npublishes; k++) {
		const struct conf_publish *p = &a->publishes[k], *q = &b->publishes[k];

		if (p->addr != q->addr || p->hostport != q->hostport || p->port != q->port ||
		    p->proto != q->proto)
			return 0;
	}
	return 1;
}

/* Read what the monitor heard (bounded); if someone else changed table ip
 * sandinit or flushed the ruleset, make it whole at once: 1. 0 if nothing
 * to do; -1 with errno and *STEP if it could not be made, ip_forward then
 * turned off. */
/* (always_inline: smaller than LTO's call, from on_mon only) */
static inline __attribute__((always_inline)) int changed(const char **step)
{
	union { struct nlmsghdr h; char b[8192]; } buf;
	int touched = 0, lost = 0;

	for (int n = 0; n < 256 && mon.fd >= 0; n++) {	/* bounded: more at the next wakeup */
		ssize_t len = recv(mon.fd, buf.b, sizeof buf.b, MSG_DONTWAIT);

		if (len < 0 && errno == ENOBUFS) {
			lost = 1;	/* notifications were lost */
			continue;
		}
		if (len <= 0)
			break;
		touched |= nft_touches(buf.b, (size_t)len, sock.portid, FW_TABLE);
	}
	/* Lost ones may be only our own (a big rebuild's echo): someone else's
	 * change moved the ruleset's generation past our last batch's. */
	if (lost && !touched) {
		uint32_t now;

		touched = !gen || sock_open() < 0 || nft_genid(&sock, &now) < 0 || now != gen;
	}
	if (!touched || !needs_table(conf))
		return 0;
	gen = 0;
	int r = rebuild(step), e = errno;

	sync_lnet();
	if (r == 0)
		return 1;
	/* Nothing forwarded unfiltered, whoever turned forwarding on. */
	write_str(IP_FORWARD, "0");
	forwarding = 0;
	errno = e;
	return -1;
}

static void on_mon(struct watch *w, uint32_t events)
{
	const char *step;
	int r = changed(&step);

	(void)w, (void)events;
	if (r > 0)
		log_msg("table ip %s changed by someone else: made again", FW_TABLE);
	else if (r < 0)
		log_msg("unable to %s: %m (ip_forward turned off)", step);
}

int fw_load(const struct conf *c, const char **step)
{
	const struct conf *oc = conf;
	unsigned ob = broken;
	int om = made, of = forwarding, og = guarded, err, r, n = 0;

	/* Once the entries have moved (below) they all point into C: its
	 * services that publish ports are the most that can have rules. */
	for (int i = 0; i < c->nsvc; i++)
		n += c->svc[i].npublishes > 0;
	if (n > nactive)
		nactive = n;
	memcpy(was, active, (size_t)nactive * sizeof *was);
	/* A kept service's rules move to the new config's lines; one whose
	 * rules change is being restarted by the reload: its rules go now. */
	for (int e = 0; e < nactive; e++) {
		int i;

		if (!active[e].s || c == conf)
			continue;
		i = conf_find(c, active[e].s->name);
		if (i >= 0 && same_rules(active[e].s, &c->svc[i]))
			active[e].s = &c->svc[i];
		else
			active[e].s = NULL;
	}
	conf = c;
	broken = 0;
	r = rebuild(step);
	err = errno;
	if (r < 0 && oc) {
		/* A reload's: nf_tables applied none of the batch (it takes
		 * one whole or not at all), so OC's table is as it was: back
		 * to it, its services' rules, and forwarding (the failure
		 * turned it off). The reload fails (sup_reload). */
		memcpy(active, was, (size_t)nactive * sizeof *was);
		conf = oc;
		broken = ob;
		made = om;
		guarded = og;
		if (of)
			set_forwarding(1);
		errno = err;
		return -1;
	}
	sync_lnet();
	/* The services whose rules went (changed or gone): OC, which their
	 * lines are in, is still there. */
	for (int e = 0; e < nactive; e++)
		if (was[e].s && !active[e].s)
			ct_clear(was[e].s, 0);
	/* Without it, changes are found at the next start. */
	if (needs_table(c) && mon.fd < 0 && (mon.fd = nft_listen()) >= 0 && loop_add(&mon) < 0) {
		log_msg("unable to watch nf_tables: %m");
		close(mon.fd);
		mon.fd = -1;
	} else if (!needs_table(c)) {
		loop_close(&mon);
	}
	errno = err;
	return r;
}

static struct entry *find(const char *name)
{
	for (int e = 0; e < nactive; e++)
		if (active[e].s && !strcmp(active[e].s->name, name))
			return &active[e];
	return NULL;
}

/* What of NEED the kernel refused, as *STEP ("WHAT ARG (the piece)"); 0 if
 * nothing. */
static int lacks(unsigned need, const char *what, const char *arg, const char **step)
{
	unsigned t = need & broken;
	int k;

	if (!t)
		return 0;
	k = __builtin_ctz(t);
	errno = broken_err[k] ? broken_err[k] : EOPNOTSUPP;
	*step = stepf("%s%s (%s)", what, arg, need_names[k]);
	return -1;
}

int fw_start(const struct svc_conf *s, const char **step)
{
	struct entry *e;
	int failed;

	if (!conf) {
		errno = EINVAL;
		*step = "publish its ports (no config)";
		return -1;
	}
	/* S runs with the config fw_load was given: its bridge indices are
	 * that config's. */
	for (int k = 0; k < s->nnets; k++)
		if (s->nets[k].bridge < conf->nbridges && is_nat_bridge(conf, s->nets[k].bridge) &&
		    lacks(NEED_TABLE | NEED_CT | NEED_NATCHAIN | NEED_MASQ, "masquerade bridge ",
			  conf->bridges[s->nets[k].bridge].name, step) < 0)
			return -1;
	if (!s->npublishes || !s->nnets)
		return 0;
	if (lacks(NEED_TABLE | NEED_CT | NEED_NATCHAIN | NEED_DNAT, "publish its ports", "", step) < 0)
		return -1;
	if (find(s->name))
		fw_stop(s);
	for (e = active; e < active + nactive && e->s; e++)
		;
	if (e == active + nactive) {
		errno = ENOSPC;
		*step = "publish its ports (too many services)";
		return -1;
	}
	e->s = s;
	if (sock_open() == 0 && gen) {
		nft_begin(&batch, gen);
		add_service(&batch, (int)(e - active));
		nft_end(&batch);
		if (send_batch(&failed) == 0) {
			sync_lnet();
			ct_clear(s, 1);
			return 0;
		}
	}
	/* Not as we left it (or unknown): the whole table again, with S. */
	if (rebuild(step) == 0 && !lacks(NEED_DNAT, "publish its ports", "", step)) {
		sync_lnet();
		ct_clear(s, 1);
		return 0;
	}
	e->s = NULL;
	sync_lnet();
	return -1;
}

void fw_stop(const struct svc_conf *s)
{
	struct entry *e = find(s->name);
	char chain[CONF_NAME_MAX + 5];
	const char *step;
	int failed;

	if (!e)
		return;
	s = e->s;	/* the lines its rules were made of */
	chain_name(chain, s);
	if (gen && e->pre && e->out) {
		nft_begin(&batch, gen);
		nft_rule_del(&batch, 0, FW_TABLE, "prerouting", e->pre);
		nft_rule_del(&batch, 0, FW_TABLE, "output", e->out);
		nft_chain_del(&batch, 0, FW_TABLE, chain);
		nft_end(&batch);
		e->s = NULL;
		if (send_batch(&failed) == 0) {
			sync_lnet();
			ct_clear(s, 0);
			return;
		}
	}
	e->s = NULL;
	/* Best effort: a table someone else changed is made whole without S.
	 * Should that fail, the next change tries again. */
	rebuild(&step);
	sync_lnet();
	ct_clear(s, 0);
}

int fw_published(const struct svc_conf *s, char *buf, size_t len)
{
	const struct entry *e = find(s->name);
	size_t off = 0;

	if (len)
		buf[0] = 0;
	for (int k = 0; e && k < e->s->npublishes; k++) {
		const struct conf_publish *p = &e->s->publishes[k];
		char ip[16];
		int r = snprintf(buf + off, len - off, "%s%s:%s%s%u->%u", k ? "," : "",
				 p->proto == 17 ? "udp" : "tcp",
				 p->addr ? conf_ip_str(ip, p->addr) : "", p->addr ? ":" : "",
				 p->hostport, p->port);

		if (r < 0 || (size_t)r >= len - off) {
			errno = ENOBUFS;
			return -1;
		}
		off += (size_t)r;
	}
	if (!off && snprintf(buf, len, "-") >= (int)len) {
		errno = ENOBUFS;
		return -1;
	}
	return 0;
}
