/* cgroup: one cgroup v2 per service under /sys/fs/cgroup/sandinit. */
#ifndef SANDINIT_CGROUP_H
#define SANDINIT_CGROUP_H

#include "conf.h"

/* Prepare the subtree and enable the controllers the kernel offers.
 * Returns -1 if there is no cgroup2 at /sys/fs/cgroup. */
int cg_init(void);
/* Comma-separated controllers available to services, e.g. "cpu,memory,pids". */
const char *cg_controllers(void);
/* Create (or reuse, emptied) the cgroup of S, write its limits, return an
 * O_DIRECTORY fd for CLONE_INTO_CGROUP. -1 with errno and *STEP (e.g. "set
 * memory.max: kernel lacks the memory controller") on failure. */
int cg_create(const struct svc_conf *s, const char **step);
/* Kill every process in NAME's cgroup (cgroup.kill, else SIGKILL each). */
int cg_kill(const char *name);
/* 1 if NAME's cgroup has no process left, 0 if it has, -1 on error. */
int cg_empty(const char *name);
/* Remove NAME's cgroup (must be empty). */
int cg_remove(const char *name);

#endif
