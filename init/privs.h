/* privs: identity, capabilities, no_new_privs and rlimits of a service,
 * applied in the service process just before seccomp and execve. */
#ifndef SANDINIT_PRIVS_H
#define SANDINIT_PRIVS_H

#include "conf.h"

/* Switch to S's uid/gid (setgroups to none), keep only S->caps in the
 * bounding, permitted, effective and inheritable sets (ambient cleared for a
 * non-root uid, raised for root), set no_new_privs and RLIMIT_NOFILE.
 * -1 with errno and *STEP on failure. */
int privs_apply(const struct svc_conf *s, const char **step);

#endif
