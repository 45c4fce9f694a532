/* syslog: /dev/log (SPEC §3 `syslog`, §6): the datagram parser, a socket
 * per sandbox and PID 1's own, read with a bounded share of the loop.
 *
 * A sandbox's socket is made here, unbound, before each start; the
 * sandbox's first process binds it at its own /dev/log (mount.c), so what
 * arrives on it can only come from that sandbox: the tag in a message is
 * only text. Senders block when the socket's queue is full (unix datagram
 * sockets do not drop); PID 1 reads at most SYSLOG_BURST of them a pass, so
 * a flood slows its sender and no one else. */
#include "syslog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

#define DGRAM_MAX 8192
#define SYSLOG_RING_SIZE (64 << 10)

/* The sender's pidfd with each message (Linux 6.5), and what it names:
 * its cgroup, even once the sender has exited and been reaped (6.15,
 * PIDFD_GET_INFO with PIDFD_INFO_EXIT; uapi linux/pidfd.h, version 0 of
 * struct pidfd_info). An older kernel has the pid alone. */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif
/* Linux 6.16: with it off, a sender's SCM_RIGHTS fails (EPERM) instead of
 * putting descriptors in PID 1's table, which would also crowd the pidfd
 * out of the control buffer. */
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif
struct pidfd_info0 {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t ids[11];	/* pid, tgid, ppid, and the credentials */
	int32_t exit_code;
};
#define PIDFD_GET_INFO0 _IOWR(0xFF, 11, struct pidfd_info0)
#define PIDFD_INFO_CGROUPID (1U << 2)
#define PIDFD_INFO_EXIT (1U << 3)

static struct syslog_in *sources;
static struct syslog_in host;
static struct ring host_ring;
static struct ring *(*host_who)(pid_t pid, uint64_t cgroup);

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Does P (N bytes) begin with SHAPE? In SHAPE, A and a stand for a
 * letter of that case, 0 for a digit, _ for a digit or a space (a day's
 * leading one), the rest for themselves. */
__attribute__((noinline)) static int fits(const char *p, size_t n, const char *shape)
{
	for (size_t i = 0; shape[i]; i++) {
		char c, want = shape[i];

		if (i >= n)
			return 0;
		c = p[i];
		if (want == 'A' || want == 'a' ? (unsigned char)(c - want) > 25 :
		    want == '0' || want == '_' ? !is_digit(c) && !(want == '_' && c == ' ') : c != want)
			return 0;
	}
	return 1;
}

/* The next space-delimited word of [*P, END): its start and length; *P
 * moves past it and one space. */
static const char *word(const char **p, const char *end, size_t *len)
{
	const char *w = *p;

	while (*p < end && **p != ' ')
		(*p)++;
	*len = (size_t)(*p - w);
	if (*p < end)
		(*p)++;
	return w;
}

/* Past RFC 5424's STRUCTURED-DATA: "-" or [ID PARAM="VALUE"...]..., where
 * a VALUE may hold \" \\ and \]. */
__attribute__((noinline)) static const char *skip_sd(const char *p, const char *end)
{
	if (p < end && *p == '-')
		return p + 1;
	while (p < end && *p == '[') {
		int quoted = 0;

		for (p++; p < end; p++) {
			if (quoted && *p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == ']')
				break;
		}
		if (p < end)
			p++;
	}
	return p;
}

struct out {
	char *buf;
	size_t size, len;
};

static void emit(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && o->len < o->size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0)
			break;	/* glibc's syslog(3) may end with a NUL */
		if (c == '\r')
			continue;
		o->buf[o->len++] = c < 0x20 && c != '\n' && c != '\t' ? ' ' : (char)c;
	}
}

/* After an RFC 3164 TIMESTAMP: its HOSTNAME, which logger --rfc3164 sends
 * and syslog(3) does not: a word of a host name's characters followed by
 * a TAG (a word ending in ':' or "[PID]:"). A TAG itself stops at its ':'
 * or '[', so a message without HOSTNAME is left as it is. */
__attribute__((noinline)) static const char *skip_host(const char *p, const char *end)
{
	const char *q = p, *t;

	while (q < end && (is_digit(*q) || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			   *q == '.' || *q == '-' || *q == '_'))
		q++;
	if (q == p || q >= end || *q != ' ')
		return p;
	t = ++q;
	while (q < end && *q != ' ' && *q != ':' && *q != '[')
		q++;
	if (q < end && q > t && *q == '[') {
		while (q < end && *q != ']' && *q != ' ')
			q++;
		if (q < end && *q == ']')
			q++;
	}
	return q < end && q > t && *q == ':' ? t : p;
}

size_t syslog_parse(const char *in, size_t len, int *sev, char *out, size_t size)
{
	const char *p = in, *end = in + len;
	struct out o = { out, size, 0 };
	int pri_ok = 0;

	*sev = 5;	/* RFC 3164 §4.3.3: user.notice when there is no PRI */
	if (p < end && *p == '<') {
		const char *q = p + 1;
		int pri = 0, digits = 0;

		while (q < end && is_digit(*q) && digits < 3) {
			pri = pri * 10 + (*q++ - '0');
			digits++;
		}
		if (digits && q < end && *q == '>' && pri <= 191) {
			*sev = pri & 7;
			p = q + 1;
			pri_ok = 1;
		}
	}
	/* RFC 5424: after a PRI, VERSION 1 and a TIMESTAMP that is "-" or
	 * begins YYYY- (not a plain message that starts "1 ") */
	if (pri_ok && (fits(p, (size_t)(end - p), "1 -") || fits(p, (size_t)(end - p), "1 0000-"))) {
		const char *app, *procid;
		size_t applen, pidlen, n;

		p += 2;
		word(&p, end, &n);	/* TIMESTAMP */
		word(&p, end, &n);	/* HOSTNAME */
		app = word(&p, end, &applen);
		procid = word(&p, end, &pidlen);
		word(&p, end, &n);	/* MSGID */
		p = skip_sd(p, end);
		if (p < end && *p == ' ')
			p++;
		if (end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
			p += 3;	/* the BOM of an UTF-8 MSG */
		if (applen == 1 && *app == '-')
			applen = 0;
		if (pidlen == 1 && *procid == '-')
			pidlen = 0;
		emit(&o, app, applen);
		if (pidlen) {
			emit(&o, "[", 1);
			emit(&o, procid, pidlen);
			emit(&o, "]", 1);
		}
		if (applen || pidlen)
			emit(&o, ": ", 2);
	} else if (fits(p, (size_t)(end - p), "Aaa _0 00:00:00 ")) {	/* RFC 3164's TIMESTAMP */
		p = skip_host(p + 16, end);
	}
	emit(&o, p, (size_t)(end - p));
	while (o.len && (out[o.len - 1] == '\n' || out[o.len - 1] == ' '))
		o.len--;
	return o.len;
}

/* Each line of one message into RING, and to the console. */
static void deliver(struct ring *ring, const char *buf, size_t len)
{
	char text[DGRAM_MAX];
	int sev;
	size_t n = syslog_parse(buf, len, &sev, text, sizeof(text));
	int64_t us = log_now_us();

	for (size_t i = 0; i < n;) {
		char *nl = memchr(text + i, '\n', n - i);
		size_t l = nl ? (size_t)(nl - (text + i)) : n - i;

		if (l)
			ring_line(ring, LOG_SYSLOG, sev, us, text + i, l, 1);
		i += l + 1;
	}
}

/* May IN's sender add one more message this second? */
static int take(struct syslog_in *in)
{
	int64_t now = now_ms();

	if (now - in->second >= 1000 && !in->dropped) {
		in->second = now;
		in->taken = 0;
	}
	if (in->taken >= SYSLOG_RATE) {
		in->dropped++;
		return 0;
	}
	in->taken++;
	return 1;
}

/* The cgroup of the process behind PIDFD, 0 if the kernel cannot say. */
static uint64_t cgroup_of(int pidfd)
{
	struct pidfd_info0 info = { .mask = PIDFD_INFO_CGROUPID | PIDFD_INFO_EXIT };

	if (ioctl(pidfd, PIDFD_GET_INFO0, &info) < 0 || !(info.mask & PIDFD_INFO_CGROUPID))
		return 0;
	return info.cgroupid;
}

/* Whose ring a message to PID 1's socket goes to, by its credentials and
 * pidfd (WHO 0: a dropped message, NULL). Every descriptor it came with is
 * closed either way: SCM_PIDFD's, and any a sender passed (SCM_RIGHTS, on
 * kernels without SO_PASSRIGHTS), which PID 1 never keeps. */
static struct ring *sender(struct msghdr *mh, int who)
{
	pid_t pid = 0;
	uint64_t cgroup = 0;
	struct ring *r;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cr;

			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			pid = cr.pid;
		} else if ((c->cmsg_type == SCM_PIDFD || c->cmsg_type == SCM_RIGHTS) &&
			   c->cmsg_len >= CMSG_LEN(0)) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
				if (c->cmsg_type == SCM_PIDFD && who && !cgroup)
					cgroup = cgroup_of(fd);
				close(fd);
			}
		}
	}
	if (!who)
		return NULL;
	r = host_who && (pid > 0 || cgroup) ? host_who(pid, cgroup) : NULL;
	return r ? r : &host_ring;
}

/* Read up to MAX datagrams of IN. */
static void drain(struct syslog_in *in, int max)
{
	static char buf[DGRAM_MAX] PAGE_BUF;
	union {
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;

	for (int i = 0; i < max; i++) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (!in->ring) {
			mh.msg_control = ctl.b;
			mh.msg_controllen = sizeof(ctl.b);
		}
		n = recvmsg(in->w.fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (!take(in)) {
			if (!in->ring)
				sender(&mh, 0);
			continue;
		}
		deliver(in->ring ? in->ring : sender(&mh, 1), buf, (size_t)n);
	}
}

static void on_read(struct watch *w, uint32_t events)
{
	(void)events;
	drain((struct syslog_in *)w, SYSLOG_BURST);
}

static void listed(struct syslog_in *in)
{
	for (struct syslog_in *s = sources; s; s = s->next)
		if (s == in)
			return;
	in->next = sources;
	sources = in;
}

/* IN reads FD into RING (NULL: the host's, each sender's own): 0, or -1
 * with FD closed. */
static int watched(struct syslog_in *in, int fd, struct ring *ring)
{
	in->w.fd = fd;
	in->w.fn = on_read;
	in->ring = ring;
	if (loop_add(&in->w) < 0) {
		in->w.fd = -1;
		return close_fail(fd);
	}
	listed(in);
	return 0;
}

__attribute__((noinline)) int syslog_open(struct syslog_in *in, struct ring *ring)
{
	int fd;

	syslog_close(in);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || watched(in, fd, ring) < 0)
		return -1;
	return fd;
}

static void report(struct syslog_in *in)
{
	if (in->dropped)
		log_msg("%s: %llu syslog messages dropped", in->ring ? in->ring->name : "syslog",
			(unsigned long long)in->dropped);
	in->dropped = 0;
}

void syslog_close(struct syslog_in *in)
{
	if (in->w.fd < 0 || !in->w.fn)
		return;
	drain(in, 4 * SYSLOG_BURST);
	report(in);
	loop_close(&in->w);
	for (struct syslog_in **p = &sources; *p; p = &(*p)->next) {
		if (*p == in) {
			*p = in->next;
			break;
		}
	}
}

int syslog_host(const char *path, struct ring *(*who)(pid_t pid, uint64_t cgroup))
{
	int fd, one = 1, zero = 0;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* ENOPROTOOPT before 6.5 and 6.16: the pid alone then; descriptors
	 * received are closed (sender) */
	setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &zero, sizeof(zero));
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    bind_unix(fd, path, 0666, 1) < 0 ||
	    (!host_ring.id && ring_init(&host_ring, SYSLOG_RING_SIZE, "syslog") < 0))
		goto fail;
	host_ring.pid1 = 1;
	host_who = who;
	return watched(&host, fd, NULL);
fail:
	host.w.fd = -1;
	return close_fail(fd);
}

int64_t syslog_next_deadline(void)
{
	int64_t next = 0;

	for (struct syslog_in *s = sources; s; s = s->next)
		if (s->dropped && (!next || s->second + 1000 < next))
			next = s->second + 1000;
	return next;
}

void syslog_tick(void)
{
	int64_t now = now_ms();

	for (struct syslog_in *s = sources; s; s = s->next) {
		if (!s->dropped || now - s->second < 1000)
			continue;
		report(s);
		s->second = now;
		s->taken = 0;
	}
}
