/* privs: identity, capabilities, no_new_privs and rlimits of a service,
 * applied in the service process just before seccomp and execve. */
#ifndef SANDINIT_PRIVS_H
#define SANDINIT_PRIVS_H

#include <sys/resource.h>

#include "conf.h"

/* In PID 1, once: keep its RLIMIT_NOFILE as launched (what a service
 * without `nofile` gets back), then raise it to N:N, or to the hard limit
 * when not allowed more. */
void privs_raise_nofile(rlim_t n);
/* Set RLIMIT_NOFILE (S->nofile, else PID 1's as launched), keep only S->caps in the bounding
 * set, switch to S's uid/gid with no supplementary groups, keep only S->caps in the permitted, effective and inheritable
 * sets; the ambient set is cleared, then for a non-root uid the kept caps are
 * raised in it so they survive execve (uid 0 gets them back from the
 * bounding set). Last, no_new_privs. Must run as root of the user namespace
 * with full capabilities. -1 with errno and *STEP on failure. */
int privs_apply(const struct svc_conf *s, const char **step);

/* On the host (`namespaces none`): RLIMIT_NOFILE, no supplementary groups,
 * S's uid/gid; nothing else. -1 with errno and *STEP on failure. */
int privs_user(const struct svc_conf *s, const char **step);

/* Give up every capability: ambient, permitted, effective, inheritable
 * (the bounding set needs CAP_SETPCAP to shrink). A process that has
 * opened what it needed privileges for. */
int privs_drop_all(void);

#endif
