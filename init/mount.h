/* mount: a sandbox's file system view: root, binds, tmpfs, private /proc and
 * /dev, pivot_root. Runs in the sandbox's first process, inside its new user
 * and mount namespaces, before the service is forked. */
#ifndef SANDINIT_MOUNT_H
#define SANDINIT_MOUNT_H

#include "conf.h"

/* Build the root of S and pivot_root into it; the old root is detached.
 * Call it in the sandbox's first process once the parent has written
 * uid_map/gid_map; it first switches to uid/gid 0 of the user namespace (the
 * creator's ids are unmapped there). /proc is mounted here too, so the caller
 * must already be in the new pid namespace (PID 1 of it). Linux >= 5.12. On failure returns -1 with errno set and *STEP naming what
 * failed (a static or thread-local string, e.g. "bind /data"). */
int mnt_sandbox(const struct svc_conf *s, const char **step);

#endif
