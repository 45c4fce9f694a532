/* supervise_int: what the files of supervise share and nothing outside them
 * uses: struct service, the slots services live in, the running config, and
 * the calls between the files.
 *   supervise.c          states, dependencies, stops, the tick, shutdown,
 *                        what initctl asks
 *   supervise_run.c      one run of a service: start, end, restart or give up
 *   supervise_io.c       a service's pipes: output, readiness, leases
 *   supervise_reload.c   the running config: load and reload */
#ifndef SANDINIT_SUPERVISE_INT_H
#define SANDINIT_SUPERVISE_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "supervise.h"
#include "syslog.h"

struct service {
	struct svc_conf *c;	/* its settings, in config .conf */
	struct conf *conf;	/* the running one, or the one it was started
				 * with while a reload stops it */
	struct svc_conf *next;	/* changed by a reload: restart with this,
				 * in the running config */
	int index;		/* in the current conf; -1 once removed */
	enum svc_state state;
	int64_t since;		/* ms: entered STATE */
	pid_t pid;		/* its sandbox's first process (spawn.h) */
	int restarts;		/* starts after the first */
	int fails;		/* failures in a row */
	unsigned gen;		/* starts so far */
	int want_up;		/* 0 once stopped by initctl, a reload's removal or
				 * shutdown; a reload's restart sets it */
	int first_done;		/* its first start reached an end (SPEC §4's ready line) */
	int64_t backoff_ms;	/* next delay */
	int64_t deadline;	/* ms: backoff ends, or stop-timeout expires; 0 none */
	int64_t started_at;	/* ms */
	int stopping;		/* STOP_*: stop signal sent, then SIGKILL */
	int pod_down;		/* stopped because its pod's run ended: it
				 * waits for the pod's next run */
	int exit_status;	/* this run's, as the reaper reports it */
	int last_exit;		/* the last run's, -1 none (initctl status) */
	int last_sig;		/* and the signal that ended it, 0 none */
	int last_oom;		/* and it was an OOM kill */
	struct watch out;	/* its output pipe's read end */
	int out_w;		/* and write end, handed to each start */
	struct watch err;	/* the same for its stderr */
	int err_w;
	struct syslog_in syslog;	/* its /dev/log, made for each start */
	struct watch ready;	/* `ready fd`: read end; .fd -1 if none */
	int ready_w;
	struct watch status;	/* spawn status pipe, -1 once the exec is known */
	struct watch net;	/* the child asks for its links (spawn_link) */
	int sync_w;		/* and waits on this for them; its reaper's
				 * report at the end (spawn.h), -1 none */
	int netns_fd;		/* its network namespace, held (net_hold) or -1 */
	int vt;			/* its run's VT (spawn_child.vt), 0 none */
	uint64_t cgroup_id;	/* its last run's cgroup (inode), 0 none */
	struct ring ring;
};

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 30000
#define HEALTHY_MS 10000
#define CRITICAL_FAILS 5
#define KILLED_WAIT_MS 10000

/* struct service.stopping: STOP_DUE, a reload's stop waits for its
 * dependents that stop too (sup_stop_later) */
enum { STOP_NONE, STOP_DUE, STOP_SIGNALLED, STOP_KILLED };

/* Owned by supervise_reload.c. Slots are allocated by the load or reload
 * that needs them (as many as its services, less the free ones) and never
 * freed or moved: watches (and initctl's waits) point into them. A slot is
 * in use while its .c is set; a removed service's is used again. */
struct sup_state {
	struct service **slots;	/* nslots */
	int nslots;
	/* The running config; earlier ones live on while a service stopping
	 * for a reload still has its settings in them (its .conf). */
	struct conf *cur;
	struct conf *replaced;	/* during a reload, the config it replaces */
	struct service **svc_of;	/* by index in cur: cur->nsvc */
	int nsvc;
	int shutting_down;
	int have_cgroups;
	uint32_t jitter;	/* xorshift32 state of the restart jitter, never 0 */
};
extern struct sup_state sup;

/* S starts over: no failures in a row, the shortest backoff. */
void sup_fresh(struct service *s);

#define FOR_SLOTS(s) \
	for (struct service **s##_slot = sup.slots, *s; \
	     s##_slot < sup.slots + sup.nslots; s##_slot++) \
		if ((s = *s##_slot)->c)

static inline int sup_is_up(const struct service *s)
{
	return s->state == ST_STARTING || s->state == ST_RUNNING || s->state == ST_READY;
}

/* supervise.c: S enters state ST. */
void sup_became(struct service *s, enum svc_state st);
/* The host ids S's user namespace maps (its pod's, for a pod member: it
 * lives in it), or, without one, its `user` alone. */
void sup_host_ids(const struct service *s, unsigned *first, unsigned *count);
/* S's stop signal (and stop-timeout), once a run; WANT_UP untouched. */
void sup_send_stop(struct service *s);
/* The same, once no service that depends on S and stops too is left. */
void sup_stop_later(struct service *s);
/* Start every service whose dependencies are met; fail those whose
 * dependencies gave up. Returns whether it started any. */
int sup_resolve(void);

/* supervise_run.c: start a run of S (a failure is S's, reported). */
void sup_run(struct service *s);
/* S's process is gone (or given up on) with status CODE. */
void sup_run_ended(struct service *s, int status);

/* supervise_io.c: a new slot's ring and pipes; -1 with errno. */
int sup_io_open(struct service *s);
/* The ready pipe S's (new) settings want, if it has none; -1 with errno. */
int sup_io_ready(struct service *s);
/* Read what S's output pipes hold (at its end). */
void sup_io_drain(struct service *s);
/* Close S's pipes and free its ring. */
void sup_io_close(struct service *s);

/* supervise_reload.c: a service stopped by a reload: gone if removed,
 * else moved to its new config, and started unless a stop came after the
 * reload (the last command wins). */
void sup_settle_reload(struct service *s);

#endif
