/* supervise: service states, starts and restarts, dependencies, readiness,
 * stopping and the shutdown order. It reacts to events handed to it by the
 * loop in main.c. Its files: supervise.c, supervise_run.c, supervise_io.c,
 * supervise_reload.c. */
#ifndef SANDINIT_SUPERVISE_H
#define SANDINIT_SUPERVISE_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include "cgroup.h"
#include "conf.h"
#include "log.h"

enum svc_state {
	ST_WAITING, ST_STARTING, ST_RUNNING, ST_READY, ST_EXITED,
	ST_FAILED, ST_BACKOFF, ST_STOPPED,
};

/* A service as the loop and initctl know it: opaque outside supervise*.c
 * (supervise_int.h). */
struct service;

/* Bring up the services of C, from now on the running config, owned here
 * (nothing else keeps a config). Called once, by the first valid config;
 * CGROUPS: cg_init succeeded. */
int sup_load(struct conf *c, int cgroups);
/* The running config, NULL before sup_load. Valid until the next reload. */
const struct conf *sup_conf(void);
/* Start the rescue program (once at a time). */
void sup_rescue(const char *path);
/* The loop's hooks. */
void sup_child_exit(pid_t pid, int status);	/* 0 if not ours */
int64_t sup_next_deadline(void);	/* ms, or 0 for none */
void sup_tick(void);
/* Is the ready line due? Prints it once; 1 from then on. */
int sup_check_ready(int64_t boot_us);

/* initctl's requests: the control server asks through these only. */
struct service *sup_find(const char *name);
int sup_count(void);
struct service *sup_at(int i);
/* S's name; NULL once a reload has removed it and it has stopped (its slot
 * may then be another service's: compare the name). */
const char *sup_name(const struct service *s);
/* The ring of the service whose last run had the cgroup CGROUP (its
 * inode number; 0 unknown), else the one PID belongs to (a process it
 * started, or one in its cgroup; 0 unknown), or NULL: who sent a message
 * to PID 1's /dev/log. */
struct ring *sup_ring_of(pid_t pid, uint64_t cgroup);

/* What `initctl status` shows of a service (SPEC §5). */
struct sup_info {
	const char *name;
	enum svc_state state;
	pid_t pid;		/* the service's own process as PID 1 sees it
				 * (below its sandbox's reaper), 0 none */
	int restarts;
	int64_t since_ms;	/* in this state for */
	int last_exit;		/* of its last run: -1 none, else the code
				 * (128+N: signal N) */
	int last_sig;		/* the signal that ended it, 0 none */
	int oom;		/* that run ended in an OOM kill */
	const char *waiting_for;	/* a dependency it waits on, or NULL */
	int stop_timeout;	/* s */
	unsigned namespaces;	/* NS_* */
	unsigned uid_first, uid_count;	/* the host uids it runs as */
};
void sup_info(const struct service *s, struct sup_info *out);
/* How a run ended, into BUF: "signal NAME" (or its number) if SIG, else
 * "status CODE" (status's last-exit, and the console's line). */
const char *sup_how(char *buf, size_t len, int sig, int code);
/* S's addresses ("10.0.0.2,10.1.0.2", or "-"); -1 ENOBUFS if LEN is short. */
int sup_addresses(const struct service *s, char *buf, size_t len);
/* S's published ports ("tcp:8080->80,udp:53->53", or "-"); -1 ENOBUFS. */
int sup_published(const struct service *s, char *buf, size_t len);
/* S's cgroup figures and path; -1 if it has none (not running, or no
 * cgroup2 here). */
int sup_cgroup(const struct service *s, struct cg_stats *st, char *path, size_t len);

/* Where S stands for `initctl start` (UP 1) or `stop` (UP 0): 1 there, 0
 * not yet, -1 never (WHY then says why: "failed to start"). */
int sup_reached(const struct service *s, int up, char *why, size_t len);
int sup_start(struct service *s);
int sup_stop(struct service *s);
/* Stop S's run, then start it again: no failure counted, its count cleared. */
int sup_restart(struct service *s);
/* Run ARGV in S's sandbox with FDS as stdin/out/err, or with a pty of the
 * sandbox's sized PTY whose master goes over the socket FDS[0]
 * (spawn_exec_in): the pid of a child of PID 1 that exits with ARGV's
 * status. -1 with errno and *STEP; ESRCH when S is not running. */
pid_t sup_exec(const struct service *s, const int fds[3], const struct winsize *pty,
	       char *const argv[], const char **step);
/* Make NC the running config: start added services, stop removed ones,
 * restart changed ones. What can fail (a shutdown under way, no free slot,
 * an address, a bridge) is done before anything else changes; on failure
 * (-1, errno) NC stays the caller's and nothing changed. Then GLOBALS (if
 * set) applies the global directives that changed from OLD to NC. */
int sup_reload(struct conf *nc, void (*globals)(const struct conf *old, const struct conf *nc));
const char *sup_state_name(enum svc_state st);
/* Begin shutdown; sup_all_stopped() turns 1 once every service is down. */
void sup_shutdown(void);
int sup_all_stopped(void);

#endif
