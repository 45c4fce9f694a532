/* cgroup: one cgroup v2 per service under /sys/fs/cgroup/sandinit. */
#ifndef SANDINIT_CGROUP_H
#define SANDINIT_CGROUP_H

#include "conf.h"

/* Check /sys/fs/cgroup is a cgroup2 (else -1, ENOTSUP), create
 * /sys/fs/cgroup/sandinit and enable in the root and in it every controller
 * the root offers (one the kernel refuses is skipped). Keeps one descriptor
 * open; calling it again starts over. PID 1 itself stays in the root cgroup. */
int cg_init(void);
/* The same with another cgroup2 mount point than /sys/fs/cgroup (tests). */
int cg_init_at(const char *root);
/* Comma-separated controllers available to services, e.g. "cpu,io,memory,pids";
 * "" before cg_init or when there are none. */
const char *cg_controllers(void);
/* Create (or reuse, killing what a previous run left in it) the cgroup of S and
 * write memory.max, pids.max and cpu.max ("max" for an unset limit whose
 * controller exists). Returns an O_DIRECTORY|O_CLOEXEC fd for clone3's
 * CLONE_INTO_CGROUP, which the caller closes. -1 with errno and *STEP on
 * failure: a limit whose controller the kernel lacks fails with EOPNOTSUPP and
 * *STEP "set memory.max: the kernel offers no memory controller here". */
int cg_create(const struct svc_conf *s, const char **step);
/* An O_DIRECTORY|O_CLOEXEC fd of NAME's existing cgroup (to join it). */
int cg_open(const char *name);
/* Kill every process in NAME's cgroup: cgroup.kill (5.14+), else
 * cg_kill_procs. 0 means the signals are sent; cg_empty tells when they died. */
int cg_kill(const char *name);
/* SIGKILL each pid of cgroup.procs, frozen if the kernel can, a few passes. */
int cg_kill_procs(const char *name);
/* 1 if NAME's cgroup has no process left, 0 if it has, -1 on error. */
int cg_empty(const char *name);
/* Remove NAME's cgroup: EBUSY while populated; one already gone is fine. */
int cg_remove(const char *name);

#endif
