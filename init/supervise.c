/* supervise: service states, starts and restarts, dependencies, readiness,
 * stopping and the shutdown order. It reacts to events handed to it by the
 * loop in main.c. */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "cgroup.h"
#include "firewall.h"
#include "iface.h"
#include "loop.h"
#include "net.h"
#include "spawn.h"
#include "syslog.h"
#include "util.h"

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
	int want_up;		/* 0 once stopped by initctl, reload or shutdown */
	int first_done;		/* its first start reached an end (SPEC §4's ready line) */
	int64_t backoff_ms;	/* next delay */
	int64_t deadline;	/* ms: backoff ends, or stop-timeout expires; 0 none */
	int64_t started_at;	/* ms */
	int stopping;		/* STOP_*: stop signal sent, then SIGKILL */
	int exit_status;	/* this run's, as the reaper reports it */
	int last_exit;		/* the last run's, -1 none (initctl status) */
	int last_oom;		/* and it was an OOM kill */
	int64_t oom_base;	/* memory.events oom_kill at the run's start */
	struct watch out;	/* its output pipe's read end */
	int out_w;		/* and write end, handed to each start */
	struct watch err;	/* the same for its stderr */
	int err_w;
	struct syslog_in syslog;	/* its /dev/log, made for each start */
	struct watch ready;	/* `ready fd`: read end; .fd -1 if none */
	int ready_w;
	struct watch status;	/* spawn status pipe, -1 once the exec is known */
	struct watch net;	/* the child asks for its links (spawn_link) */
	int release_w;		/* and waits on this for them */
	int netns_fd;		/* its network namespace, held (net_hold) or -1 */
	struct ring ring;
};

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 30000
#define HEALTHY_MS 10000
#define CRITICAL_FAILS 5
#define KILLED_WAIT_MS 10000

enum { STOP_NONE, STOP_SIGNALLED, STOP_KILLED };	/* struct service.stopping */

/* Sized once: watches (and initctl's waits) point into it, so it never
 * moves. Twice the services a config may have, for removed services still
 * stopping during a reload. A slot is in use while its .c is set. */
#define SLOTS (2 * CONF_MAX_SERVICES)
static struct service slots[SLOTS];
/* The running config, owned here; earlier ones live on while a service
 * stopping for a reload still has its settings in them (its .conf). */
static struct conf *cur;
static struct conf *replaced;	/* during a reload, the config it replaces */
static struct service *svc_of[CONF_MAX_SERVICES];	/* by index in cur */
static int nsvc;

#define FOR_SLOTS(s) \
	for (struct service *s = slots; s < slots + SLOTS; s++) \
		if (s->c)
static int shutting_down;
static int ready_printed;
static int have_cgroups;
static pid_t rescue_pid;

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
	return nsvc;
}

struct service *sup_at(int i)
{
	return i >= 0 && i < nsvc ? svc_of[i] : NULL;
}

struct service *sup_find(const char *name)
{
	for (int i = 0; i < nsvc; i++)
		if (!strcmp(svc_of[i]->c->name, name))
			return svc_of[i];
	return NULL;
}

const char *sup_name(const struct service *s)
{
	return s->c ? s->c->name : NULL;
}

/* PID's parent, from /proc/PID/stat ("pid (comm) state ppid ..."). */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_str(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return 0;
	return (pid_t)atoi(p + 4);
}

struct ring *sup_ring_of_pid(pid_t pid)
{
	char path[64], buf[1024], *name, *parent;
	pid_t p = pid;

	for (int depth = 0; p > 1 && depth < 64; depth++, p = parent_of(p))
		FOR_SLOTS(s)
			if (s->pid == p)
				return &s->ring;
	/* One that left its service's process tree: its cgroup,
	 * ".../SUBTREE/NAME" (cgroup.c). */
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_str(path, buf, sizeof(buf)) <= 0 || strncmp(buf, "0::/", 4))
		return NULL;
	buf[strcspn(buf, "\n")] = 0;
	name = strrchr(buf, '/');
	*name = 0;
	parent = strrchr(buf, '/');
	if (!parent || strncmp(parent + 1, "sandinit", 8))
		return NULL;
	FOR_SLOTS(s)
		if (s->c && !strcmp(s->c->name, name + 1))
			return &s->ring;
	return NULL;
}

const struct conf *sup_conf(void)
{
	return cur;
}

/* Free OC once it is not the running config and no service's settings
 * are in it any more. */
static void let_go(struct conf *oc)
{
	if (!oc || oc == cur || oc == replaced)
		return;
	FOR_SLOTS(s)
		if (s->conf == oc)
			return;
	conf_free(oc);
}

/* SIG to S: to its sandbox's reaper, or to the process group of a service
 * without namespaces (what it forked goes too). */
static void signal_service(const struct service *s, int sig)
{
	kill(s->c->namespaces ? s->pid : -s->pid, sig);
}

static int is_up(const struct service *s)
{
	return s->state == ST_STARTING || s->state == ST_RUNNING || s->state == ST_READY;
}

/* Is C ready only once it says so (`ready fd`)? A DHCP helper's fd is its
 * lease pipe instead: running is enough (the boot does not wait for a
 * lease). */
static int waits_ready(const struct svc_conf *c)
{
	return c->ready_fd >= 0 && c->iface < 0;
}

/* Does S count as ready for the services that come after it? */
static int satisfies(const struct service *s)
{
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

static const char *blocked_by(const struct service *s)
{
	if (s->state != ST_WAITING)
		return NULL;
	for (int j = 0; j < s->c->nafter; j++)
		if (gave_up(svc_of[s->c->after[j]]))
			return svc_of[s->c->after[j]]->c->name;
	if (s->c->join >= 0 && gave_up(svc_of[s->c->join]))
		return svc_of[s->c->join]->c->name;
	return NULL;
}

/* The dependency waiting S waits on, or NULL. */
static const char *waiting_for(const struct service *s)
{
	if (s->state != ST_WAITING)
		return NULL;
	for (int j = 0; j < s->c->nafter; j++)
		if (!satisfies(svc_of[s->c->after[j]]))
			return svc_of[s->c->after[j]]->c->name;
	if (s->c->join >= 0 && (!is_up(svc_of[s->c->join]) ||
				svc_of[s->c->join]->state == ST_STARTING))
		return svc_of[s->c->join]->c->name;
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
		.oom = s->last_oom,
		.waiting_for = waiting_for(s),
		.stop_timeout = s->c->stop_timeout,
		.namespaces = s->c->namespaces,
	};
	/* A pod member lives in its pod's user namespace. */
	const struct service *u = s->c->join >= 0 && s->index >= 0 ? svc_of[s->c->join] : s;

	if (u->c->namespaces & NS_USER) {
		out->uid_first = u->c->uidmap_host;
		out->uid_count = u->c->uidmap_count ? u->c->uidmap_count : CONF_UID_RANGE;
	} else {
		out->uid_first = s->c->uid;
		out->uid_count = 1;
	}
}

int sup_addresses(const struct service *s, char *buf, size_t len)
{
	return net_addrs(s->c, buf, len);
}

int sup_published(const struct service *s, char *buf, size_t len)
{
	return fw_published(s->c, buf, len);
}

int sup_cgroup(const struct service *s, struct cg_stats *st, char *path, size_t len)
{
	if (!have_cgroups || !s->pid) {
		errno = ENOENT;
		return -1;
	}
	if (cg_stats(s->c->name, st) < 0)
		return -1;
	return cg_path(s->c->name, path, len);
}

int sup_reached(const struct service *s, int up, char *why, size_t len)
{
	const char *dep;

	if (!up)
		return !s->pid;
	if (s->state == ST_RUNNING || s->state == ST_READY || s->state == ST_EXITED)
		return 1;
	if (s->state == ST_FAILED || s->state == ST_BACKOFF) {
		snprintf(why, len, "failed to start");
		return -1;
	}
	if ((dep = blocked_by(s))) {
		snprintf(why, len, "waits for %s, which has given up", dep);
		return -1;
	}
	return 0;
}

pid_t sup_exec(const struct service *s, const int fds[3], const struct winsize *pty,
	       char *const argv[], const char **step)
{
	if (!s->pid || !(s->state == ST_RUNNING || s->state == ST_READY)) {
		*step = "exec";
		errno = ESRCH;
		return -1;
	}
	return spawn_exec_in(s->c, s->pid, fds, pty, argv, step);
}

static ssize_t output(struct service *s, struct watch *w, int stream)
{
	char buf[16384];
	ssize_t n = read(w->fd, buf, sizeof(buf));

	if (n > 0)
		ring_feed(&s->ring, stream, buf, (size_t)n);
	return n;
}

/* Its exit can be reaped before all it wrote is read: what its pipes hold
 * is its own, read before its partial lines end (or its last line would be
 * cut in two). At most 1 MiB each: a child it left behind may write on. */
static void drain_output(struct service *s)
{
	for (int i = 0; i < 64 && s->out.fd >= 0 && output(s, &s->out, LOG_STDOUT) > 0; i++)
		;
	for (int i = 0; i < 64 && s->err.fd >= 0 && output(s, &s->err, LOG_STDERR) > 0; i++)
		;
}

static void on_stdout(struct watch *w, uint32_t events)
{
	(void)events;
	output((struct service *)((char *)w - offsetof(struct service, out)), w, LOG_STDOUT);
}

static void on_stderr(struct watch *w, uint32_t events)
{
	(void)events;
	output((struct service *)((char *)w - offsetof(struct service, err)), w, LOG_STDERR);
}

static void became(struct service *s, enum svc_state st)
{
	if (s->state != st)
		s->since = now_ms();
	s->state = st;
	/* SPEC §4: running (ready, for `ready fd`), exited or failed. */
	if (st == ST_READY || st == ST_EXITED || st == ST_FAILED || st == ST_BACKOFF ||
	    st == ST_STOPPED || (st == ST_RUNNING && !waits_ready(s->c)))
		s->first_done = 1;
}

static void on_ready(struct watch *w, uint32_t events)
{
	struct service *s = (struct service *)((char *)w - offsetof(struct service, ready));
	char buf[512];
	ssize_t n = read(w->fd, buf, sizeof(buf));

	(void)events;
	/* The line may come before the status pipe's EOF says it execed. */
	if (n > 0 && memchr(buf, '\n', (size_t)n) &&
	    (s->state == ST_RUNNING || s->state == ST_STARTING)) {
		became(s, ST_READY);
	}
}

/* A DHCP helper's leases (struct dhcp_lease, each one write): iface
 * checks and applies them. */
static void on_lease(struct watch *w, uint32_t events)
{
	struct service *s = (struct service *)((char *)w - offsetof(struct service, ready));
	const struct conf *oc = s->conf;
	struct dhcp_lease l[8];
	ssize_t n = read(w->fd, l, sizeof(l));
	size_t off;

	(void)events;
	if (n <= 0 || s->c->iface < 0 || s->c->iface >= oc->nifaces)
		return;
	for (off = 0; off < (size_t)n; off += sizeof(*l))
		iface_lease(oc->ifaces[s->c->iface].name, (char *)l + off,
			    (size_t)n - off < sizeof(*l) ? (size_t)n - off : sizeof(*l));
}

/* The ready pipe's reader: readiness lines, or a DHCP helper's leases. */
static void (*ready_fn(const struct svc_conf *c))(struct watch *, uint32_t)
{
	return c->iface >= 0 ? on_lease : on_ready;
}

static void start_failed(struct service *s, int err, const char *step);
static void settle_reload(struct service *s);
static void instance_gone(struct service *s, int code);

static void on_status(struct watch *w, uint32_t events)
{
	struct service *s = (struct service *)((char *)w - offsetof(struct service, status));
	struct spawn_failure f;
	ssize_t n = read(w->fd, &f, sizeof(f));

	(void)events;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	loop_close(w);
	if (n == (ssize_t)sizeof(f)) {
		f.step[sizeof(f.step) - 1] = 0;
		/* The child exits 127 right after: its exit is then expected. */
		start_failed(s, f.err, f.step);
		return;
	}
	if (s->state == ST_STARTING)
		became(s, ST_RUNNING);
}

/* The child made its network namespace: link it up and let it go on. */
static void on_net(struct watch *w, uint32_t events)
{
	struct service *s = (struct service *)((char *)w - offsetof(struct service, net));
	const char *step = "link its network";
	char b;
	int fds[2], r;
	ssize_t n = recv_fds(w->fd, &b, 1, fds, 2);

	(void)events;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	loop_close(w);
	if (n == 1 && s->pid) {
		/* Held from now on (parked when the run ends). */
		s->netns_fd = fds[0];
		if (fds[0] < 0 || fds[1] < 0) {
			errno = EBADMSG;
			r = -1;
		} else {
			r = spawn_link(s->conf, s->c, s->release_w, fds[0], fds[1], &step);
		}
		/* -2: the child is gone (it makes its mounts meanwhile); its
		 * status report or its exit says why. */
		if (r == -1)
			start_failed(s, errno, step);
		if (r < 0)
			kill(s->pid, SIGKILL);
	} else if (fds[0] >= 0) {
		close(fds[0]);
	}
	if (fds[1] >= 0)
		close(fds[1]);
	/* (EOF: the child died first; its exit says why.) */
	close(s->release_w);
	s->release_w = -1;
}

static int make_pipe(struct watch *r, int *w, void (*fn)(struct watch *, uint32_t))
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	r->fd = fds[0];
	r->fn = fn;
	*w = fds[1];
	if (loop_add(r) < 0) {
		close(fds[0]);
		close(fds[1]);
		r->fd = -1;
		return -1;
	}
	return 0;
}

static void schedule_restart(struct service *s)
{
	int64_t d = s->backoff_ms;

	/* Jitter of ±10% keeps crash-looping services from moving in step. */
	d += (int64_t)(random() % (d / 5 + 1)) - d / 10;
	s->deadline = now_ms() + d;
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
	became(s, ST_BACKOFF);
}

/* A failure (of a start, or an exit): restart, or give up. */
static void failed(struct service *s)
{
	s->fails++;
	if (s->c->critical && s->fails >= CRITICAL_FAILS) {
		log_msg("%s: failed %d times in a row: starting %s", s->c->name, s->fails,
			cur->rescue);
		became(s, ST_FAILED);
		sup_rescue(cur->rescue);
		return;
	}
	if (s->want_up && !shutting_down && s->c->restart != RESTART_NEVER)
		schedule_restart(s);
	else
		became(s, s->want_up ? ST_FAILED : ST_STOPPED);
}

/* A start that failed: before the child existed, or reported by it (it
 * exits right after, and sup_child_exit then counts the failure). */
static void start_failed(struct service *s, int err, const char *step)
{
	errno = err;
	log_msg("%s: unable to %s: %m", s->c->name, step);
	if (s->pid) {
		s->exit_status = -1;
	} else {
		fw_stop(s->c);
		failed(s);
	}
}

static void start(struct service *s)
{
	const struct svc_conf *c = s->c;
	struct spawn_io io = {
		.out_fd = s->out_w, .err_fd = s->err_w, .ready_fd = s->ready_w, .cgroup_fd = -1,
		.resolv = iface_resolv() ? IFACE_RESOLV : NULL,
		.syslog_fd = -1,
	};
	struct spawn_child child;
	const char *step = "start";

	if (s->gen)
		s->restarts++;
	s->gen++;
	s->pid = 0;
	s->exit_status = 0;
	s->stopping = STOP_NONE;
	s->deadline = 0;
	became(s, ST_STARTING);
	if (c->join >= 0) {
		struct service *pod = svc_of[c->join];

		if (!is_up(pod) || !pod->pid) {
			start_failed(s, ESRCH, "join: its pod is not running");
			return;
		}
		io.join_pid = pod->pid;
	}
	/* A socket is bound once: each start's sandbox gets a fresh one. */
	if (c->syslog && c->namespaces & NS_MOUNT) {
		io.syslog_fd = syslog_open(&s->syslog, &s->ring);
		if (io.syslog_fd < 0)
			log_msg("%s: unable to open its /dev/log: %m", c->name);
	}
	/* Its published ports exist from before its first packet. */
	if (fw_start(c, &step) < 0) {
		start_failed(s, errno, step);
		return;
	}
	if (have_cgroups) {
		struct cg_stats st;

		io.cgroup_fd = cg_create(c, &step);
		if (io.cgroup_fd < 0) {
			start_failed(s, errno, step);
			return;
		}
		s->oom_base = cg_stats(c->name, &st) == 0 && st.oom_kills > 0 ? st.oom_kills : 0;
	} else if (c->memory || c->pids || c->cpu) {
		start_failed(s, EOPNOTSUPP, "set limits: no cgroup2 here");
		return;
	}
	if (spawn_service(c, &io, &child, &step) < 0) {
		int e = errno;

		if (io.cgroup_fd >= 0)
			close(io.cgroup_fd);
		start_failed(s, e, step);
		return;
	}
	if (io.cgroup_fd >= 0)
		close(io.cgroup_fd);
	s->pid = child.pid;
	s->started_at = now_ms();
	s->release_w = child.release_fd;
	if (child.net_fd >= 0) {
		s->net.fd = child.net_fd;
		s->net.fn = on_net;
		if (loop_add(&s->net) < 0) {
			close(child.net_fd);
			s->net.fd = -1;
			close(s->release_w);	/* the child sees EOF and exits */
			s->release_w = -1;
		}
	}
	s->status.fd = child.status_fd;
	s->status.fn = on_status;
	if (loop_add(&s->status) < 0) {
		close(child.status_fd);
		s->status.fd = -1;
		became(s, ST_RUNNING);
	}
}

/* Start every service whose dependencies are met; fail those whose
 * dependencies gave up. Returns whether it started any. */
static int resolve(void)
{
	int started = 0;

	for (int pass = 0, changed = 1; changed && pass < CONF_MAX_SERVICES; pass++) {
		changed = 0;
		for (int i = 0; i < nsvc; i++) {
			struct service *s = svc_of[i];
			int ok = 1, dead = 0;

			if (s->state != ST_WAITING || !s->want_up || shutting_down)
				continue;
			for (int j = 0; j < s->c->nafter; j++) {
				struct service *d = svc_of[s->c->after[j]];

				ok &= satisfies(d);
				/* A one-shot still running may yet exit 0. */
				dead |= gave_up(d) || (d->first_done && !satisfies(d) &&
						       !(d->c->restart == RESTART_NEVER && is_up(d)));
			}
			if (s->c->join >= 0) {
				struct service *d = svc_of[s->c->join];

				ok &= is_up(d) && d->state != ST_STARTING;
				dead |= gave_up(d);
			}
			if (ok) {
				start(s);
				changed = started = 1;
			} else if (dead && !s->first_done) {
				/* Counts as failed for the ready line; it still starts
				 * if the dependency recovers. */
				s->first_done = 1;
				changed = 1;
			}
		}
	}
	return started;
}

void sup_tick(void)
{
	int64_t now = now_ms();
	int starting = 0;

	FOR_SLOTS(s) {
		starting |= s->state == ST_STARTING;
		/* Running long enough is healthy: its backoff starts over. */
		if (is_up(s) && s->started_at && now - s->started_at >= HEALTHY_MS) {
			s->backoff_ms = BACKOFF_MIN_MS;
			s->fails = 0;
		}
		if (!s->deadline || s->deadline > now)
			continue;
		s->deadline = 0;
		if (s->state == ST_BACKOFF && s->want_up && !shutting_down) {
			became(s, ST_WAITING);
		} else if (s->stopping == STOP_SIGNALLED && s->pid) {
			log_msg("%s: did not stop in %d s: killing it", s->c->name,
				s->c->stop_timeout);
			if (!have_cgroups || cg_kill(s->c->name) < 0)
				signal_service(s, SIGKILL);
			s->stopping = STOP_KILLED;
			s->deadline = now + KILLED_WAIT_MS;
		} else if (s->stopping == STOP_KILLED && s->pid) {
			/* Stuck in the kernel (uninterruptible sleep): do not
			 * let it hold up a stop or the shutdown for ever. Its
			 * exit, should it come, is an orphan's. */
			log_msg("%s: still there %d s after SIGKILL: counting it as stopped",
				s->c->name, KILLED_WAIT_MS / 1000);
			instance_gone(s, 128 + SIGKILL);
		}
	}
	/* Ended sandboxes' namespaces go once no start competes with their
	 * teardown (see net_park). */
	if (!resolve() && !starting && net_parked())
		net_unpark();
	if (shutting_down)
		sup_shutdown();
}

int64_t sup_next_deadline(void)
{
	int64_t next = 0, now = now_ms();

	FOR_SLOTS(s) {
		if (s->deadline && (!next || s->deadline < next))
			next = s->deadline;
		/* Wake to reset the backoff of a service that turns healthy. */
		if (is_up(s) && s->fails && s->started_at + HEALTHY_MS > now &&
		    (!next || s->started_at + HEALTHY_MS < next))
			next = s->started_at + HEALTHY_MS;
	}
	return next;
}

void sup_rescue(const char *path)
{
	if (rescue_pid <= 0)
		rescue_pid = boot_rescue(path);
}

/* BYTES as the config would say it: 64M, 1G, 1536K, or bytes. */
static void fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes, units[u]);
}

/* S's process is gone (or given up on) with status CODE: clean up after
 * it, then restart, settle or leave it as its config and state say. */
static void instance_gone(struct service *s, int code)
{
	/* Its exit can come before its failure report is read: that report,
	 * if any, is in the pipe already. */
	if (s->status.fd >= 0)
		on_status(&s->status, 0);
	if (s->exit_status == -1)
		code = -1;	/* its start failed; already reported */
	s->pid = 0;
	s->exit_status = code;
	s->last_exit = code;
	s->last_oom = 0;
	s->deadline = 0;
	drain_output(s);
	ring_flush(&s->ring);
	if (s->status.fd >= 0)
		loop_close(&s->status);
	if (s->net.fd >= 0)
		loop_close(&s->net);
	if (s->release_w >= 0) {
		close(s->release_w);
		s->release_w = -1;
	}
	net_park(s->netns_fd);
	s->netns_fd = -1;
	fw_stop(s->c);
	if (have_cgroups) {
		struct cg_stats st;

		/* A SIGKILL while the run's cgroup counted an OOM kill is the
		 * OOM killer's (its memory limit, or the machine's), unless
		 * it is a stop's own SIGKILL (a worker OOM-killed earlier). */
		if (code == 128 + SIGKILL && s->stopping != STOP_KILLED &&
		    cg_stats(s->c->name, &st) == 0 && st.oom_kills > s->oom_base) {
			char lim[32] = "no limit";

			if (s->c->memory)
				fmt_size(lim, sizeof(lim), s->c->memory);
			s->last_oom = 1;
			log_msg("%s: killed by the OOM killer (memory %s)", s->c->name, lim);
		}
		/* What it left behind goes with it; the next start makes a
		 * fresh cgroup if this one is not gone by then. */
		if (cg_empty(s->c->name) == 0)
			cg_kill(s->c->name);
		cg_remove(s->c->name);
	}
	/* A reload's stop ends here even if `initctl start` came meanwhile. */
	if (!s->want_up || shutting_down || s->next || s->index < 0) {
		became(s, ST_STOPPED);
		settle_reload(s);
	} else if (code == 0 && s->c->restart != RESTART_ALWAYS) {
		s->fails = 0;
		became(s, ST_EXITED);
	} else if (code == 0) {
		s->fails = 0;
		schedule_restart(s);
	} else {
		if (code > 0 && !s->last_oom)
			log_msg("%s: exited with status %d", s->c->name, code);
		failed(s);
	}
}

void sup_child_exit(pid_t pid, int status)
{
	if (pid == rescue_pid) {
		rescue_pid = 0;
		return;
	}
	FOR_SLOTS(s) {
		if (s->pid == pid) {
			instance_gone(s, exit_code(status));
			return;
		}
	}
	/* (an orphan reparented to us) */
}

void sup_check_ready(int64_t boot_us)
{
	if (ready_printed)
		return;
	for (int i = 0; i < nsvc; i++)
		if (!svc_of[i]->first_done)
			return;
	ready_printed = 1;
	int64_t us = now_us() - boot_us;

	log_msg("ready: %d services in %lld.%lld ms", nsvc, (long long)(us / 1000),
		(long long)(us % 1000 / 100));
}

static int setup_service(struct service *s, struct conf *cf, int index)
{
	struct svc_conf *c = &cf->svc[index];

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->conf = cf;
	s->index = index;
	s->want_up = 1;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->out.fd = s->err.fd = s->ready.fd = s->status.fd = s->net.fd = -1;
	s->syslog.w.fd = -1;
	s->out_w = s->err_w = s->ready_w = s->release_w = s->netns_fd = -1;
	s->last_exit = -1;
	s->state = ST_WAITING;
	s->since = now_ms();
	if (ring_init(&s->ring, cf->log_size, c->name) < 0)
		return -1;
	if (make_pipe(&s->out, &s->out_w, on_stdout) < 0 ||
	    make_pipe(&s->err, &s->err_w, on_stderr) < 0)
		return -1;
	if (c->ready_fd >= 0 && make_pipe(&s->ready, &s->ready_w, ready_fn(c)) < 0)
		return -1;
	became(s, ST_WAITING);
	return 0;
}

/* Someone else changed the firewall's table: made again at once. */
static void on_fw(struct watch *w, uint32_t events)
{
	const char *step;
	int r = fw_changed(&step);

	(void)w, (void)events;
	if (r > 0)
		log_msg("table ip %s changed by someone else: made again", FW_TABLE);
	else if (r < 0)
		log_msg("unable to %s: %m (ip_forward turned off)", step);
}

/* The watch follows the socket fw_load keeps while the table is needed. */
static void fw_watch(void)
{
	static struct watch w = { .fd = -1, .fn = on_fw };

	if (w.fd == fw_monitor())
		return;
	if (w.fd >= 0)
		loop_del(&w);
	w.fd = fw_monitor();
	if (w.fd >= 0 && loop_add(&w) < 0)
		log_msg("unable to watch nf_tables: %m");
}


int sup_load(struct conf *c, int cgroups)
{
	const char *step = "assign addresses";

	cur = c;
	srandom((unsigned)now_us());
	have_cgroups = cgroups;
	if (net_assign(c, NULL, &step) < 0)
		log_msg("unable to %s: %m", step);
	if (net_bridges(c, NULL, &step) < 0)
		log_msg("unable to %s: %m", step);
	if (fw_load(c, &step) < 0)
		log_msg("unable to %s: %m", step);
	fw_watch();
	for (int i = 0; i < c->nsvc; i++) {
		svc_of[i] = &slots[i];
		if (setup_service(&slots[i], c, i) < 0)
			log_msg("%s: unable to set up its pipes: %m", c->svc[i].name);
		nsvc = i + 1;
	}
	resolve();
	return 0;
}

int sup_start(struct service *s)
{
	s->want_up = 1;
	if (is_up(s))
		return 0;
	s->fails = 0;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->deadline = 0;
	became(s, ST_WAITING);
	resolve();
	return 0;
}

static void send_stop(struct service *s)
{
	if (s->stopping || !s->pid)
		return;
	s->stopping = STOP_SIGNALLED;
	signal_service(s, s->c->stop_signal);
	s->deadline = now_ms() + (int64_t)s->c->stop_timeout * 1000;
}

int sup_stop(struct service *s)
{
	s->want_up = 0;
	if (s->pid) {
		send_stop(s);
	} else {
		s->deadline = 0;
		became(s, ST_STOPPED);
	}
	return 0;
}

void sup_shutdown(void)
{
	/* Which services have a dependent still up (after or join): one pass
	 * over the dependencies, not one per service (a long `after` chain
	 * would make every tick of the shutdown quadratic). */
	unsigned char needed[CONF_MAX_SERVICES] = { 0 };

	for (int i = 0; i < nsvc; i++) {
		const struct service *d = svc_of[i];

		if (!d->pid)
			continue;
		if (d->c->join >= 0)
			needed[d->c->join] = 1;
		for (int j = 0; j < d->c->nafter; j++)
			needed[d->c->after[j]] = 1;
	}
	shutting_down = 1;
	FOR_SLOTS(s) {
		s->want_up = 0;
		if (!s->pid) {
			if (s->state != ST_STOPPED && s->state != ST_EXITED && s->state != ST_FAILED)
				became(s, ST_STOPPED);
			s->deadline = 0;
		} else if (!s->stopping && !(s->index >= 0 && needed[s->index])) {
			send_stop(s);
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

/* Free the slot of a removed service (its pipes, its ring). */
static void release(struct service *s)
{
	struct conf *oc = s->conf;

	/* Its namespace may linger (orphaned TCP sockets): its host ends go
	 * down now, before a reload can give its address to another. */
	net_detach(s->c);
	net_forget(s->c->name);
	loop_close(&s->out);
	loop_close(&s->err);
	syslog_close(&s->syslog);
	loop_close(&s->ready);
	loop_close(&s->status);
	loop_close(&s->net);
	if (s->release_w >= 0)
		close(s->release_w);
	if (s->out_w >= 0)
		close(s->out_w);
	if (s->err_w >= 0)
		close(s->err_w);
	if (s->ready_w >= 0)
		close(s->ready_w);
	ring_free(&s->ring);
	memset(s, 0, sizeof(*s));
	let_go(oc);
}

/* A service stopped by a reload: gone if removed, else started anew with
 * its new config. */
static void settle_reload(struct service *s)
{
	if (shutting_down)
		return;
	if (s->index < 0) {
		release(s);
	} else if (s->next) {
		struct conf *oc = s->conf;

		s->c = s->next;
		s->conf = cur;	/* where a reload's next always is */
		s->next = NULL;
		s->want_up = 1;
		s->fails = 0;
		s->backoff_ms = BACKOFF_MIN_MS;
		if (s->c->ready_fd >= 0 && s->ready.fd < 0 &&
		    make_pipe(&s->ready, &s->ready_w, ready_fn(s->c)) < 0)
			log_msg("%s: unable to set up its ready pipe: %m", s->c->name);
		became(s, ST_WAITING);
		let_go(oc);
	}
}

int sup_reload(struct conf *nc, void (*globals)(const struct conf *, const struct conf *))
{
	struct service *map[CONF_MAX_SERVICES];	/* by index in NC */
	const char *step = "assign addresses";
	struct conf *old = cur;
	int free_slots = 0, added = 0;

	if (shutting_down) {
		errno = EBUSY;
		return -1;
	}
	/* What can fail comes first, before anything changes. */
	for (struct service *f = slots; f < slots + SLOTS; f++)
		free_slots += !f->c;
	for (int i = 0; i < nc->nsvc; i++)
		added += !(map[i] = sup_find(nc->svc[i].name));
	if (added > free_slots) {
		errno = EBUSY;	/* removed services still stopping hold the slots */
		return -1;
	}
	if (net_assign(nc, old, &step) < 0 || net_bridges(nc, old, &step) < 0) {
		log_msg("reload: unable to %s: %m", step);
		return -1;
	}
	if (globals)
		globals(old, nc);
	/* Before any older config is let go: the firewall's running services
	 * move to NC's lines (or lose their rules, changed). */
	if (fw_load(nc, &step) < 0)
		log_msg("reload: unable to %s: %m", step);
	fw_watch();
	for (int i = 0; i < nsvc; i++) {
		struct service *s = svc_of[i];

		if (conf_find(nc, s->c->name) < 0) {
			s->index = -1;
			s->next = NULL;
			log_msg("reload: %s removed: stopping it", s->c->name);
			sup_stop(s);
			if (!s->pid)
				release(s);
		}
	}
	/* From here on the services' next settings are in NC; OLD is let
	 * go (if no service stopping still needs it) once all have moved. */
	cur = nc;
	replaced = old;
	for (int i = 0; i < nc->nsvc; i++) {
		struct service *s = map[i];
		struct svc_conf *c = &nc->svc[i];

		if (!s) {
			for (s = slots; s->c; s++)
				;
			if (setup_service(s, nc, i) < 0)
				log_msg("%s: unable to set up its pipes: %m", c->name);
			log_msg("reload: %s added", c->name);
		} else if (s->c->hash != c->hash || s->c->uidmap_host != c->uidmap_host ||
			   !net_same(s->conf, s->c, nc, c)) {
			log_msg("reload: %s changed: restarting it", c->name);
			s->next = c;
			s->index = i;
			if (s->pid) {
				sup_stop(s);
			} else {
				s->want_up = 0;
				settle_reload(s);
			}
		} else {
			struct conf *oc = s->conf;

			s->c = c;
			s->conf = nc;
			s->index = i;
			/* Changed by an earlier reload and still stopping for
			 * it: it starts again with this config. */
			if (s->next)
				s->next = c;
			let_go(oc);
		}
		svc_of[i] = s;
	}
	nsvc = nc->nsvc;
	replaced = NULL;
	let_go(old);
	resolve();
	return 0;
}
