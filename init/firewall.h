/* firewall: which nf_tables rules must exist for the config and the running
 * services (SPEC §3 `nat`, `publish`; §6; §10), written through nft.c.
 *
 * One table, `ip sandinit`: base chains prerouting and output (nat, dstnat)
 * and postrouting (nat, srcnat) and forward (filter); with `publish`, loopback
 * (filter, prerouting before conntrack: nothing from or to 127.0.0.0/8 but
 * on lo), which lets the bridges of running publishing services have
 * route_localnet (127.0.0.1:HOSTPORT from the appliance). A running service with
 * `publish` lines has a chain `svc-NAME` of DNAT rules, jumped to from
 * prerouting and output: its start adds the chain and the two jumps in one
 * batch, its stop deletes them in one. The table is made whole at boot and
 * reload, and again whenever a change finds the ruleset not as sandinit
 * left it (the kernel's generation id moved: someone flushed or edited it). */
#ifndef SANDINIT_FIREWALL_H
#define SANDINIT_FIREWALL_H

#include <stddef.h>
#include "conf.h"

#define FW_TABLE "sandinit"

/* The modules of a modular kernel (Debian's) that `nat` and `publish` need,
 * in load order; what they depend on (nf_nat, nf_conntrack, nft_fib,
 * libcrc32c...) follows from their .modinfo. nft_ct: the forward filter's
 * conntrack matches; nft_fib_ipv4: `fib daddr type local`, the appliance's
 * own addresses; nft_masq only for `nat`; nf_conntrack_netlink: a published
 * port's stale conntrack entries deleted when its target changes. */
#define FW_MODULES "nf_tables", "nft_ct", "nft_chain_nat", "nft_nat", "nft_fib_ipv4", "nft_masq", "nf_conntrack_netlink"

/* Make the table whole for C (kept until the next fw_load) and the running
 * services fw_start was told of that C still has unchanged; forwarding on
 * while C has `nat` or `publish` and the forward filter is in place, off
 * again (if sandinit turned it on) when it has neither. A piece the kernel
 * lacks is left out and remembered: the services needing it fail to start.
 * -1 with errno and *STEP if even the filter could not be made; then, if a
 * config was loaded before (a reload), all is as it was with that one.
 * While C needs the table, a socket in the loop (loop.h) hears nf_tables
 * changes: someone else's change to the table, or a flush, is made whole
 * at once (and said). */
int fw_load(const struct conf *c, const char **step);
/* S (of the config fw_load was given, or one it replaced) starts: add its
 * published ports. Also fails (-1, errno, *STEP naming what the kernel
 * lacks) if S is on a `nat` bridge whose masquerade could not be made. */
int fw_start(const struct svc_conf *s, const char **step);
/* S's run ended: its published ports go. Nothing if it had none. */
void fw_stop(const struct svc_conf *s);
/* S's published ports while they exist ("tcp:8080->80,udp:53->53"), else
 * "-". -1 (ENOBUFS) if LEN is too small. */
int fw_published(const struct svc_conf *s, char *buf, size_t len);

#endif
