/* iface: the uplink interfaces of `interface` lines: static addresses and
 * default routes, the leases the DHCP helpers report, and interfaces that
 * appear after the boot (link notifications on a netlink socket in the
 * event loop). All of it with netlink, in PID 1. */
#ifndef SANDINIT_IFACE_H
#define SANDINIT_IFACE_H

#include "conf.h"
#include "dhcp.h"

#define IFACE_RESOLV "/run/sandinit/resolv.conf"

/* Make C's interfaces so (at boot, and at reload: what the old config set
 * up and C no longer has is taken away). One that does not exist yet is
 * configured when it appears. Failures are logged. */
void iface_apply(const struct conf *c);

/* The helper of interface NAME reported L (LEN bytes, untrusted: checked
 * here). Applies it: address with the lease's lifetime, default route,
 * DNS servers into IFACE_RESOLV; or takes them away. */
void iface_lease(const char *name, const void *l, size_t len);

/* Does IFACE_RESOLV exist (some `interface` line made it)? Then every
 * sandbox gets it as /etc/resolv.conf. */
int iface_resolv(void);

#endif
