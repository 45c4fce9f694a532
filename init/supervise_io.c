/* supervise_io: a service's pipes: its stdout and stderr into its ring, its
 * `ready fd` line (or a DHCP helper's leases), made when its slot is and
 * closed with it; and which service's ring a /dev/log sender belongs to. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iface.h"
#include "loop.h"
#include "supervise_int.h"
#include "syslog.h"
#include "util.h"

/* PID's parent, from /proc/PID/stat ("pid (comm) state ppid ..."). */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, "stat");
	if (read_str(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return 0;
	return (pid_t)atoi(p + 4);
}

/* The ring of the service whose last run's cgroup (K 0) or whose pid (K
 * 1) is V, or whose name is NAME (K 2); NULL if none. */
static struct ring *ring_where(int k, uint64_t v, const char *name)
{
	FOR_SLOTS(s)
		if (k == 0   ? s->cgroup_id == v
		    : k == 1 ? (uint64_t)s->pid == v
			     : !strcmp(s->c->name, name))
			return &s->ring;
	return NULL;
}

struct ring *sup_ring_of(pid_t pid, uint64_t cgroup)
{
	char path[64], buf[1024], *name, *parent;
	struct ring *r;
	pid_t p = pid;

	if (cgroup && (r = ring_where(0, cgroup, NULL)))
		return r;
	if (pid <= 0)
		return NULL;
	for (int depth = 0; p > 1 && depth < 64; depth++, p = parent_of(p))
		if ((r = ring_where(1, (uint64_t)p, NULL)))
			return r;
	/* One that left its service's process tree: its cgroup,
	 * ".../SUBTREE/NAME" (cgroup.c). */
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, "cgroup");
	if (read_str(path, buf, sizeof(buf)) <= 0 || strncmp(buf, "0::/", 4))
		return NULL;
	buf[strcspn(buf, "\n")] = 0;
	name = strrchr(buf, '/');
	*name = 0;
	parent = strrchr(buf, '/');
	if (!parent || strncmp(parent + 1, "sandinit", 8))
		return NULL;
	return ring_where(2, 0, name + 1);
}

static ssize_t output(struct service *s, struct watch *w, int stream)
{
	static char buf[16384] PAGE_BUF;	/* off the stack (util.h) */
	ssize_t n = read(w->fd, buf, sizeof(buf));

	if (n > 0)
		ring_feed(&s->ring, stream, buf, (size_t)n);
	return n;
}

/* Its exit can be reaped before all it wrote is read: what its pipes hold
 * is its own, read before its partial lines end (or its last line would be
 * cut in two). At most 1 MiB each: a child it left behind may write on. */
void sup_io_drain(struct service *s)
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

static void on_ready(struct watch *w, uint32_t events)
{
	struct service *s = (struct service *)((char *)w - offsetof(struct service, ready));
	char buf[512];
	ssize_t n = read(w->fd, buf, sizeof(buf));

	(void)events;
	/* The line may come before the status pipe's EOF says it execed. */
	if (n > 0 && memchr(buf, '\n', (size_t)n) &&
	    (s->state == ST_RUNNING || s->state == ST_STARTING)) {
		sup_became(s, ST_READY);
	}
}

/* A DHCP helper's leases, one struct dhcp_lease per record of its
 * SOCK_SEQPACKET socket (a short or long record stays one record, which
 * iface rejects alone): iface checks and applies them. */
static void on_lease(struct watch *w, uint32_t events)
{
	struct service *s = (struct service *)((char *)w - offsetof(struct service, ready));
	const struct conf *oc = s->conf;
	char l[sizeof(struct dhcp_lease) + 1];
	ssize_t n;

	(void)events;
	if (s->c->iface < 0 || s->c->iface >= oc->nifaces)
		return;
	/* (at most a batch per wakeup: the loop comes back for the rest) */
	for (int i = 0; i < 16 && (n = recv(w->fd, l, sizeof l, 0)) > 0; i++)
		iface_lease(oc->ifaces[s->c->iface].name, l, (size_t)n);
}

/* The ready pipe's reader: readiness lines, or a DHCP helper's leases. */
static void (*ready_fn(const struct svc_conf *c))(struct watch *, uint32_t)
{
	return c->iface >= 0 ? on_lease : on_ready;
}

/* A pipe, or for a DHCP helper's leases (ON_LEASE) a SOCK_SEQPACKET
 * pair, which keeps each record whole whatever the helper writes. */
static int make_pipe(struct watch *r, int *w, void (*fn)(struct watch *, uint32_t))
{
	int fds[2];

	if (fn == on_lease ? socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0
			   : pipe2(fds, O_CLOEXEC) < 0)
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

int sup_io_open(struct service *s)
{
	if (ring_init(&s->ring, s->conf->log_size, s->c->name) < 0)
		return -1;
	if (make_pipe(&s->out, &s->out_w, on_stdout) < 0 ||
	    make_pipe(&s->err, &s->err_w, on_stderr) < 0)
		return -1;
	return sup_io_ready(s);
}

int sup_io_ready(struct service *s)
{
	if (s->c->ready_fd < 0 || s->ready.fd >= 0)
		return 0;
	return make_pipe(&s->ready, &s->ready_w, ready_fn(s->c));
}

void sup_io_close(struct service *s)
{
	loop_close(&s->out);
	loop_close(&s->err);
	syslog_close(&s->syslog);
	loop_close(&s->ready);
	loop_close(&s->status);
	loop_close(&s->net);
	close_fail(s->sync_w);
	close_fail(s->out_w);
	close_fail(s->err_w);
	close_fail(s->ready_w);
	ring_free(&s->ring);
}
