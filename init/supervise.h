/* supervise: service states, starts and restarts, dependencies, readiness,
 * stopping and the shutdown order. It reacts to events handed to it by the
 * loop in main.c. */
#ifndef SANDINIT_SUPERVISE_H
#define SANDINIT_SUPERVISE_H

#include <stdint.h>
#include <sys/types.h>
#include "conf.h"
#include "log.h"
#include "loop.h"
#include "net.h"

enum svc_state {
	ST_WAITING, ST_STARTING, ST_RUNNING, ST_READY, ST_EXITED,
	ST_FAILED, ST_BACKOFF, ST_STOPPED,
};

struct service {
	struct svc_conf *c;	/* into sup's current struct conf */
	struct svc_conf *next;	/* changed by a reload: restart with this */
	int index;		/* in the current conf; -1 once removed */
	enum svc_state state;
	pid_t pid;
	int restarts;		/* starts after the first */
	int fails;		/* failures in a row */
	unsigned gen;		/* starts so far */
	int want_up;		/* 0 once stopped by initctl, reload or shutdown */
	int first_done;		/* its first start reached an end (SPEC §4's ready line) */
	int64_t backoff_ms;	/* next delay */
	int64_t deadline;	/* ms: backoff ends, or stop-timeout expires; 0 none */
	int64_t started_at;	/* ms */
	int stopping;		/* STOP_*: stop signal sent, then SIGKILL */
	int exit_status;	/* last, as the reaper reports it */
	struct watch out;	/* its output pipe's read end */
	int out_w;		/* and write end, handed to each start */
	struct watch ready;	/* `ready fd`: read end; .fd -1 if none */
	int ready_w;
	struct watch status;	/* spawn status pipe, -1 once the exec is known */
	struct watch net;	/* the child asks for its links (spawn_link) */
	int release_w;		/* and waits on this for them */
	int netns_fd;		/* its network namespace, held (net_hold) or -1 */
	struct ring ring;
};

/* Bring up the services of C (now owned by sup). Called once at boot;
 * CGROUPS: cg_init succeeded. */
int sup_load(struct conf *c, int cgroups);
/* Start the rescue program (once at a time). */
void sup_rescue(const char *path);
/* The loop's hooks. */
void sup_child_exit(pid_t pid, int status);	/* 0 if not ours */
int64_t sup_next_deadline(void);	/* ms, or 0 for none */
void sup_tick(void);
/* Is the ready line due? Prints it once. */
void sup_check_ready(int64_t boot_us);

/* initctl's requests. */
struct service *sup_find(const char *name);
int sup_count(void);
struct service *sup_at(int i);
int sup_start(struct service *s);
/* The name of a dependency (after, join) of waiting S that has given up
 * (failed, stopped, or exited non-zero), or NULL. */
const char *sup_blocked_by(const struct service *s);
int sup_stop(struct service *s);
int sup_reload(struct conf *nc);	/* takes NC */
const char *sup_state_name(enum svc_state st);
/* Begin shutdown; sup_all_stopped() turns 1 once every service is down. */
void sup_shutdown(void);
int sup_all_stopped(void);

#endif
