/* supervise_run: one run of a service: its start (the cgroup, firewall and
 * sandbox it gets, the child's reports as it sets itself up), its end (what
 * it leaves behind cleaned up) and what follows: a restart after a backoff,
 * giving up, or the rescue program. Also initctl exec into a running one. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "cgroup.h"
#include "device.h"
#include "firewall.h"
#include "iface.h"
#include "loop.h"
#include "net.h"
#include "spawn.h"
#include "supervise_int.h"
#include "syslog.h"
#include "util.h"
#include "vt.h"

static pid_t rescue_pid;

static void start_failed(struct service *s, const char *step);

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
		errno = f.err;
		start_failed(s, f.step);
		return;
	}
	if (s->state == ST_STARTING)
		sup_became(s, ST_RUNNING);
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
			r = spawn_link(s->conf, s->c, s->sync_w, fds[0], fds[1], &step);
		}
		/* -2: the child is gone (it makes its mounts meanwhile); its
		 * status report or its exit says why. */
		if (r == -1)
			start_failed(s, step);
		if (r < 0)
			kill(s->pid, SIGKILL);
	} else {
		close_fail(fds[0]);
	}
	close_fail(fds[1]);
	/* (EOF: the child died first; its exit says why.) */
}

static void schedule_restart(struct service *s)
{
	int64_t d = s->backoff_ms;
	uint32_t x = sup.jitter;

	/* Jitter of ±10% keeps crash-looping services from moving in step
	 * (xorshift32: musl's random() is 0.5 KB and a lock). */
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	sup.jitter = x;
	d += (int64_t)(x % (uint64_t)(d / 5 + 1)) - d / 10;
	s->deadline = now_ms() + d;
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
	sup_became(s, ST_BACKOFF);
}

/* A failure (of a start, or an exit): restart, or give up. */
static void failed(struct service *s)
{
	s->fails++;
	if (s->c->critical && s->fails >= CRITICAL_FAILS) {
		log_msg("%s: failed %d times in a row: starting %s", s->c->name, s->fails,
			sup.cur->rescue);
		sup_became(s, ST_FAILED);
		sup_rescue(sup.cur->rescue);
		return;
	}
	if (s->want_up && !sup.shutting_down && s->c->restart != RESTART_NEVER)
		schedule_restart(s);
	else
		sup_became(s, s->want_up ? ST_FAILED : ST_STOPPED);
}

/* S's VT, if its run had one, in text mode again, whatever S left. */
static void tty_end(struct service *s)
{
	if (s->vt && vt_end(s->c->tty) < 0)
		log_msg("%s: unable to return %s to text mode: %m", s->c->name, s->c->tty);
	s->vt = 0;
}

/* A start that failed (errno says why): before the child existed, or
 * reported by it (it exits right after, and sup_child_exit then counts the
 * failure). */
static void start_failed(struct service *s, const char *step)
{
	log_msg("%s: unable to %s: %m", s->c->name, step);
	if (s->pid) {
		s->exit_status = -1;
	} else {
		fw_stop(s->c);
		dev_revoke(s->c->name);
		tty_end(s);
		failed(s);
	}
}

void sup_run(struct service *s)
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
	s->pod_down = 0;
	s->deadline = 0;
	sup_became(s, ST_STARTING);
	if (c->join >= 0) {
		struct service *pod = sup.svc_of[c->join];

		if (!sup_is_up(pod) || !pod->pid) {
			errno = ESRCH;
			start_failed(s, "join its pod");	/* (ESRCH: not running) */
			return;
		}
		io.join_pid = pod->pid;
	}
	/* A socket is bound once: each start's sandbox gets a fresh one. */
	if (c->syslog && c->namespaces & NS_MOUNT) {
		io.syslog_fd = syslog_open(&s->syslog, &s->ring);
		if (io.syslog_fd < 0)
			log_msg("%s: unable to %s: %m", c->name, "open its /dev/log");
	}
	/* Its published ports exist from before its first packet. */
	if (fw_start(c, &step) < 0) {
		start_failed(s, step);
		return;
	}
	/* Its `device` nodes, for its identity on the host. */
	unsigned first, count;

	sup_host_ids(s, &first, &count);
	io.root_id = first;
	io.id_count = count;
	if (c->ndevices) {
		if (dev_grant(c, count > 1 ? first + c->uid : first, &step) < 0) {
			start_failed(s, step);
			return;
		}
	}
	if (sup.have_cgroups) {
		/* always a fresh cgroup (cg_create): its oom_kill count starts at 0 */
		io.cgroup_fd = cg_create(c, &step);
		if (io.cgroup_fd < 0) {
			start_failed(s, step);
			return;
		}
		struct stat st;

		s->cgroup_id = fstat(io.cgroup_fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
	} else if (c->memory || c->pids || c->cpu) {
		errno = EOPNOTSUPP;
		start_failed(s, "set limits: no cgroup2 here");
		return;
	}
	child.vt = 0;
	if (spawn_service(c, &io, &child, &step) < 0) {
		s->vt = child.vt;
		close_fail(io.cgroup_fd);	/* (errno kept) */
		start_failed(s, step);
		return;
	}
	close_fail(io.cgroup_fd);
	s->pid = child.pid;
	s->vt = child.vt;
	s->started_at = now_ms();
	s->sync_w = child.sync_fd;
	if (child.net_fd >= 0) {
		s->net.fd = child.net_fd;
		s->net.fn = on_net;
		if (loop_add(&s->net) < 0) {
			s->net.fd = close_fail(child.net_fd);
			close(s->sync_w);	/* the child sees EOF and exits */
			s->sync_w = -1;
		}
	}
	s->status.fd = child.status_fd;
	s->status.fn = on_status;
	if (loop_add(&s->status) < 0) {
		s->status.fd = close_fail(child.status_fd);
		sup_became(s, ST_RUNNING);
	}
}

void sup_rescue(const char *path)
{
	if (rescue_pid <= 0)
		rescue_pid = boot_rescue(path);
}

/* BYTES as the config would say it: 64M, 1G, 1536K, or bytes. */
__attribute__((noinline)) static void fmt_size(char *buf, size_t len, uint64_t bytes)
{
	int u = 0;	/* its unit's letter in " KMGT" (0: none) */

	while (u < 4 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu%.*s", (unsigned long long)bytes, u > 0, " KMGT" + u);
}

/* S's run ended: the runs of the services that joined it (its pod) are in
 * its old namespaces, which its next run does not have: they stop, and
 * start again once it runs again (they wait on it). Not those stopping for
 * good or for a reload's restart, nor any in a shutdown (its order). */
static void stop_members(const struct service *s)
{
	if (sup.shutting_down || s->index < 0)
		return;
	for (int i = 0; i < sup.nsvc; i++) {
		struct service *m = sup.svc_of[i];

		if (!m->pid || !m->want_up || m->next || m->conf != sup.cur ||
		    m->c->join < 0 || sup.svc_of[m->c->join] != s)
			continue;
		log_msg("%s: its pod %s ended: stopping it", m->c->name, s->c->name);
		m->pod_down = 1;
		sup_send_stop(m);
	}
}

/* S's process is gone (or given up on) with wait status STATUS, its
 * service's (spawn_exit_status): clean up after it, then restart, settle or
 * leave it as its config and state say. */
void sup_run_ended(struct service *s, int status)
{
	int code = exit_code(status), sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

	/* Its exit can come before its failure report is read: that report,
	 * if any, is in the pipe already. */
	if (s->status.fd >= 0)
		on_status(&s->status, 0);
	if (s->exit_status == -1)
		code = -1, sig = 0;	/* its start failed; already reported */
	s->pid = 0;
	s->exit_status = code;
	s->last_exit = code;
	s->last_sig = sig;
	s->last_oom = 0;
	s->deadline = 0;
	sup_io_drain(s);
	ring_flush(&s->ring);
	loop_close(&s->status);
	loop_close(&s->net);
	close_fail(s->sync_w);
	s->sync_w = -1;
	net_park(s->netns_fd);
	s->netns_fd = -1;
	fw_stop(s->c);
	dev_revoke(s->c->name);
	tty_end(s);
	if (sup.have_cgroups) {
		struct cg_stats st;

		/* A SIGKILL while the run's cgroup counted an OOM kill is the
		 * OOM killer's (its memory limit, or the machine's), unless
		 * it is a stop's own SIGKILL (a worker OOM-killed earlier). */
		if (code == 128 + SIGKILL && s->stopping != STOP_KILLED &&
		    cg_stats(s->c->name, &st) == 0 && st.oom_kills > 0) {
			char size[32];

			if (s->c->memory)
				fmt_size(size, sizeof(size), s->c->memory);
			s->last_oom = 1;
			log_msg("%s: killed by the OOM killer (memory %s)", s->c->name,
				s->c->memory ? size : "no limit");
		}
		/* What it left behind goes with it; the next start makes a
		 * fresh cgroup if this one is not gone by then. */
		if (cg_empty(s->c->name) == 0)
			cg_kill(s->c->name);
		cg_remove(s->c->name);
	}
	/* A run of HEALTHY_MS or more starts the backoff over, whether or not
	 * the loop woke while it ran (sup_tick). */
	if (s->started_at && now_ms() - s->started_at >= HEALTHY_MS)
		sup_fresh(s);
	stop_members(s);
	/* A reload's stop ends here even if `initctl start` came meanwhile. */
	if (!s->want_up || sup.shutting_down || s->next || s->index < 0) {
		sup_became(s, ST_STOPPED);
		sup_settle_reload(s);
	} else if (s->pod_down) {
		sup_became(s, ST_WAITING);	/* for its pod's next run */
	} else if (s->stopping) {
		/* Stopped yet wanted up (a restart, a start during a stop):
		 * its next run at once, as a start would. */
		sup_fresh(s);
		sup_became(s, ST_WAITING);
	} else if (code == 0) {
		s->fails = 0;
		if (s->c->restart == RESTART_ALWAYS)
			schedule_restart(s);
		else
			sup_became(s, ST_EXITED);
	} else {
		char how[32];

		if ((sig || code > 0) && !s->last_oom)
			log_msg("%s: %s %s", s->c->name, sig ? "killed by" : "exited with",
				sup_how(how, sizeof(how), sig, code));
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
			sup_run_ended(s, spawn_exit_status(s->c, status, s->sync_w));
			return;
		}
	}
	/* (an orphan reparented to us) */
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
