/* ctl: the control socket server that answers initctl (SPEC §5). */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#ifdef SANDINIT_TEST_CRASH
#include <stdint.h>
#include <sys/mman.h>
#endif
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf_value.h"
#include "log.h"
#include "logview.h"
#include "loop.h"
#include "supervise.h"
#include "util.h"

#define MAX_CONNS 128
/* The clients that keep their slot for as long as something lasts (`log
 * -f`, exec, the wait of start, stop and restart): at most this many
 * together, so the rest of the slots are left for the operator's status or
 * poweroff (room_for). */
#define MAX_LONG (MAX_CONNS - 32)
#define REQ_FIRST (4 + 256)	/* the header and most requests whole */
#define REQUEST_TIMEOUT_MS 5000
/* A start (restart) answers once the run has lasted this long, so that one
 * that fails at once (a bad config, a missing file) answers 1, saying so,
 * rather than 0 for the instant between its execve and its exit. */
#define START_SETTLE_MS 250
#define REPLY_MAX (80 << 20)	/* above the largest log-size */

/* `log` replies go out a chunk at a time, read from the ring as the
 * client takes them: never a copy of the ring (SPEC §5). A pass of the loop
 * sends at most LOG_BURST chunks to one client before the others. */
#define LOG_CHUNK 8192
#define LOG_BURST 32

enum wait_for { WAIT_NONE, WAIT_UP, WAIT_DOWN, WAIT_EXEC, WAIT_LOG };

struct conn {
	struct watch w;
	char *req;		/* CAP bytes (REQ_FIRST, grown to the header's
				 * length), only while connected: the table
				 * itself stays a few KiB of touched memory */
	size_t have, cap;
	int fds[3];		/* received with the request (exec) */
	int nfds;
	char *out;		/* reply not yet sent */
	size_t outlen, outoff;
	int done;		/* close once the reply is out */
	enum wait_for wait;
	struct service *svc;	/* waited for; its name, should a reload */
	char name[CONF_NAME_MAX + 1];	/* remove it (and reuse its slot) */
	pid_t exec_pid;
	int64_t deadline;
	int64_t settle;		/* start: its answer once the run lasts till then */
	struct logview *lv;	/* `log`: what is left to send */
	struct watch kw;	/* `log -f` with the kernel's: its reader */
	int more;		/* its burst ended with lines left */
	uint64_t follower;	/* `log -f`: its place in line (1 first), 0 not one */
};

/* Slots from nconns on were never used: left untouched, they cost no
 * resident memory. */
static struct conn conns[MAX_CONNS] PAGE_BUF;
static int nconns;
static struct watch listen_w;
static int listen_paused;
static int64_t listen_retry;	/* ms: accept failed (EMFILE...); try again then */
static const struct ctl_hooks *hooks;
static uint64_t followers;	/* ever */

/* C's log view is done: its reader of the kernel's messages out of the
 * loop (the view closes it). */
static void lv_end(struct conn *c)
{
	if (c->kw.fn)
		loop_del(&c->kw);
	c->kw = (struct watch){ .fd = -1 };
	logview_close(c->lv);
	c->lv = NULL;
}

static void conn_close(struct conn *c)
{
	/* initctl went away before its command ended: hung up, as a
	 * terminal's closing would (spawn_exec.c's exec_wait). */
	if (c->wait == WAIT_EXEC && c->exec_pid > 0)
		kill(c->exec_pid, SIGUSR1);
	loop_close(&c->w);
	for (int i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	free(c->out);
	free(c->req);
	if (c->lv)
		lv_end(c);
	memset(c, 0, sizeof(*c));
	c->w.fd = -1;
	if (listen_paused && loop_add(&listen_w) == 0)
		listen_paused = 0;
}

static void frame(struct conn *c, char type, const void *data, size_t len)
{
	char *nb;

	if (c->outlen + len + 5 > REPLY_MAX)
		return;
	nb = realloc(c->out, c->outlen + len + 5);
	if (!nb)
		return;
	c->out = nb;
	nb[c->outlen] = type;
	uint32_t l = (uint32_t)len;

	memcpy(nb + c->outlen + 1, &l, 4);
	memcpy(nb + c->outlen + 5, data, len);
	c->outlen += len + 5;
}

static void flush(struct conn *c);

/* End the reply with exit status CODE. */
static void finish(struct conn *c, int code)
{
	char b = (char)code;

	frame(c, 'x', &b, 1);
	c->done = 1;
	c->wait = WAIT_NONE;
	flush(c);
}

/* A line of the reply on stdout (CODE OUT), or the error on stderr that
 * ends it with exit status CODE, "" before it. FMT without the
 * line's '\n'. */
#define OUT (-1)
static void say(struct conn *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* (no vector registers saved for va_arg: fmt.c reads no floating point) */
__attribute__((target("general-regs-only")))
static void say(struct conn *c, int code, const char *fmt, ...)
{
	char buf[4096], *p = buf + 9;
	va_list ap;
	int n;

	memcpy(buf, "initctl: ", 9);
	va_start(ap, fmt);
	n = vsnprintf(p, sizeof(buf) - 10, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(buf) - 11)
		n = sizeof(buf) - 11;
	p[n++] = '\n';
	if (code != OUT) {
		p = buf;
		n += 9;
	}
	frame(c, code == OUT ? '1' : '2', p, (size_t)n);
	if (code != OUT)
		finish(c, code);
}

static void flush(struct conn *c)
{
	size_t before = c->outoff;

	while (c->outoff < c->outlen) {
		ssize_t n = send(c->w.fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				break;
			/* EPOLLOUT brings us back; a client that stops
			 * reading loses its reply (and slot) after the
			 * request timeout without progress. */
			if (c->outoff > before || !c->deadline)
				c->deadline = now_ms() + REQUEST_TIMEOUT_MS;
			return;
		}
		c->outoff += (size_t)n;
	}
	if (c->done || c->outoff < c->outlen)
		conn_close(c);
}

/* Send C's log view a chunk at a time until the client's socket is full
 * (EPOLLOUT brings us back), the view has nothing more for now (a follower
 * waits for ctl_recheck) or the burst is spent (c->more). */
static void pump(struct conn *c)
{
	for (int burst = 0; c->lv && c->w.fd >= 0; burst++) {
		uint32_t l;
		size_t n;
		int done;

		if (c->outoff < c->outlen)
			return;
		if (burst == LOG_BURST) {
			c->more = 1;
			return;
		}
		c->more = 0;
		c->deadline = 0;
		if (!c->out) {
			c->out = malloc(LOG_CHUNK);
			if (!c->out) {
				conn_close(c);
				return;
			}
		}
		c->outlen = c->outoff = 0;
		/* Never silently: where the ring dropped lines this reader
		 * had not taken, a line on stderr says so (SPEC §5). */
		n = logview_lost(c->lv, c->out + 5, LOG_CHUNK - 5);
		c->out[0] = n ? '2' : '1';
		done = 0;
		if (!n)
			n = logview_read(c->lv, c->out + 5, LOG_CHUNK - 5, &done);
		if (done > 0)
			lv_end(c);
		if (n) {
			l = (uint32_t)n;
			memcpy(c->out + 1, &l, 4);
			c->outlen = 5 + n;
		}
		if (done > 0) {
			finish(c, 0);
			return;
		}
		/* The view's scan cap: the loop goes on, then c->more. */
		if (done < 0)
			burst = LOG_BURST - 1;
		else if (!n)
			return;
		if (n)
			flush(c);
	}
}

/* What status and status NAME both say of S: I, its pid ("-" if none),
 * its addresses and published ports ("?" if unknown). */
struct said {
	struct sup_info i;
	char pid[16], addrs[256], pub[256];
};

static void said_of(const struct service *s, struct said *d)
{
	sup_info(s, &d->i);
	snprintf(d->pid, sizeof(d->pid), d->i.pid ? "%d" : "-", (int)d->i.pid);
	if (sup_addresses(s, d->addrs, sizeof(d->addrs)) < 0)
		strcpy(d->addrs, "?");
	if (sup_published(s, d->pub, sizeof(d->pub)) < 0)
		strcpy(d->pub, "?");
}

static void status_line(struct conn *c, const struct service *s)
{
	struct said d;

	said_of(s, &d);
	say(c, OUT, "%s %s %s %d %s %s", d.i.name, sup_state_name(d.i.state), d.pid,
	    d.i.restarts, d.addrs, d.pub);
}

/* N cgroup figures from V, blank separated, into BUF (24 bytes each):
 * each its number, "max", or "-" when unknown; "-" alone when the first
 * and the last are. */
static const char *figures(char *buf, const int64_t *v, int n)
{
	char *p = buf;

	if (v[0] < 0 && v[n - 1] < 0)
		return "-";
	for (int i = 0; i < n; i++) {
		if (i)
			*p++ = ' ';
		if (v[i] == CG_UNLIMITED)
			p = stpcpy(p, "max");
		else if (v[i] < 0)
			p = stpcpy(p, "-");
		else
			p += sprintf(p, "%lld", (long long)v[i]);
	}
	return buf;
}

/* I's last-exit as SPEC §5 spells it, in BUF. */
static const char *last_exit(char *buf, size_t len, const struct sup_info *i)
{
	if (i->oom)
		return "oom-kill";
	if (i->last_sig || i->last_exit >= 0)
		return sup_how(buf, len, i->last_sig, i->last_exit);
	return "-";
}

/* `status NAME`: SPEC §5's key: value lines. */
__attribute__((noinline)) static void status_detail(struct conn *c, const struct service *s)
{
	char ex[32], ns[256], path[256], mbuf[72], pbuf[48], cbuf[32];
	const char *cpu = "-";
	struct cg_stats cg;
	struct said d;
	char *p = ns;
	/* (memory and pids: three and two figures in a row) */
	_Static_assert(offsetof(struct cg_stats, mem_max) == 2 * sizeof(int64_t) &&
			       offsetof(struct cg_stats, pids_current) == 3 * sizeof(int64_t) &&
			       offsetof(struct cg_stats, pids_max) == 4 * sizeof(int64_t),
		       "cg_stats' figures in a row");
	const int64_t *fig = (const int64_t *)&cg;

	memset(&cg, 0xff, sizeof(cg));	/* every figure -1: unknown */
	said_of(s, &d);
	if (sup_cgroup(s, &cg, path, sizeof(path)) < 0)
		strcpy(path, "-");
	if (cg.cpu_usec >= 0) {
		cbuf[log_secs(cbuf, cg.cpu_usec, 0)] = 0;
		cpu = cbuf;
	}
	/* (the eight names, of 6 letters at most, fit) */
	for (unsigned bit = 1; bit; bit <<= 1) {
		const char *name = d.i.namespaces & bit ? conf_ns_name(bit) : NULL;

		if (name && p > ns)
			*p++ = ' ';
		if (name)
			p = stpcpy(p, name);
	}
	say(c, OUT,
	    "state: %s\npid: %s\nsince: %lld\nrestarts: %d\nlast-exit: %s\naddresses: %s\n"
	    "published: %s\nmemory: %s\npids: %s\ncpu: %s\ncgroup: %s\nnamespaces: %s\n"
	    "uids: %u-%u\nwaiting-for: %s",
	    sup_state_name(d.i.state), d.pid, (long long)(d.i.since_ms / 1000), d.i.restarts,
	    last_exit(ex, sizeof(ex), &d.i), d.addrs, d.pub, figures(mbuf, fig, 3),
	    figures(pbuf, fig + 3, 2), cpu, path,
	    p > ns ? ns : "none", d.i.uid_first, d.i.uid_first + d.i.uid_count - 1,
	    d.i.waiting_for ? d.i.waiting_for : "-");
}

/* Is there room for C to become a long-lived client (a follower if
 * FOLLOWER)? Past MAX_LONG a follower ends the oldest one; else C is
 * refused: -1, answered here. */
static int room_for(struct conn *c, int follower)
{
	struct conn *oldest = NULL;
	int n = 0;

	for (int i = 0; i < nconns; i++) {
		struct conn *f = &conns[i];

		if (f == c || f->w.fd < 0)
			continue;
		if (f->lv && f->follower && (!oldest || f->follower < oldest->follower))
			oldest = f;
		n += (f->lv && f->follower) || f->wait == WAIT_EXEC || f->wait == WAIT_UP ||
		     f->wait == WAIT_DOWN;
	}
	if (n < MAX_LONG)
		return 0;
	if (follower && oldest) {
		lv_end(oldest);
		oldest->more = 0;
		say(oldest, 1, "log: a newer follower took this one's place");
		return 0;
	}
	if (c->lv)
		lv_end(c);
	say(c, 1, "busy: %d long-running clients at most", MAX_LONG);
	return -1;
}

/* `exec -t ROWS:COLS NAME CMD...` (initctl with a terminal): the rows and
 * columns of the pty to make. -1 if malformed. */
__attribute__((noinline)) static int parse_size(const char *s, struct winsize *ws)
{
	const char *end;
	uint64_t r, c;

	if (conf_digits(s, &end, 0xffff, &r) < 0 || *end != ':' ||
	    conf_digits(end + 1, &end, 0xffff, &c) < 0 || *end)
		return -1;
	*ws = (struct winsize){ .ws_row = (unsigned short)r, .ws_col = (unsigned short)c };
	return 0;
}

/* ARGV: CMD [ARG...]; with PTY, the one descriptor passed is initctl's end
 * of a socket that gets the pty's master (spawn_exec_in). */
static void cmd_exec(struct conn *c, struct service *s, char **argv,
		     const struct winsize *pty)
{
	const char *step = "exec";
	int fds[3] = { c->fds[0], c->fds[0], c->fds[0] };
	pid_t pid;

	if (c->nfds != (pty ? 1 : 3)) {
		say(c, 2, "exec: %d descriptors passed, %d needed", c->nfds, pty ? 1 : 3);
		return;
	}
	if (room_for(c, 0) < 0)
		return;		/* (conn_close closes c->fds) */
	if (!pty)
		memcpy(fds, c->fds, sizeof(fds));
	pid = sup_exec(s, fds, pty, argv, &step);
	/* The command has them (or failed): PID 1 keeps none. */
	for (int i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	c->nfds = 0;
	if (pid < 0 && errno == ESRCH) {
		say(c, 1, "%s is not running", sup_name(s));
		return;
	}
	if (pid < 0) {
		say(c, 1, "unable to %s: %m", step);
		return;
	}
	c->exec_pid = pid;
	c->wait = WAIT_EXEC;
	c->deadline = 0;
}

int ctl_parse(char *buf, size_t len, char **argv, int max)
{
	int argc = 0;
	char *p = buf, *end = buf + len;

	if (max < 1)
		return -1;
	while (p < end && argc < max - 1) {
		char *z = memchr(p, 0, (size_t)(end - p));

		if (!z)
			break;
		argv[argc++] = p;
		p = z + 1;
	}
	argv[argc] = NULL;
	return argc == 0 || p != end ? -1 : argc;
}

/* Answer C once S reaches what W waits for (ctl_recheck), or give up after
 * S's stop-timeout plus WAIT_SLACK_MS (ctl_tick). A start gives up when S
 * waits on a dependency that never gets ready (tests/ctl.bats). A stop does
 * not, from anything S does: supervise kills S's cgroup at its stop-timeout
 * and, should a process be stuck in the kernel, counts S as stopped
 * KILLED_WAIT_MS (10 s) later, well within the 30 s of slack (S's pid is
 * gone then: sup_reached). What is left to stop's give-up is a start by
 * someone else that makes a new process at once (a reload after the stop
 * that restarts S): a backstop, saying S's state. */
#define WAIT_SLACK_MS 30000
static void wait_for(struct conn *c, struct service *s, enum wait_for w)
{
	struct sup_info i;

	sup_info(s, &i);
	c->svc = s;
	strcpy(c->name, i.name);	/* (a name has CONF_NAME_MAX bytes at most) */
	c->wait = w;
	c->deadline = now_ms() + (int64_t)i.stop_timeout * 1000 + WAIT_SLACK_MS;
}

/* C's wait is over: say what it was waiting on. */
static void give_up(struct conn *c)
{
	const char *name = c->svc ? sup_name(c->svc) : NULL;
	struct sup_info i;

	if (!name || strcmp(name, c->name)) {
		say(c, 1, "%s was removed by a reload", c->name);
	} else {
		sup_info(c->svc, &i);
		if (c->wait != WAIT_DOWN && i.waiting_for)
			say(c, 1, "gave up: %s is waiting for %s", name, i.waiting_for);
		else
			say(c, 1, "gave up waiting for %s to %s (%s)", name,
			    c->wait == WAIT_DOWN ? "stop" : "start", sup_state_name(i.state));
	}
}

/* The commands, each with the words it takes (its own included): the
 * power ones first, in the order of enum boot_action; the four after them
 * name a service. */
enum { C_REBOOT, C_HALT, C_POWEROFF, C_START, C_STOP, C_RESTART, C_EXEC, C_STATUS, C_LOG,
       C_RELOAD, C_CRASH };
_Static_assert(C_REBOOT == (int)BOOT_REBOOT && C_HALT == (int)BOOT_HALT &&
		       C_POWEROFF == (int)BOOT_POWEROFF,
	       "a power command is its boot_action");
static const struct {
#ifdef SANDINIT_TEST_CRASH
	char name[11];
#else
	char name[9];	/* (12 bytes an entry) */
#endif
	unsigned char min;
	unsigned short max;
} cmds[] = {
	[C_REBOOT] = { "reboot", 1, 1 },
	[C_HALT] = { "halt", 1, 1 },
	[C_POWEROFF] = { "poweroff", 1, 1 },
	[C_START] = { "start", 2, 2 },
	[C_STOP] = { "stop", 2, 2 },
	[C_RESTART] = { "restart", 2, 2 },
	[C_EXEC] = { "exec", 3, CTL_MAX_ARGS + 2 },
	[C_STATUS] = { "status", 1, 2 },
	[C_LOG] = { "log", 1, CTL_MAX_ARGS + 2 },
	[C_RELOAD] = { "reload", 1, 1 },
#ifdef SANDINIT_TEST_CRASH
	[C_CRASH] = { "test-crash", 2, 2 },
#endif
};

/* CMD's index in cmds, or -1. */
static int cmd_of(const char *cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmd, cmds[i].name))
			return (int)i;
	return -1;
}

int ctl_known(const char *cmd, int argc)
{
	int k = cmd_of(cmd);

	return k >= 0 && argc >= cmds[k].min && argc <= cmds[k].max;
}

#ifdef SANDINIT_TEST_CRASH
/* The test build's `initctl test-crash HOW` (tests/crash.bats): PID 1
 * faults as a bug would. Not in the release binary. */
static void test_crash(const char *how)
{
	volatile int zero = 0, seven = 7;

	if (!strcmp(how, "segv")) {
		*(volatile int *)(uintptr_t)zero = 1;
	} else if (!strcmp(how, "bus")) {
		/* A page of a file past its end. */
		int fd = memfd_create("crash", 0);
		char *p = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;

		if (p != MAP_FAILED)
			zero = *(volatile char *)p;
	} else if (!strcmp(how, "ill")) {
		__builtin_trap();
	} else if (!strcmp(how, "fpe")) {
		zero = seven / zero;	/* (1 / x needs no division) */
	} else if (!strcmp(how, "abort")) {
		abort();
	}
}
#endif

/* `exec -t ROWS:COLS ...`: the window size into *WS (*PTY = WS) and the
 * two words out of ARGV. -1 if malformed. */
static int exec_pty(char **argv, int *argc, struct winsize *ws, struct winsize **pty)
{
	if (*argc < 2 || strcmp(argv[0], "exec") || strcmp(argv[1], "-t"))
		return 0;
	if (*argc < 3 || parse_size(argv[2], ws) < 0)
		return -1;
	*pty = ws;
	*argc -= 2;
	memmove(argv + 1, argv + 3, (size_t)*argc * sizeof(*argv));
	return 0;
}

static void on_kernel(struct watch *w, uint32_t events)
{
	struct conn *c = (struct conn *)((char *)w - offsetof(struct conn, kw));

	(void)events;
	pump(c);
}

/* `log ...`: its lines streamed to C (pump). */
static void cmd_log(struct conn *c, char **argv, int argc)
{
	char err[256];
	int code;

	c->lv = logview_open(argv + 1, argc - 1, err, sizeof(err), &code);
	if (!c->lv) {
		say(c, code, "%s", err);
		return;
	}
	if (logview_follows(c->lv)) {
		if (room_for(c, 1) < 0)
			return;
		c->follower = ++followers;
	}
	c->wait = WAIT_LOG;
	/* New kernel records wake the loop: watched before the first read,
	 * so none comes between that read and the watch unseen. */
	if (logview_follows(c->lv) && logview_kernel_fd(c->lv) >= 0) {
		c->kw.fd = logview_kernel_fd(c->lv);
		c->kw.fn = on_kernel;
		if (loop_add_events(&c->kw, EPOLLIN | EPOLLET) < 0) {
			c->kw.fn = NULL;
			lv_end(c);
			say(c, 1, "%s: unable to %s: %m", "log", "follow /dev/kmsg");
			return;
		}
	}
	pump(c);
}

static void cmd_reload(struct conn *c)
{
	char err[4096];
	int r;

	err[0] = 0;	/* (not the whole buffer) */
	r = hooks->reload(err, sizeof(err));

	/* (the config's own messages, as they are) */
	if (r < 0 && err[0])
		frame(c, '2', err, strlen(err));
	finish(c, r < 0);
}

static void request(struct conn *c)
{
	char *argv[CTL_MAX_ARGS + 3];	/* and exec -t ROWS:COLS */
	int argc = ctl_parse(c->req + 4, c->have - 4, argv, (int)ARRAY_SIZE(argv));
	struct winsize ws, *pty = NULL;
	struct service *s;
	const char *cmd;
	int k, named;

	if (argc < 0 || exec_pty(argv, &argc, &ws, &pty) < 0) {
		say(c, 2, "malformed request");
		return;
	}
	cmd = argv[0];
	k = cmd_of(cmd);
	s = argc > 1 ? sup_find(argv[1]) : NULL;
	named = k >= C_START && k <= C_EXEC;
	/* (a missing service name is wrong arguments too) */
	if (k == C_LOG) {
		cmd_log(c, argv, argc);
	} else if (!ctl_known(cmd, argc)) {
		say(c, 2, "unknown command or wrong arguments: %s", cmd);
	} else if ((named || (k == C_STATUS && argc > 1)) && !s) {
		say(c, 1, "no service '%s'", argv[1]);
	} else if (k == C_STATUS) {
		if (s)
			status_detail(c, s);
		else
			for (int i = 0; i < sup_count(); i++)
				status_line(c, sup_at(i));
		finish(c, 0);
	} else if (k == C_EXEC) {
		cmd_exec(c, s, argv + 2, pty);
	} else if (named) {
		if (room_for(c, 0) < 0)
			return;		/* (refused: not done) */
		(k == C_START ? sup_start : k == C_STOP ? sup_stop : sup_restart)(s);
		wait_for(c, s, k == C_STOP ? WAIT_DOWN : WAIT_UP);
	} else if (k == C_RELOAD) {
		cmd_reload(c);
#ifdef SANDINIT_TEST_CRASH
	} else if (k == C_CRASH) {
		test_crash(argv[1]);
		say(c, 2, "no such fault: %s", argv[1]);
#endif
	} else {
		hooks->power((enum boot_action)k);
		finish(c, 0);
	}
}

/* While its command runs, initctl sends a byte for each HUP, INT, QUIT or
 * TERM it gets, passed on to the command (exec_wait); its end of the
 * connection closing hangs the command up (conn_close). Read until EAGAIN:
 * the connection is edge-triggered, so what is left (its end too) would
 * bring no wakeup. */
static void exec_input(struct conn *c)
{
	c->more = 0;
	for (int burst = 0;; burst++) {
		unsigned char b[256];
		ssize_t n;

		/* A client that keeps sending gets a burst a turn of the
		 * loop, not the loop (the connection is edge-triggered: the
		 * rest is read through c->more, ctl_recheck). */
		if (burst == 8) {
			c->more = 1;
			return;
		}
		n = recv(c->w.fd, b, sizeof(b), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		for (ssize_t i = 0; i < n; i++)
			if (b[i] == SIGHUP || b[i] == SIGINT || b[i] == SIGQUIT || b[i] == SIGTERM)
				kill(c->exec_pid, b[i]);
	}
}

static void on_conn(struct watch *w, uint32_t events)
{
	struct conn *c = (struct conn *)w;

	if (events & EPOLLOUT) {
		flush(c);
		if (c->w.fd < 0)
			return;
		pump(c);
		if (c->w.fd < 0)
			return;
	}
	if (c->wait == WAIT_EXEC) {
		exec_input(c);
		return;
	}
	/* A client that went away while waiting for a state frees its slot. */
	if (c->wait && (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP))) {
		conn_close(c);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || c->done || c->wait || !c->req)
		return;
	for (;;) {
		int fds[3];
		ssize_t n;
		uint32_t want = 0;

		/* No further than the request: what follows is exec's
		 * (exec_input). */
		if (c->have >= 4)
			memcpy(&want, c->req, 4);
		n = recv_fds(c->w.fd, c->req + c->have, (c->have < 4 ? 4 : 4 + want) - c->have,
			     fds, 3);
		if (n < 0 && errno == EAGAIN)
			return;
		for (int i = 0; i < 3 && fds[i] >= 0; i++) {
			if (c->nfds < 3)
				c->fds[c->nfds++] = fds[i];
			else
				close(fds[i]);
		}
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->have += (size_t)n;
		if (c->have < 4)
			continue;
		memcpy(&want, c->req, 4);
		if (want > CTL_MAX_REQUEST) {
			say(c, 2, "request too large");
			return;
		}
		if (c->have == 4 + want) {
			c->deadline = 0;
			request(c);
			/* Read no more (its words were only needed until now):
			 * freed, not held for as long as an exec or a wait. */
			free(c->req);
			c->req = NULL;
			c->cap = 0;
			if (c->w.fd >= 0 && c->wait == WAIT_EXEC)
				exec_input(c);
			return;
		}
		if (4 + want > c->cap) {
			char *nb = realloc(c->req, 4 + want);

			if (!nb) {
				conn_close(c);
				return;
			}
			c->req = nb;
			c->cap = 4 + want;
		}
	}
}

static void on_listen(struct watch *w, uint32_t events)
{
	(void)events;
	for (;;) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		struct conn *c = NULL;
		int fd;

		for (int i = 0; i < nconns && !c; i++)
			if (conns[i].w.fd < 0)
				c = &conns[i];
		if (!c && nconns < MAX_CONNS) {
			c = &conns[nconns++];
			c->w.fd = -1;
		}
		if (!c) {
			/* Every slot taken: later clients wait in the listen
			 * backlog until conn_close frees one (half-open ones
			 * time out), rather than being turned away. */
			loop_del(w);
			listen_paused = 1;
			return;
		}
		fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/* Out of descriptors or memory: the listen socket stays
			 * readable, so stop watching it for a second rather
			 * than spin. */
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
				loop_del(w);
				listen_paused = 1;
				listen_retry = now_ms() + 1000;
			}
			return;
		}
		if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != 0) {
			/* Answered without taking a slot: a connection of the
			 * moment, gone once its reply is (or cannot be) sent. */
			struct conn t = { .w.fd = fd };

			say(&t, 1, "permission denied");
			if (t.w.fd >= 0)
				conn_close(&t);
			continue;
		}
		c->req = malloc(REQ_FIRST);
		c->cap = REQ_FIRST;
		if (!c->req) {
			close(fd);
			return;
		}
		c->w.fd = fd;
		c->w.fn = on_conn;
		c->deadline = now_ms() + REQUEST_TIMEOUT_MS;
		if (loop_add_events(&c->w, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) < 0)
			conn_close(c);
	}
}

int ctl_init(const char *path, const struct ctl_hooks *h)
{
	int fd;

	hooks = h;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind_unix(fd, path, 0600, 0) < 0 || syscall(SYS_listen, fd, 128) < 0)
		return close_fail(fd);
	listen_w.fd = fd;
	listen_w.fn = on_listen;
	return loop_add(&listen_w);
}

void ctl_recheck(void)
{
	for (int i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];
		struct service *s = c->svc;
		const char *name = s ? sup_name(s) : NULL;
		char why[128], ex[32];
		struct sup_info si;
		int r;

		if (c->w.fd >= 0 && c->lv && (c->more || logview_ready(c->lv)))
			pump(c);
		if (c->w.fd >= 0 && c->wait == WAIT_EXEC && c->more)
			exec_input(c);
		if (c->w.fd < 0 || !s || !c->wait || c->wait == WAIT_EXEC)
			continue;
		if (!name || strcmp(name, c->name)) {
			give_up(c);	/* (it says the reload removed it) */
			continue;
		}
		r = sup_reached(s, c->wait == WAIT_UP, why, sizeof(why));
		sup_info(s, &si);
		c->settle = 0;
		if (r > 0 && c->wait == WAIT_UP && si.state == ST_RUNNING &&
		    si.since_ms < START_SETTLE_MS) {
			c->settle = now_ms() + START_SETTLE_MS - si.since_ms;
		} else if (r < 0) {
			/* (a run that ended says how) */
			say(c, 1,
			    si.state == ST_FAILED || si.state == ST_BACKOFF ? "%s %s (last-exit: %s)"
									    : "%s %s",
			    name, why, last_exit(ex, sizeof(ex), &si));
		} else if (r > 0) {
			finish(c, 0);
		}
	}
}

void ctl_child_exit(pid_t pid, int status)
{
	for (int i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		if (c->w.fd >= 0 && c->wait == WAIT_EXEC && c->exec_pid == pid) {
			c->exec_pid = 0;
			finish(c, exit_code(status));
		}
	}
}

int64_t ctl_next_deadline(void)
{
	int64_t next = listen_paused ? listen_retry : 0;

	for (int i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		if (c->w.fd < 0)
			continue;
		if (c->more)
			return now_ms();
		for (int k = 0; k < 2; k++) {
			int64_t t = k ? c->settle : c->deadline;

			if (t && (!next || t < next))
				next = t;
		}
	}
	return next;
}

void ctl_tick(void)
{
	int64_t now = now_ms();

	for (int i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		if (c->settle && c->settle <= now)
			c->settle = 0;	/* (ctl_recheck answers) */
		if (c->w.fd < 0 || !c->deadline || c->deadline > now)
			continue;
		if (c->wait == WAIT_UP || c->wait == WAIT_DOWN)
			give_up(c);
		else
			conn_close(c);
	}
	if (listen_paused && listen_retry && listen_retry <= now && loop_add(&listen_w) == 0)
		listen_paused = 0;
	if (!listen_paused)
		listen_retry = 0;
}
