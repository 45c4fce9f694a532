/* nft: nf_tables messages over NETLINK_NETFILTER (linux/netfilter/nf_tables.h),
 * built beside netlink.c's rtnetlink ones with the same attribute code.
 * Messages go into a batch (BATCH_BEGIN ... BATCH_END, one datagram) that
 * the kernel applies whole or not at all; each message asks for its ack,
 * and each ack is mapped back to its message. Built without a socket:
 * unit-testable. */
#ifndef SANDINIT_NFT_H
#define SANDINIT_NFT_H

#include <stddef.h>
#include <stdint.h>
#include "netlink.h"

/* One message of a batch, as nft_talk reports on it. */
struct nft_item {
	uint32_t off;		/* in the batch's buffer */
	int tag;		/* the caller's: what the message does */
	int err;		/* its ack's errno, 0 if none or fine */
	uint64_t handle;	/* a rule's, from its echo (nft_rule_begin ECHO) */
};

struct nft_batch {
	char *buf;		/* grows as needed; nft_free releases it */
	size_t len, cap;
	struct nft_item *item;	/* one a message, BATCH_BEGIN and END left out */
	int n, icap;
	size_t msg;		/* the message being built */
	size_t nest[6];		/* nests open in a rule */
	int depth;
	int err;		/* sticky: ENOMEM, EMSGSIZE */
};

/* Start a batch (emptying B); GENID non-zero: the kernel refuses it
 * (ERESTART) unless the ruleset is still at that generation. */
void nft_begin(struct nft_batch *b, uint32_t genid);
void nft_end(struct nft_batch *b);
void nft_free(struct nft_batch *b);

/* Family ip. A new table or chain (NLM_F_CREATE without EXCL: no error if
 * it exists). HOOK < 0: a regular chain; else a base chain of TYPE
 * ("nat", "filter") at HOOK (NF_INET_*) and PRIO, policy accept. */
void nft_table_add(struct nft_batch *b, int tag, const char *table);
void nft_table_del(struct nft_batch *b, int tag, const char *table);
void nft_chain_add(struct nft_batch *b, int tag, const char *table, const char *chain,
		   int hook, int prio, const char *type);
/* Deletes the chain and its rules; EBUSY while a rule jumps to it. */
void nft_chain_del(struct nft_batch *b, int tag, const char *table, const char *chain);
/* A rule appended to CHAIN: the expressions below, then nft_rule_end.
 * ECHO: the kernel answers with the rule, whose handle nft_talk stores. */
void nft_rule_begin(struct nft_batch *b, int tag, const char *table, const char *chain,
		    int echo);
void nft_rule_end(struct nft_batch *b);
/* Delete the rule HANDLE of CHAIN; HANDLE 0: every rule of CHAIN. */
void nft_rule_del(struct nft_batch *b, int tag, const char *table, const char *chain,
		  uint64_t handle);

/* Expressions (registers are NFT_REG_*; values as the packet has them). */
void nft_meta(struct nft_batch *b, int key, int dreg);
void nft_payload(struct nft_batch *b, int base, int offset, int len, int dreg);
void nft_ct(struct nft_batch *b, int key, int dreg);
/* The address type of the packet's destination (fib daddr type). */
void nft_fib_daddr_type(struct nft_batch *b, int dreg);
void nft_cmp(struct nft_batch *b, int op, int sreg, const void *data, size_t len);
/* DREG = (SREG & MASK) ^ 0, LEN bytes. */
void nft_bitwise(struct nft_batch *b, int sreg, int dreg, const void *mask, size_t len);
void nft_immediate(struct nft_batch *b, int dreg, const void *data, size_t len);
/* A verdict (NF_ACCEPT, NF_DROP, NFT_JUMP with CHAIN, ...). */
void nft_verdict(struct nft_batch *b, int code, const char *chain);
/* NAT of TYPE (NFT_NAT_DNAT, NFT_NAT_SNAT) to the IPv4 address in
 * REG_ADDR and, if REG_PROTO > 0, the port in REG_PROTO. */
void nft_nat(struct nft_batch *b, int type, int reg_addr, int reg_proto);
void nft_masq(struct nft_batch *b);

/* A NETLINK_NETFILTER socket, close-on-exec. -1 with errno. */
int nft_open(struct nl *n);
/* Send B and read every ack. 0, or -1 with errno of the first message
 * that failed (its index, among the messages, to *FAILED; -1 if the
 * batch as a whole was refused or the socket failed). Each item's err is
 * set from its ack (0, as the batch was built, if none came); B is sent
 * once, as built (its items' results are not reset). */
int nft_talk(struct nl *n, struct nft_batch *b, int *failed);
/* Does the kernel answer nf_tables requests (the kernel line's nftables=)?
 * A socket opened and closed. */
int nft_probe(void);
/* The ruleset's generation (NFT_MSG_GETGEN). -1 with errno. */
int nft_genid(struct nl *n, uint32_t *genid);

/* A non-blocking, close-on-exec socket that hears every nf_tables change
 * (NFNLGRP_NFTABLES). Its fd, or -1 with errno. */
int nft_listen(void);
/* Does the datagram BUF of LEN bytes (kernel input: walked with bounds)
 * tell of a change to the ip table TABLE by someone whose port id is not
 * OWN? A message too short to tell counts as one. */
int nft_touches(const void *buf, size_t len, uint32_t own, const char *table);

#endif
