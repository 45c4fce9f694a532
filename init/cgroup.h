/* cgroup: one cgroup v2 per service under /sys/fs/cgroup/sandinit. */
#ifndef SANDINIT_CGROUP_H
#define SANDINIT_CGROUP_H

#include <stddef.h>
#include <stdint.h>
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

/* A cgroup's figures (initctl status): from memory.current, memory.peak,
 * memory.max, pids.current, pids.max, cpu.stat's usage_usec and
 * memory.events' oom_kill. -1 where the file or field is missing (no such
 * controller, or no such cgroup); CG_UNLIMITED for "max". */
#define CG_UNLIMITED INT64_MAX
struct cg_stats {
	int64_t mem_current, mem_peak, mem_max;
	int64_t pids_current, pids_max;
	int64_t cpu_usec;
	int64_t oom_kills;
};
/* -1 (errno) if NAME has no cgroup; else 0, missing figures -1. */
int cg_stats(const char *name, struct cg_stats *st);
/* The path of NAME's cgroup ("/sys/fs/cgroup/sandinit/web"); -1 ENOBUFS. */
int cg_path(const char *name, char *buf, size_t len);

#endif
