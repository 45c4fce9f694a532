/* ct: conntrack entries over ctnetlink (NETLINK_NETFILTER, subsystem
 * NFNL_SUBSYS_CTNETLINK; linux/netfilter/nfnetlink_conntrack.h). A DNAT
 * decision lives in its conntrack entry as long as packets keep coming:
 * when a published port's target changes, the entries still translated
 * the old way go (SPEC §3 `publish`). Matching is built without a socket:
 * unit-testable. */
#ifndef SANDINIT_CT_H
#define SANDINIT_CT_H

#include <stddef.h>
#include <stdint.h>
#include "netlink.h"

/* Which IPv4 entries of protocol PROTO go (addresses and ports in network
 * byte order). KEEP 0: those whose reply comes from TO:TOPORT (translated
 * to it: a target that goes away). KEEP 1: those sent to DPORT (and DST,
 * if not 0) that are NOT translated to TO:TOPORT and not source-NATed
 * (a masquerade's own connections): what a published port's new target
 * must get, stale translations and packets that found no rule. */
struct ct_sel {
	uint8_t proto;
	int keep;
	uint32_t to, dst;
	uint16_t toport, dport;
};

/* An entry's original tuple, as a deletion names it. */
struct ct_tuple {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
};

/* Does the ctnetlink message H (kernel input, H->nlmsg_len within the
 * buffer: walked with bounds) describe an entry S selects? 1 with its
 * original tuple in *T; 0 if not or if it cannot be told. */
int ct_match(const struct nlmsghdr *h, const struct ct_sel *s, struct ct_tuple *t);
/* The dump request for S: every IPv4 entry, or with a kernel that filters
 * dumps (5.8+), only those whose tuple can match (by protocol and port, and
 * the target's or the published address). */
void ct_dump_req(struct nl_req *r, const struct ct_sel *s);
/* Delete the entries S selects, with N (a NETLINK_NETFILTER socket). The
 * number deleted, or -1 with errno (EOPNOTSUPP, ENOENT...: a kernel
 * without conntrack netlink). */
int ct_flush(struct nl *n, const struct ct_sel *s);

#endif
