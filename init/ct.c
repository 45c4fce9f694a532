/* ct: find conntrack entries in a dump and delete them by tuple. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include "util.h"
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include "ct.h"

#define CT_TYPE(msg) (NFNL_SUBSYS_CTNETLINK << 8 | (msg))
#define CT_MAX 32		/* deletions a dump collects */
#define CT_ROUNDS 16		/* dumps at most: 512 entries a call */

/* Attribute TYPE of nest A, exactly LEN bytes, to OUT: 0, else -1. */
static int get(const struct nlattr *a, uint16_t type, void *out, size_t len)
{
	const struct nlattr *v = nl_attr_find(NL_ATTR_DATA(a), NL_ATTR_LEN(a), type);

	if (!v || NL_ATTR_LEN(v) != len)
		return -1;
	memcpy(out, NL_ATTR_DATA(v), len);
	return 0;
}

/* A tuple's fields: nest, attribute, place and size; the first three
 * needed, the ports (TCP, UDP and the like have them) both or neither. */
static const struct tuple_field {
	uint8_t nest, type, off, len;
} tuple_fields[] = {
	{ CTA_TUPLE_IP, CTA_IP_V4_SRC, offsetof(struct ct_tuple, src), 4 },
	{ CTA_TUPLE_IP, CTA_IP_V4_DST, offsetof(struct ct_tuple, dst), 4 },
	{ CTA_TUPLE_PROTO, CTA_PROTO_NUM, offsetof(struct ct_tuple, proto), 1 },
	{ CTA_TUPLE_PROTO, CTA_PROTO_SRC_PORT, offsetof(struct ct_tuple, sport), 2 },
	{ CTA_TUPLE_PROTO, CTA_PROTO_DST_PORT, offsetof(struct ct_tuple, dport), 2 },
};

static int tuple(const struct nlattr *a, struct ct_tuple *t)
{
	memset(t, 0, sizeof *t);
	if (!a)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(tuple_fields); i++) {
		const struct tuple_field *f = &tuple_fields[i];
		const struct nlattr *n = nl_attr_find(NL_ATTR_DATA(a), NL_ATTR_LEN(a), f->nest);

		if (!n || get(n, f->type, (char *)t + f->off, f->len) < 0) {
			if (i < 3)
				return -1;
			t->sport = t->dport = 0;
			break;
		}
	}
	return 0;
}

int ct_match(const struct nlmsghdr *h, const struct ct_sel *s, struct ct_tuple *t)
{
	const size_t hl = sizeof(struct nfgenmsg);
	struct ct_tuple r;
	const struct nlattr *st;
	uint32_t status = 0;
	int to;

	if (h->nlmsg_type != CT_TYPE(IPCTNL_MSG_CT_NEW) ||
	    tuple(nl_msg_find(h, hl, CTA_TUPLE_ORIG), t) < 0 ||
	    tuple(nl_msg_find(h, hl, CTA_TUPLE_REPLY), &r) < 0 || t->proto != s->proto)
		return 0;
	to = r.src == s->to && r.sport == s->toport;
	if (!s->keep)
		return to;
	if ((st = nl_msg_find(h, hl, CTA_STATUS)) && NL_ATTR_LEN(st) == 4)
		memcpy(&status, NL_ATTR_DATA(st), 4);
	return !to && t->dport == s->dport && (!s->dst || t->dst == s->dst) &&
	       !(BE32(status) & IPS_SRC_NAT);
}

/* The kernel's dump filter (CTA_FILTER, Linux 5.8): the tuple fields it
 * compares, by the bits of net/netfilter/nf_internals.h (not in the uapi
 * headers). A kernel without it ignores the attribute and sends every
 * entry: ct_match decides either way. */
#define F_IP_SRC (1u << 0)
#define F_IP_DST (1u << 1)
#define F_PROTO (1u << 3)
#define F_SPORT (1u << 4)
#define F_DPORT (1u << 5)

/* Tuple nest TYPE holding the fields of T that FIELDS (F_*) names. */
static void put_tuple(struct nl_req *r, uint16_t type, const struct ct_tuple *t,
		      uint32_t fields)
{
	size_t o = nl_nest_begin(r, type | NLA_F_NESTED), n;

	if (fields & (F_IP_SRC | F_IP_DST)) {
		n = nl_nest_begin(r, CTA_TUPLE_IP | NLA_F_NESTED);
		if (fields & F_IP_SRC)
			nl_attr_put(r, CTA_IP_V4_SRC, &t->src, 4);
		if (fields & F_IP_DST)
			nl_attr_put(r, CTA_IP_V4_DST, &t->dst, 4);
		nl_nest_end(r, n);
	}
	n = nl_nest_begin(r, CTA_TUPLE_PROTO | NLA_F_NESTED);
	nl_attr_put(r, CTA_PROTO_NUM, &t->proto, 1);
	if (fields & F_SPORT)
		nl_attr_put(r, CTA_PROTO_SRC_PORT, &t->sport, 2);
	if (fields & F_DPORT)
		nl_attr_put(r, CTA_PROTO_DST_PORT, &t->dport, 2);
	nl_nest_end(r, n);
	nl_nest_end(r, o);
}

void ct_dump_req(struct nl_req *r, const struct ct_sel *s)
{
	struct nfgenmsg g = { .nfgen_family = AF_INET, .version = NFNETLINK_V0 };
	/* KEEP 0: replies from TO:TOPORT; KEEP 1: sent to [DST:]DPORT. */
	struct ct_tuple t = { .proto = s->proto };
	uint32_t fields = s->keep ? F_PROTO | F_DPORT | (s->dst ? F_IP_DST : 0)
				  : F_IP_SRC | F_PROTO | F_SPORT;
	size_t f;

	if (s->keep)
		t.dst = s->dst, t.dport = s->dport;
	else
		t.src = s->to, t.sport = s->toport;
	nl_req_init(r, CT_TYPE(IPCTNL_MSG_CT_GET), NLM_F_DUMP, &g, sizeof g);
	r->u.h.nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	f = nl_nest_begin(r, CTA_FILTER | NLA_F_NESTED);
	nl_attr_put_u32(r, s->keep ? CTA_FILTER_ORIG_FLAGS : CTA_FILTER_REPLY_FLAGS, fields);
	nl_nest_end(r, f);
	put_tuple(r, s->keep ? CTA_TUPLE_ORIG : CTA_TUPLE_REPLY, &t, fields);
}

/* One dump: up to CT_MAX selected tuples to T. Their number (CT_MAX + 1
 * if there were more), or -1 with errno. */
static int dump(struct nl *n, const struct ct_sel *s, struct ct_tuple *t)
{
	struct nl_req r;
	struct iovec iov = { r.u.buf, 0 };
	struct nl_acks a;
	struct ct_tuple more;
	const struct nlmsghdr *h;
	int got = 0;

	ct_dump_req(&r, s);
	if (r.err) {
		errno = r.err;
		return -1;
	}
	iov.iov_len = r.u.h.nlmsg_len;
	/* Its end (NLMSG_DONE) is its ack. (EMSGSIZE, ENOBUFS: the caller
	 * gives up.) */
	if (nl_acks_send(n, &a, &iov, 1, 0) < 0)
		return -1;
	/* Past CT_MAX: only that there are more (the dump is read to its end
	 * all the same). */
	while ((h = nl_acks_next(n, &a)))
		if (got <= CT_MAX && ct_match(h, s, got < CT_MAX ? &t[got] : &more))
			got++;
	return nl_acks_end(&a) < 0 ? -1 : got;
}

int ct_flush(struct nl *n, const struct ct_sel *s)
{
	struct ct_tuple t[CT_MAX];
	int done = 0, got = CT_MAX + 1;

	for (int round = 0; round < CT_ROUNDS && got > CT_MAX; round++) {
		if ((got = dump(n, s, t)) < 0)
			return -1;
		for (int i = 0; i < got && i < CT_MAX; i++) {
			struct nfgenmsg g = { .nfgen_family = AF_INET, .version = NFNETLINK_V0 };
			struct nl_req r;

			nl_req_init(&r, CT_TYPE(IPCTNL_MSG_CT_DELETE), 0, &g, sizeof g);
			put_tuple(&r, CTA_TUPLE_ORIG, &t[i], F_IP_SRC | F_IP_DST | F_PROTO |
				  (t[i].sport || t[i].dport ? F_SPORT | F_DPORT : 0));
			if (nl_talk(n, &r, NULL, 0) == 0)
				done++;
			else if (errno != ENOENT)	/* gone meanwhile: fine */
				return -1;
		}
	}
	return done;
}
