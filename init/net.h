/* net: bridges, per-service veth links and address allocation. */
#ifndef SANDINIT_NET_H
#define SANDINIT_NET_H

#include <stdint.h>
#include <sys/types.h>
#include "conf.h"

#define NET_MAX_LINKS 8

/* Create (or adopt) every bridge of C, address it, bring it up. -1 with
 * errno and *STEP for the first failure. */
int net_bridges(const struct conf *c, const char **step);

/* Give every `net auto` line of C an address: the lowest free one of its
 * bridge's subnet (not the network, broadcast or bridge address, nor any
 * static or already given address). OLD (may be NULL) is the running config:
 * a service of the same name and bridge keeps the address it had. Writes
 * the result into each conf_net.addr. -1 (errno EADDRNOTAVAIL, *STEP) if a
 * subnet is full. */
int net_assign(struct conf *c, const struct conf *old, const char **step);

/* Parent side, after clone and before the child is released: create one veth
 * pair per `net` line of S, its peer directly in the network namespace of
 * PID, named eth0, eth1..., with the bridge's MTU; host end attached to its
 * bridge and up. GEN makes
 * host-end names unique across restarts (the kernel deletes the old pair
 * asynchronously when the old namespace dies, so no teardown is needed). */
int net_attach(const struct conf *c, const struct svc_conf *s, pid_t pid,
	       unsigned gen, const char **step);

/* Child side, inside the new network namespace (CAP_NET_ADMIN there):
 * lo up; each ethN addressed, MTU of its bridge, up; default route via the
 * first bridge's address. Also used with no `net` line (lo only). */
int net_configure(const struct conf *c, const struct svc_conf *s,
		  const char **step);

#endif
