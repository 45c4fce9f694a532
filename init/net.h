/* net: bridges, per-service veth links and address allocation. */
#ifndef SANDINIT_NET_H
#define SANDINIT_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "conf.h"
#include "netlink.h"

#define NET_MAX_LINKS 8

/* PID 1's rtnetlink socket (bridges, links, uplinks), opened by
 * net_nl_open (0, else -1 with errno) on first use and kept. */
extern struct nl net_nl;
int net_nl_open(void);

/* Create (or adopt) every bridge of C, address it, bring it up. OLD (may be
 * NULL) is the running config: a bridge it addressed otherwise loses the old
 * address (and, if sandinit made it, gets its new MAC). -1 with errno and
 * *STEP for the first failure; with OLD (a reload) every bridge is made
 * before any is changed, and a failure undoes the rest of the call, so the
 * running config's bridges stay as they were. A reload's changes are kept
 * until net_bridges_done; net_bridges_undo takes them back, when a later
 * step of the reload fails. */
int net_bridges(const struct conf *c, const struct conf *old, const char **step);
void net_bridges_done(void);
void net_bridges_undo(void);

/* Give every `net auto` line of C an address: the lowest free one of its
 * bridge's subnet (not the network, broadcast or bridge address, nor any
 * static or already given address). OLD (may be NULL) is the running config:
 * a service of the same name and bridge keeps the address it had. Writes
 * the result into each conf_net.addr. -1 (errno EADDRNOTAVAIL, *STEP) if a
 * subnet is full. */
int net_assign(struct conf *c, const struct conf *old, const char **step);

/* Parent side (PID 1), once the child has made its network namespace and
 * sent it (NETNS_FD) with a netlink socket it opened there (NL_FD; both
 * stay the caller's): create one veth pair per `net` line of S (S points
 * into C->svc), its peer directly in that namespace, named eth0, eth1...,
 * with the bridge's MTU and a MAC derived from its address; host end
 * attached to its bridge and up. Then, on NL_FD: lo up, each ethN addressed
 * with its bridge's prefix and up, the default route via the first bridge's
 * address. Neither end gets an IPv6 link-local address. All of it from
 * PID 1, so that RTNL is taken by one process at a time instead of children
 * spinning on it, and PID 1 never enters the sandbox's namespace.
 * One netlink datagram a link on the socket PID 1 keeps, one on NL_FD.
 * Host ends are named "sv<id>n<k>", the id unique for PID 1's life: the
 * kernel deletes the old pair asynchronously when the old namespace dies, so
 * there is no teardown, and on failure the caller just kills the child.
 * Does nothing (0) when S has no network namespace of its own or no link. */
int net_attach(const struct conf *c, const struct svc_conf *s, int netns_fd,
	       int nl_fd, const char **step);

/* Parent side, optional, when S's sandbox has died: take its host ends down
 * (not delete: that costs ~20 ms of RCU wait). net_attach does it anyway
 * before giving S new links; doing it at exit stops the dying namespace,
 * which can linger for seconds, from answering for S's address meanwhile. */
void net_detach(const struct svc_conf *s);

/* The sandbox's network namespace outlives each run of it for a while: PID 1
 * holds it from the linking on (the fd the child sent, see net_attach), and
 * when the run ends it is parked (net_park) rather than let go, so the
 * kernel's teardown of it (a workqueue taking RTNL, ~0.7 ms of CPU, and
 * waits for RCU) does not compete with services still starting. Parked
 * namespaces are let go together (net_unpark: the kernel then cleans them
 * up in one batch) once no start is in flight, or when the park is full. */
void net_park(int netns_fd);
void net_unpark(void);
int net_parked(void);

/* NAME is gone from the config (a reload removed it): forget its links, so
 * that what net_attach remembers stays bounded by the services that exist. */
void net_forget(const char *name);

/* lo up in the calling process's network namespace: PID 1 does it for
 * its own at boot (the appliance and `namespaces none` services use
 * 127.0.0.1). -1 with errno. */
int net_lo_up(void);

/* Child side, inside a new network namespace with no `net` line (before
 * capabilities are dropped: needs CAP_NET_ADMIN there): lo up. Does nothing
 * (0) when S has a link (net_attach does it) or no network namespace of its
 * own (`join`, no `net` namespace). */
int net_loopback(const struct svc_conf *s, const char **step);

/* Do SA (in config A) and SB (in B) get the same links: the same bridges,
 * with the same addresses and prefixes, and the same addresses of their
 * own? A reload restarts a service whose links differ even if its lines
 * did not change (`net br0 auto` on a bridge given another subnet). */
int net_same(const struct conf *a, const struct svc_conf *sa, const struct conf *b,
	     const struct svc_conf *sb);

/* S's assigned addresses as `initctl status` shows them: "10.0.0.2,10.1.0.2",
 * or "-" (none, never 0.0.0.0).
 * -1 (ENOBUFS) if LEN is too small. */
int net_addrs(const struct svc_conf *s, char *buf, size_t len);

#endif
