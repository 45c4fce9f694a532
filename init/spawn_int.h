/* spawn_int: what the files of spawn share and nothing outside them uses.
 *   spawn.c        one service's start: the clone, the child's sequence,
 *                  its reaper
 *   spawn_ns.c     namespaces: their kinds, open and enter, the user
 *                  namespace and its maps
 *   spawn_exec.c   initctl exec into a running sandbox */
#ifndef SANDINIT_SPAWN_INT_H
#define SANDINIT_SPAWN_INT_H

#include <sys/types.h>
#include "conf.h"
#include "spawn.h"

/* The namespace kinds spawn_ns knows (NS_PID ... NS_CGROUP). */
#define SPAWN_NS_COUNT 8

/* spawn_ns.c */
/* The user namespace the sandbox ends in, open until the child enters it
 * (spawn_ns_userns, a pod's: child_join), or -1. */
extern int spawn_userns_fd;
void spawn_ns_close(int fds[]);
/* PID's namespaces of the kinds in MASK into FDS (SPAWN_NS_COUNT, -1 for
 * the others), all opened before the first setns; with SKIP_SHARED a kind
 * the kernel lacks or that we share stays -1. -1 with errno and *KIND. */
int spawn_ns_open(pid_t pid, unsigned mask, int skip_shared, int fds[], const char **kind);
/* setns into each of FDS, the user namespace first; closes them. */
int spawn_ns_enter(int fds[], const char **kind);
/* Through PROC (a proc of the new pid namespace): its next pid is 2 again,
 * after the helpers that took it. */
int spawn_ns_pid_reset(int proc);
/* The clone flags of the kinds in MASK. */
unsigned long spawn_ns_flags(unsigned mask);
/* The index of KIND in FDS. */
size_t spawn_ns_index(unsigned kind);
/* Root of the user namespace just made or entered. */
int spawn_ns_root(void);
/* S's user namespace (spawn_userns_fd) made by a helper, its maps written
 * through PROC, and with `net` its network namespace entered. */
int spawn_ns_userns(const struct svc_conf *s, int proc, const char **step);
/* "create its uts ipc ... namespaces", for clone FLAGS and errno E. */
const char *spawn_ns_step(unsigned long flags, int e);

/* spawn.c */
/* execve(2) with PATH looked up as the service's environment says. */
void spawn_exec_path(char *const argv[], char *const envp[], const char *path);
/* S's identity, privileges and filter, the last step before an exec. */
int spawn_identity(const struct svc_conf *s, const char **step);
/* The child of PID that is NSPID in its own pid namespace, or 0. */
pid_t spawn_child_at(pid_t pid, pid_t nspid);

#endif
