/* supervise: service states, dependencies, readiness, stopping and the
 * shutdown order, and what initctl asks of a service. It reacts to events
 * handed to it by the loop in main.c. A service's runs are supervise_run.c's,
 * its pipes supervise_io.c's, the running config supervise_reload.c's
 * (supervise_int.h is what they share). */
#include "supervise.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "firewall.h"
#include "net.h"
#include "spawn.h"
#include "supervise_int.h"
#include "util.h"

static int ready_printed;

static const char *const state_names[] = {
	[ST_WAITING] = "waiting", [ST_STARTING] = "starting",
	[ST_RUNNING] = "running", [ST_READY] = "ready",
	[ST_EXITED] = "exited", [ST_FAILED] = "failed",
	[ST_BACKOFF] = "backoff", [ST_STOPPED] = "stopped",
};

const char *sup_state_name(enum svc_state st)
{
	return state_names[st];
}

int sup_count(void)
{
	return sup.nsvc;
}

struct service *sup_at(int i)
{
	return i >= 0 && i < sup.nsvc ? sup.svc_of[i] : NULL;
}

struct service *sup_find(const char *name)
{
	for (int i = 0; i < sup.nsvc; i++)
		if (!strcmp(sup.svc_of[i]->c->name, name))
			return sup.svc_of[i];
	return NULL;
}

const char *sup_name(const struct service *s)
{
	return s->c ? s->c->name : NULL;
}

/* SIG to S: to its sandbox's reaper, or to the process group of a service
 * without namespaces (what it forked goes too). */
__attribute__((noinline)) static void signal_service(const struct service *s, int sig)
{
	kill(s->c->namespaces ? s->pid : -s->pid, sig);
}

/* Is C ready only once it says so (`ready fd`)? A DHCP helper's fd is its
 * lease pipe instead: running is enough (the boot does not wait for a
 * lease). */
static int waits_ready(const struct svc_conf *c)
{
	return c->ready_fd >= 0 && c->iface < 0;
}

/* Is S's run being stopped (a restart's, a reload's)? It is going away:
 * its dependents and pod members wait for the next one. */
static int ending(const struct service *s)
{
	return s->stopping || s->next;
}

/* Can a member join S's pod (its run started, not going away)? */
static int joinable(const struct service *s)
{
	return (s->state == ST_RUNNING || s->state == ST_READY) && !ending(s);
}

/* Does S count as ready for the services that come after it? */
static int satisfies(const struct service *s)
{
	if (ending(s))
		return 0;
	if (s->c->restart == RESTART_NEVER)
		return s->state == ST_EXITED && s->exit_status == 0;
	if (s->state == ST_READY)
		return 1;
	if (s->state == ST_RUNNING && !waits_ready(s->c))
		return 1;
	return 0;
}

/* Has S given up for good (its dependents can never start)? */
static int gave_up(const struct service *s)
{
	return s->state == ST_FAILED || (s->state == ST_EXITED && !satisfies(s)) ||
	       (s->state == ST_STOPPED);
}

/* The dependency of waiting S that gave up (GONE), or else that S still
 * waits on; NULL if none. */
static const char *dep_of(const struct service *s, int gone)
{
	if (s->state != ST_WAITING)
		return NULL;
	/* its `after` services, then its pod (join) */
	for (int j = 0; j <= s->c->nafter; j++) {
		int i = j < s->c->nafter ? s->c->after[j] : s->c->join;
		const struct service *d = i >= 0 ? sup.svc_of[i] : NULL;

		if (d && (gone ? gave_up(d) : j < s->c->nafter ? !satisfies(d) : !joinable(d)))
			return d->c->name;
	}
	return NULL;
}

void sup_info(const struct service *s, struct sup_info *out)
{
	*out = (struct sup_info){
		.name = s->c->name,
		.state = s->state,
		.pid = s->pid ? spawn_service_pid(s->c, s->pid) : 0,
		.restarts = s->restarts,
		.since_ms = now_ms() - s->since,
		.last_exit = s->last_exit,
		.last_sig = s->last_sig,
		.oom = s->last_oom,
		.waiting_for = dep_of(s, 0),
		.stop_timeout = s->c->stop_timeout,
		.namespaces = s->c->namespaces,
	};
	sup_host_ids(s, &out->uid_first, &out->uid_count);
}

const char *sup_how(char *buf, size_t len, int sig, int code)
{
	const char *name = conf_signal_name(sig);

	if (name)
		snprintf(buf, len, "signal %s", name);
	else
		snprintf(buf, len, sig ? "signal %d" : "status %d", sig ? sig : code);
	return buf;
}

__attribute__((noinline)) void sup_fresh(struct service *s)
{
	s->fails = 0;
	s->backoff_ms = BACKOFF_MIN_MS;
}

void sup_host_ids(const struct service *s, unsigned *first, unsigned *count)
{
	/* Its join is an index in its own settings' config (s->conf): an
	 * older one while a reload stops it (removed, or changed), whose
	 * services the running config's table does not list. */
	const struct svc_conf *u = s->c->join >= 0 ? &s->conf->svc[s->c->join] : s->c;

	if (u->namespaces & NS_USER) {
		*first = u->uidmap_host;
		*count = u->uidmap_count ? u->uidmap_count : CONF_UID_RANGE;
	} else {
		*first = s->c->uid;
		*count = 1;
	}
}

int sup_addresses(const struct service *s, char *buf, size_t len)
{
	/* A pod member has its pod's (its own config's, as sup_host_ids). */
	const struct svc_conf *u = s->c;

	for (int i = 0; u->join >= 0 && i < s->conf->nsvc; i++)
		u = &s->conf->svc[u->join];
	return net_addrs(u, buf, len);
}

int sup_published(const struct service *s, char *buf, size_t len)
{
	return fw_published(s->c, buf, len);
}

int sup_cgroup(const struct service *s, struct cg_stats *st, char *path, size_t len)
{
	if (!sup.have_cgroups || !s->pid) {
		errno = ENOENT;
		return -1;
	}
	if (cg_stats(s->c->name, st) < 0)
		return -1;
	return cg_path(s->c->name, path, len);
}

/* (noinline: smaller than LTO's copy inlined in its caller, ctl.c's) */
__attribute__((noinline)) int sup_reached(const struct service *s, int up, char *why, size_t len)
{
	const char *dep;
	int blocked = 0;

	if (!up)
		return !s->pid;
	/* A run being stopped (a restart's) is ending: the next one counts. */
	if (s->stopping && s->pid)
		return 0;
	if (s->state == ST_RUNNING || s->state == ST_READY || s->state == ST_EXITED)
		return 1;
	if (s->state == ST_STOPPED && !s->want_up)
		dep = "was stopped";
	else if (s->state == ST_FAILED)
		dep = "failed to start";
	else if (s->state == ST_BACKOFF)
		dep = "backs off before its next try: it failed to start";
	else
		blocked = (dep = dep_of(s, 1)) != NULL;
	if (!dep)
		return 0;
	snprintf(why, len, blocked ? "waits for %s, which has given up" : "%s", dep);
	return -1;
}

void sup_became(struct service *s, enum svc_state st)
{
	if (s->state != st)
		s->since = now_ms();
	s->state = st;
	/* SPEC §4: running (ready, for `ready fd`), exited or failed. */
	if (st == ST_READY || st == ST_EXITED || st == ST_FAILED || st == ST_BACKOFF ||
	    st == ST_STOPPED || (st == ST_RUNNING && !waits_ready(s->c)))
		s->first_done = 1;
}

/* Start every service whose dependencies are met; fail those whose
 * dependencies gave up. Returns whether it started any. */
int sup_resolve(void)
{
	int started = 0;

	for (int pass = 0, changed = 1; changed && pass < CONF_MAX_SERVICES; pass++) {
		changed = 0;
		for (int i = 0; i < sup.nsvc; i++) {
			struct service *s = sup.svc_of[i];
			int ok = 1, dead = 0;

			if (s->state != ST_WAITING || !s->want_up || sup.shutting_down)
				continue;
			for (int j = 0; j < s->c->nafter; j++) {
				struct service *d = sup.svc_of[s->c->after[j]];

				ok &= satisfies(d);
				/* A one-shot still running may yet exit 0. */
				dead |= gave_up(d) || (d->first_done && !satisfies(d) &&
						       !(d->c->restart == RESTART_NEVER && sup_is_up(d)));
			}
			if (s->c->join >= 0) {
				struct service *d = sup.svc_of[s->c->join];

				ok &= joinable(d);
				dead |= gave_up(d);
			}
			if (ok) {
				sup_run(s);
				changed = started = 1;
			} else if (dead && !s->first_done) {
				/* Counts as failed for the ready line; it still starts
				 * if the dependency recovers. */
				log_msg("%s: not started: %s, which it comes after, has failed",
					s->c->name, dep_of(s, 1) ? dep_of(s, 1) : "a dependency");
				s->first_done = 1;
				changed = 1;
			}
		}
	}
	return started;
}

/* Does a service that stops (or will) depend on S? Asked in S's own
 * config, where a reload's stops have theirs: no cycle there. */
static int held(const struct service *s)
{
	int i = (int)(s->c - s->conf->svc);

	FOR_SLOTS(d) {
		if (!d->pid || !d->stopping || d->conf != s->conf)
			continue;
		if (d->c->join == i)
			return 1;
		for (int j = 0; j < d->c->nafter; j++)
			if (d->c->after[j] == i)
				return 1;
	}
	return 0;
}

void sup_tick(void)
{
	int64_t now = now_ms();
	int starting = 0;

	/* A reload's stops in reverse dependency order, as at shutdown. */
	FOR_SLOTS(s)
		if (s->stopping == STOP_DUE && !held(s))
			sup_send_stop(s);
	FOR_SLOTS(s) {
		starting |= s->state == ST_STARTING;
		/* Running long enough is healthy: its backoff starts over. */
		if (sup_is_up(s) && s->started_at && now - s->started_at >= HEALTHY_MS)
			sup_fresh(s);
		if (!s->deadline || s->deadline > now)
			continue;
		s->deadline = 0;
		if (s->state == ST_BACKOFF && s->want_up && !sup.shutting_down) {
			sup_became(s, ST_WAITING);
		} else if (s->stopping == STOP_SIGNALLED && s->pid) {
			log_msg("%s: did not stop in %d s: killing it", s->c->name,
				s->c->stop_timeout);
			if (!sup.have_cgroups || cg_kill(s->c->name) < 0)
				signal_service(s, SIGKILL);
			s->stopping = STOP_KILLED;
			s->deadline = now + KILLED_WAIT_MS;
		} else if (s->stopping == STOP_KILLED && s->pid) {
			/* Stuck in the kernel (uninterruptible sleep): do not
			 * let it hold up a stop or the shutdown for ever. Its
			 * exit, should it come, is an orphan's. */
			log_msg("%s: still there %d s after SIGKILL: taken as stopped",
				s->c->name, KILLED_WAIT_MS / 1000);
			sup_run_ended(s, SIGKILL);	/* (the wait status of a SIGKILL) */
		}
	}
	/* Ended sandboxes' namespaces go once no start competes with their
	 * teardown (see net_park). */
	if (!sup_resolve() && !starting && net_parked())
		net_unpark();
	if (sup.shutting_down)
		sup_shutdown();
}

int64_t sup_next_deadline(void)
{
	int64_t next = 0, now = now_ms();

	FOR_SLOTS(s) {
		if (s->deadline && (!next || s->deadline < next))
			next = s->deadline;
		/* Wake to reset the backoff of a service that turns healthy. */
		if (sup_is_up(s) && s->fails && s->started_at + HEALTHY_MS > now &&
		    (!next || s->started_at + HEALTHY_MS < next))
			next = s->started_at + HEALTHY_MS;
	}
	return next;
}

int sup_check_ready(int64_t boot_us)
{
	if (ready_printed)
		return 1;
	for (int i = 0; i < sup.nsvc; i++)
		if (!sup.svc_of[i]->first_done)
			return 0;
	ready_printed = 1;
	int64_t us = now_us() - boot_us;
	int n = 0;

	/* the config's services: not the DHCP helpers PID 1 adds */
	for (int i = 0; i < sup.nsvc; i++)
		n += sup.svc_of[i]->c->iface < 0;
	log_msg("ready: %d services in %lld.%lld ms", n, (long long)(us / 1000),
		(long long)(us % 1000 / 100));
	return 1;
}

int sup_start(struct service *s)
{
	s->want_up = 1;
	if (sup_is_up(s))
		return 0;
	sup_fresh(s);
	s->deadline = 0;
	sup_became(s, ST_WAITING);
	sup_resolve();
	return 0;
}

/* A run of S stops, then the next starts (sup_run_ended). */
int sup_restart(struct service *s)
{
	if (!s->pid)
		return sup_start(s);
	s->want_up = 1;
	sup_send_stop(s);
	return 0;
}

void sup_send_stop(struct service *s)
{
	if (s->stopping > STOP_DUE || !s->pid)
		return;
	s->stopping = STOP_SIGNALLED;
	signal_service(s, s->c->stop_signal);
	s->deadline = now_ms() + (int64_t)s->c->stop_timeout * 1000;
}

void sup_stop_later(struct service *s)
{
	if (s->pid && !s->stopping)
		s->stopping = STOP_DUE;
}

int sup_stop(struct service *s)
{
	s->want_up = 0;
	if (s->pid) {
		sup_send_stop(s);
	} else {
		s->deadline = 0;
		sup_became(s, ST_STOPPED);
	}
	return 0;
}

void sup_shutdown(void)
{
	/* Which services have a dependent still up (after or join): one pass
	 * over the dependencies, not one per service (a long `after` chain
	 * would make every tick of the shutdown quadratic). */
	unsigned char needed[CONF_MAX_SERVICES] = { 0 };

	for (int i = 0; i < sup.nsvc; i++) {
		const struct service *d = sup.svc_of[i];

		/* (one a reload stops has an older config's indices: it is
		 * stopping already) */
		if (!d->pid || d->conf != sup.cur)
			continue;
		if (d->c->join >= 0)
			needed[d->c->join] = 1;
		for (int j = 0; j < d->c->nafter; j++)
			needed[d->c->after[j]] = 1;
	}
	sup.shutting_down = 1;
	FOR_SLOTS(s) {
		s->want_up = 0;
		if (!s->pid) {
			if (s->state != ST_STOPPED && s->state != ST_EXITED && s->state != ST_FAILED)
				sup_became(s, ST_STOPPED);
			s->deadline = 0;
		} else if (s->stopping <= STOP_DUE && !(s->index >= 0 && needed[s->index])) {
			sup_send_stop(s);
		}
	}
}

int sup_all_stopped(void)
{
	FOR_SLOTS(s)
		if (s->pid)
			return 0;
	return 1;
}
