/* nft: build nf_tables batches, send them, map every ack to its message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include "nft.h"
#include "util.h"

/* Room made before each message: a rule of ours is a few hundred bytes. */
#define NFT_MSG_ROOM 4096
#define NFT_TYPE(msg) (NFNL_SUBSYS_NFTABLES << 8 | (msg))

/* (noinline: smaller than LTO's copy at each caller) */
__attribute__((noinline))
static struct nlmsghdr *cur(struct nft_batch *b)
{
	return (struct nlmsghdr *)(b->buf + b->msg);
}

/* The message being built as netlink.c's builder sees it. */
#define CUR_MSG(b) cur(b), (b)->cap - (b)->msg, &(b)->err

static void attr(struct nft_batch *b, uint16_t type, const void *data, size_t len)
{
	nl_msg_attr(CUR_MSG(b), type, data, len);
}

static void attr_be32(struct nft_batch *b, uint16_t type, uint32_t v)
{
	v = BE32(v);
	attr(b, type, &v, 4);
}

static void attr_str(struct nft_batch *b, uint16_t type, const char *s)
{
	attr(b, type, s, strlen(s) + 1);
}

/* Nests carry NLA_F_NESTED, and every expression's attributes come in
 * libnftnl's order: the bytes are nft(8)'s for the same rule. */
static void nest_begin(struct nft_batch *b, uint16_t type)
{
	if (b->err)
		return;
	if (b->depth == (int)ARRAY_SIZE(b->nest)) {
		b->err = EMSGSIZE;
		return;
	}
	b->nest[b->depth++] = nl_msg_nest_begin(CUR_MSG(b), type | NLA_F_NESTED);
}

static void nest_end(struct nft_batch *b)
{
	if (b->err || b->depth == 0)
		return;
	nl_msg_nest_end(cur(b), &b->err, b->nest[--b->depth]);
}

/* Start a message (the previous one is complete); ITEM: one the caller
 * sees (not BATCH_BEGIN or END). */
static void msg_start(struct nft_batch *b, uint16_t type, uint16_t flags, int family,
		      uint16_t res_id, int tag, int item)
{
	struct nfgenmsg g = {
		.nfgen_family = family, .version = NFNETLINK_V0, .res_id = BE16(res_id),
	};
	struct nlmsghdr *h;

	if (b->err)
		return;
	if (b->cap - b->len < NFT_MSG_ROOM) {
		size_t cap = b->cap ? 2 * b->cap : 4 * NFT_MSG_ROOM;
		char *nb = realloc(b->buf, cap);

		if (!nb) {
			b->err = ENOMEM;
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
	if (item && b->n == b->icap) {
		int icap = b->icap ? 2 * b->icap : 16;
		struct nft_item *ni = realloc(b->item, icap * sizeof *ni);

		if (!ni) {
			b->err = ENOMEM;
			return;
		}
		b->item = ni;
		b->icap = icap;
	}
	b->msg = b->len;
	b->depth = 0;
	h = cur(b);
	memset(h, 0, NLMSG_LENGTH(sizeof g));
	h->nlmsg_len = NLMSG_LENGTH(sizeof g);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	memcpy(NLMSG_DATA(h), &g, sizeof g);
	if (item)
		b->item[b->n++] = (struct nft_item){ .off = b->msg, .tag = tag };
}

/* The message is complete: the next starts after it. */
static void msg_end(struct nft_batch *b)
{
	if (!b->err)
		b->len = b->msg + NLMSG_ALIGN(cur(b)->nlmsg_len);
}

void nft_begin(struct nft_batch *b, uint32_t genid)
{
	b->len = b->msg = 0;
	b->n = b->depth = 0;
	b->err = 0;
	msg_start(b, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, 0, 0);
	if (genid)
		attr_be32(b, NFNL_BATCH_GENID, genid);
	msg_end(b);
}

void nft_end(struct nft_batch *b)
{
	msg_start(b, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, 0, 0);
	msg_end(b);
}

void nft_free(struct nft_batch *b)
{
	free(b->buf);
	free(b->item);
	memset(b, 0, sizeof *b);
}

/* A request of the batch: asks for its ack. */
static void req_start(struct nft_batch *b, int msg, uint16_t flags, int tag)
{
	msg_start(b, NFT_TYPE(msg), NLM_F_ACK | flags, NFPROTO_IPV4, 0, tag, 1);
}

void nft_table_add(struct nft_batch *b, int tag, const char *table)
{
	req_start(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, tag);
	attr_str(b, NFTA_TABLE_NAME, table);
	attr_be32(b, NFTA_TABLE_FLAGS, 0);
	msg_end(b);
}

void nft_table_del(struct nft_batch *b, int tag, const char *table)
{
	req_start(b, NFT_MSG_DELTABLE, 0, tag);
	attr_str(b, NFTA_TABLE_NAME, table);
	msg_end(b);
}

void nft_chain_add(struct nft_batch *b, int tag, const char *table, const char *chain,
		   int hook, int prio, const char *type)
{
	req_start(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, tag);
	attr_str(b, NFTA_CHAIN_TABLE, table);
	attr_str(b, NFTA_CHAIN_NAME, chain);
	if (hook >= 0) {
		nest_begin(b, NFTA_CHAIN_HOOK);
		attr_be32(b, NFTA_HOOK_HOOKNUM, (uint32_t)hook);
		attr_be32(b, NFTA_HOOK_PRIORITY, (uint32_t)prio);
		nest_end(b);
		attr_be32(b, NFTA_CHAIN_POLICY, NF_ACCEPT);
		attr_str(b, NFTA_CHAIN_TYPE, type);
	}
	msg_end(b);
}

void nft_chain_del(struct nft_batch *b, int tag, const char *table, const char *chain)
{
	req_start(b, NFT_MSG_DELCHAIN, 0, tag);
	attr_str(b, NFTA_CHAIN_TABLE, table);
	attr_str(b, NFTA_CHAIN_NAME, chain);
	msg_end(b);
}

void nft_rule_begin(struct nft_batch *b, int tag, const char *table, const char *chain,
		    int echo)
{
	req_start(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND | (echo ? NLM_F_ECHO : 0),
		  tag);
	attr_str(b, NFTA_RULE_TABLE, table);
	attr_str(b, NFTA_RULE_CHAIN, chain);
	nest_begin(b, NFTA_RULE_EXPRESSIONS);
}

void nft_rule_end(struct nft_batch *b)
{
	nest_end(b);
	msg_end(b);
}

void nft_rule_del(struct nft_batch *b, int tag, const char *table, const char *chain,
		  uint64_t handle)
{
	uint64_t h = (uint64_t)BE32((uint32_t)handle) << 32 | BE32((uint32_t)(handle >> 32));

	req_start(b, NFT_MSG_DELRULE, 0, tag);
	attr_str(b, NFTA_RULE_TABLE, table);
	attr_str(b, NFTA_RULE_CHAIN, chain);
	if (handle)
		attr(b, NFTA_RULE_HANDLE, &h, 8);
	msg_end(b);
}

/* NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA { ... } }: SPEC is the
 * expression's name, a NUL, then the types of its first 32-bit attributes
 * (one byte each, in libnftnl's order; none: "masq\0"), whose values are
 * V0...V3 in that order. The nests stay open for what follows (expr_end
 * closes them). */
static void expr(struct nft_batch *b, const char *spec, uint32_t v0, uint32_t v1, uint32_t v2,
		 uint32_t v3)
{
	uint32_t v[4] = { v0, v1, v2, v3 };
	size_t n = strlen(spec);

	nest_begin(b, NFTA_LIST_ELEM);
	attr(b, NFTA_EXPR_NAME, spec, n + 1);
	nest_begin(b, NFTA_EXPR_DATA);
	for (const char *t = spec + n + 1; *t; t++)
		attr_be32(b, (uint16_t)*t, v[t - spec - n - 1]);
}

static void expr_end(struct nft_batch *b)
{
	nest_end(b);
	nest_end(b);
}

/* The attribute types the specs spell as bytes (the kernel's ABI). */
_Static_assert(NFTA_META_DREG == 1 && NFTA_META_KEY == 2 && NFTA_PAYLOAD_DREG == 1 &&
	       NFTA_PAYLOAD_BASE == 2 && NFTA_PAYLOAD_OFFSET == 3 && NFTA_PAYLOAD_LEN == 4 &&
	       NFTA_CT_DREG == 1 && NFTA_CT_KEY == 2 && NFTA_FIB_DREG == 1 &&
	       NFTA_FIB_RESULT == 2 && NFTA_FIB_FLAGS == 3 && NFTA_CMP_SREG == 1 &&
	       NFTA_CMP_OP == 2 && NFTA_BITWISE_SREG == 1 && NFTA_BITWISE_DREG == 2 &&
	       NFTA_BITWISE_LEN == 3 && NFTA_IMMEDIATE_DREG == 1 && NFTA_NAT_TYPE == 1 &&
	       NFTA_NAT_FAMILY == 2 && NFTA_NAT_REG_ADDR_MIN == 3, "nf_tables attribute types");

/* A value as nft_data: TYPE { NFTA_DATA_VALUE: bytes }. */
static void data_value(struct nft_batch *b, uint16_t type, const void *data, size_t len)
{
	nest_begin(b, type);
	attr(b, NFTA_DATA_VALUE, data, len);
	nest_end(b);
}

/* (noinline: smaller than LTO's copy at each caller) */
__attribute__((noinline))
void nft_meta(struct nft_batch *b, int key, int dreg)
{
	expr(b, "meta\0\2\1", (uint32_t)key, (uint32_t)dreg, 0, 0);	/* KEY, DREG */
	expr_end(b);
}

void nft_payload(struct nft_batch *b, int base, int offset, int len, int dreg)
{
	/* DREG, BASE, OFFSET, LEN */
	expr(b, "payload\0\1\2\3\4", (uint32_t)dreg, (uint32_t)base, (uint32_t)offset,
	     (uint32_t)len);
	expr_end(b);
}

void nft_ct(struct nft_batch *b, int key, int dreg)
{
	expr(b, "ct\0\2\1", (uint32_t)key, (uint32_t)dreg, 0, 0);	/* KEY, DREG */
	expr_end(b);
}

void nft_fib_daddr_type(struct nft_batch *b, int dreg)
{
	/* FLAGS, RESULT, DREG */
	expr(b, "fib\0\3\2\1", NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE, (uint32_t)dreg, 0);
	expr_end(b);
}

void nft_cmp(struct nft_batch *b, int op, int sreg, const void *data, size_t len)
{
	expr(b, "cmp\0\1\2", (uint32_t)sreg, (uint32_t)op, 0, 0);	/* SREG, OP */
	data_value(b, NFTA_CMP_DATA, data, len);
	expr_end(b);
}

void nft_bitwise(struct nft_batch *b, int sreg, int dreg, const void *mask, size_t len)
{
	static const unsigned char zero[16];

	/* SREG, DREG, LEN */
	expr(b, "bitwise\0\1\2\3", (uint32_t)sreg, (uint32_t)dreg, (uint32_t)len, 0);
	data_value(b, NFTA_BITWISE_MASK, mask, len);
	data_value(b, NFTA_BITWISE_XOR, zero, len < sizeof zero ? len : sizeof zero);
	expr_end(b);
}

void nft_immediate(struct nft_batch *b, int dreg, const void *data, size_t len)
{
	expr(b, "immediate\0\1", (uint32_t)dreg, 0, 0, 0);	/* DREG */
	data_value(b, NFTA_IMMEDIATE_DATA, data, len);
	expr_end(b);
}

void nft_verdict(struct nft_batch *b, int code, const char *chain)
{
	expr(b, "immediate\0\1", NFT_REG_VERDICT, 0, 0, 0);	/* DREG */
	nest_begin(b, NFTA_IMMEDIATE_DATA);
	nest_begin(b, NFTA_DATA_VERDICT);
	attr_be32(b, NFTA_VERDICT_CODE, (uint32_t)code);
	if (chain)
		attr_str(b, NFTA_VERDICT_CHAIN, chain);
	nest_end(b);
	nest_end(b);
	expr_end(b);
}

void nft_nat(struct nft_batch *b, int type, int reg_addr, int reg_proto)
{
	/* TYPE, FAMILY, REG_ADDR_MIN */
	expr(b, "nat\0\1\2\3", (uint32_t)type, NFPROTO_IPV4, (uint32_t)reg_addr, 0);
	if (reg_proto > 0) {
		attr_be32(b, NFTA_NAT_REG_PROTO_MIN, (uint32_t)reg_proto);
		attr_be32(b, NFTA_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
	}
	expr_end(b);
}

void nft_masq(struct nft_batch *b)
{
	expr(b, "masq\0", 0, 0, 0, 0);
	expr_end(b);
}

int nft_open(struct nl *n)
{
	/* The kernel answers a batch before the send returns; should an ack
	 * ever not come, PID 1 gives up after this rather than hang. */
	struct timeval tv = { .tv_sec = 2 };

	if (nl_open_proto(n, NETLINK_NETFILTER) < 0)
		return -1;
	setsockopt(n->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return 0;
}

/* Socket buffers for a batch of LEN bytes and N acks: the kernel queues
 * every ack before the send returns, and one that does not fit is lost
 * (the read then fails with ENOBUFS). Above the defaults only. */
static void size_buffers(struct nl *n, size_t len, int count)
{
	int snd = (int)len + 4096, rcv = count * 1024 + 65536;

	if (len > 65536)
		setsockopt(n->fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd);
	if (count > 64)
		setsockopt(n->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
}

/* A rule's handle from its echo (an NFT_MSG_NEWRULE), or 0. */
static uint64_t echo_handle(const struct nlmsghdr *h)
{
	const struct nlattr *a = nl_msg_find(h, sizeof(struct nfgenmsg), NFTA_RULE_HANDLE);
	uint32_t v[2];

	if (!a || NL_ATTR_LEN(a) != 8)
		return 0;
	memcpy(v, NL_ATTR_DATA(a), 8);
	return (uint64_t)BE32(v[0]) << 32 | BE32(v[1]);
}

int nft_talk(struct nl *n, struct nft_batch *b, int *failed)
{
	struct iovec iov = { b->buf, b->len };
	struct nl_acks a;
	const struct nlmsghdr *h;

	*failed = -1;
	if (b->err || b->depth) {
		errno = b->err ? b->err : EINVAL;
		return -1;
	}
	size_buffers(n, b->len, b->n);
	/* Sequence numbers: BATCH_BEGIN first, then each message, then END. */
	if (nl_acks_send(n, &a, &iov, 1, 1) < 0)
		return -1;
	a.err = b->item ? &b->item->err : NULL;
	a.stride = sizeof *b->item;
	while ((h = nl_acks_next(n, &a))) {
		uint32_t k = h->nlmsg_seq - a.rep.first;

		if (h->nlmsg_type == NFT_TYPE(NFT_MSG_NEWRULE) && k - 1 < (uint32_t)b->n)
			b->item[k - 1].handle = echo_handle(h);
	}
	*failed = a.failed;
	return nl_acks_end(&a);
}

int nft_genid(struct nl *n, uint32_t *genid)
{
	union { struct nlmsghdr h; char b[512]; } rep;
	struct nfgenmsg g = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0 };
	struct nl_req r;
	const struct nlattr *a;

	nl_req_init(&r, NFT_TYPE(NFT_MSG_GETGEN), 0, &g, sizeof g);
	if (nl_talk(n, &r, &rep, sizeof rep) < 0)
		return -1;
	if (rep.h.nlmsg_type != NFT_TYPE(NFT_MSG_NEWGEN) || rep.h.nlmsg_len > sizeof rep ||
	    !(a = nl_msg_find(&rep.h, sizeof g, NFTA_GEN_ID)) || NL_ATTR_LEN(a) != 4) {
		errno = EBADMSG;
		return -1;
	}
	memcpy(genid, NL_ATTR_DATA(a), 4);
	*genid = BE32(*genid);
	return 0;
}

int nft_probe(void)
{
	struct nl n;
	uint32_t g;
	int ok;

	if (nft_open(&n) < 0)
		return 0;
	ok = nft_genid(&n, &g) == 0;
	nl_close(&n);
	return ok;
}

int nft_listen(void)
{
	return nl_listen(NETLINK_NETFILTER, 1u << (NFNLGRP_NFTABLES - 1));
}

/* The table a notification names: attribute 1 of every nf_tables object
 * (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE...).
 * 1 if it is TABLE or cannot be told. */
static int names_table(const struct nlmsghdr *h, const char *table)
{
	const struct nlattr *a = nl_msg_find(h, sizeof(struct nfgenmsg), 1);
	size_t tl = strlen(table) + 1;

	return !a || (NL_ATTR_LEN(a) >= tl && !memcmp(NL_ATTR_DATA(a), table, tl));
}

/* (noinline: smaller than LTO's inlined copy) */
__attribute__((noinline))
int nft_touches(const void *buf, size_t size, uint32_t own, const char *table)
{
	/* Signed: a last message whose length is not a multiple of 4 takes
	 * the rest below 0, which ends the walk (an unsigned one wrapped). */
	int len = (int)size;

	for (const struct nlmsghdr *h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		const struct nfgenmsg *g = NLMSG_DATA(h);
		int type = h->nlmsg_type & 0xff;

		if (h->nlmsg_type >> 8 != NFNL_SUBSYS_NFTABLES || h->nlmsg_pid == own ||
		    type == NFT_MSG_NEWGEN)
			continue;
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof *g))
			return 1;
		if (g->nfgen_family == NFPROTO_IPV4 && names_table(h, table))
			return 1;
	}
	return 0;
}
