/* device: a service's `device` lines (SPEC §3): the host nodes they name at
 * its start, each opened by the service's host uid through a POSIX ACL entry
 * on the node (as logind does for a seat's devices), removed at its stop;
 * its sandbox binds the same nodes (mount.c). */
#ifndef SANDINIT_DEVICE_H
#define SANDINIT_DEVICE_H

#include <sys/types.h>
#include "conf.h"

struct dev_node {
	char *path;		/* the host's, and the sandbox's */
	int ro;
	int fd;			/* O_PATH, opened once (beneath /dev): the
				 * ACL and the sandbox's bind go through it */
};

/* Expand S's `device` lines into the nodes they name now (a node; every
 * match of a glob; every node under a directory), and give UID (S's
 * identity on the host) access to each: an ACL entry read-write, or read
 * only for `ro`, leaving what anyone else may do as it was. UID 0 needs no
 * entry. Kept under S's name for dev_granted and dev_revoke. -1 with errno and
 * *STEP (nothing left granted). */
int dev_grant(const struct svc_conf *s, uid_t uid, const char **step);

/* Remove the entries dev_grant made for NAME (but an entry another running
 * service holds for the same uid and node stays) and forget its nodes. */
void dev_revoke(const char *name);

/* NAME's nodes, as dev_grant found them (the sandbox's child, a copy of
 * PID 1, reads them); their count, 0 with *V NULL if none. */
int dev_granted(const char *name, const struct dev_node **v);

#endif
